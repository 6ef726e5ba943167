/**
 * The `metrics` input (YAML, inline or from `metrics-file`) into metric definitions.
 *
 *   - http-error-rate                  # a preset, as it is
 *   - preset: http-latency-p99         # a preset with overrides
 *     allowed-increase: 20%
 *   - name: checkout-errors            # a ratio metric: judged on counts
 *     failures: sum(increase(checkout_failed_total{ {{selector}} }[{{interval}}]))
 *     total: sum(increase(checkout_total{ {{selector}} }[{{interval}}]))
 *   - name: cpu                        # a value metric, one query for both arms
 *     query: avg(rate(process_cpu_seconds_total{ {{selector}} }[{{interval}}]))
 *     allowed-increase: 25%
 *     critical: false
 *   - name: checkout-latency           # a quantile metric, judged on the counts in the histogram's buckets
 *     histogram: sum by (le) (increase(checkout_seconds_bucket{ {{selector}} }[{{interval}}]))
 *     quantile: 0.95
 *   - name: queue-depth                # a value metric, a query per arm
 *     canary-query: max(queue_depth{track="canary"})
 *     baseline-query: max(queue_depth{track="baseline"})
 *
 * Fields: direction (increase | decrease | either: which way is bad), allowed-increase, tolerance (ratio
 * metrics: absolute slack for promotion), max, min, critical, weight; for ratio metrics `success` may be given
 * instead of `failures` (failures = total − success). For the scrape provider, presets carry their own recipe.
 */
import { parse as parseYaml } from 'yaml';
import { InputError } from '../common/errors.js';
import { parsePercent } from '../common/duration.js';
import type { Direction, MetricJudgement } from './model.js';
import {
  DEFAULT_METRICS,
  PRESETS,
  quantileJudgement,
  RATIO_JUDGEMENT,
  type MetricDefinition,
  type MetricQueries,
  type PresetQueries,
} from './presets.js';

const FIELDS = new Set([
  'name',
  'preset',
  'histogram',
  'canary-histogram',
  'baseline-histogram',
  'quantile',
  'query',
  'canary-query',
  'baseline-query',
  'failures',
  'success',
  'total',
  'canary-failures',
  'baseline-failures',
  'canary-success',
  'baseline-success',
  'canary-total',
  'baseline-total',
  'direction',
  'allowed-increase',
  'tolerance',
  'max',
  'min',
  'critical',
  'weight',
  'unit',
]);

type Raw = Record<string, unknown>;

function fail(input: string, where: string, expected: string, value?: unknown): never {
  throw new InputError(
    input,
    value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value),
    `${expected} (${where})`,
  );
}

function str(raw: Raw, key: string, input: string, where: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    fail(input, `${where}, field ${key}`, 'a non-empty string', v);
  return v;
}

function num(
  raw: Raw,
  key: string,
  input: string,
  where: string,
  percentAllowed: boolean,
): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && percentAllowed
        ? parsePercent(v)
        : typeof v === 'string'
          ? Number(v)
          : NaN;
  if (n === undefined || !Number.isFinite(n))
    fail(
      input,
      `${where}, field ${key}`,
      percentAllowed ? 'a number or a percentage such as 10%' : 'a number',
      v,
    );
  return n;
}

function bool(raw: Raw, key: string, input: string, where: string): boolean | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(input, `${where}, field ${key}`, 'true or false', v);
  return v;
}

/** Parse the metrics YAML; `input` names the input in errors (metrics or metrics-file). Empty: the presets. */
export function parseMetrics(text: string, input: string): MetricDefinition[] {
  if (text.trim() === '') return DEFAULT_METRICS.map((name) => fromPreset(name, {}, input, name));
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new InputError(
      input,
      undefined,
      `YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  if (typeof doc === 'string') doc = doc.split(/[\s,]+/).filter(Boolean);
  if (!Array.isArray(doc) || doc.length === 0)
    fail(input, 'the whole value', 'a YAML list of metrics (preset names or objects)', text.slice(0, 80));
  const metrics = doc.map((item: unknown, i: number) => {
    const where = `metric ${i + 1}`;
    if (typeof item === 'string') return fromPreset(item, {}, input, where);
    if (!item || typeof item !== 'object' || Array.isArray(item))
      fail(input, where, 'a preset name or an object with name and queries', item);
    const raw = item as Raw;
    for (const key of Object.keys(raw)) {
      if (!FIELDS.has(key)) fail(input, `${where}`, `one of the fields ${[...FIELDS].join(', ')}`, key);
    }
    const preset = str(raw, 'preset', input, where);
    return preset ? fromPreset(preset, raw, input, where) : fromDefinition(raw, input, where);
  });
  const names = new Set<string>();
  for (const m of metrics) {
    if (names.has(m.name)) fail(input, `metric ${m.name}`, 'unique metric names', m.name);
    names.add(m.name);
  }
  return metrics;
}

function judgementOverrides(raw: Raw, input: string, where: string): Partial<MetricJudgement> {
  const out: Partial<MetricJudgement> = {};
  const direction = str(raw, 'direction', input, where);
  if (direction !== undefined) {
    if (!['increase', 'decrease', 'either'].includes(direction))
      fail(input, `${where}, field direction`, 'increase, decrease or either', direction);
    out.direction = direction as Direction;
  }
  const allowed = num(raw, 'allowed-increase', input, where, true);
  if (allowed !== undefined) {
    if (allowed < 0) fail(input, `${where}, field allowed-increase`, 'zero or more', raw['allowed-increase']);
    out.allowedIncrease = allowed;
  }
  const tolerance = num(raw, 'tolerance', input, where, true);
  if (tolerance !== undefined) {
    if (tolerance < 0) fail(input, `${where}, field tolerance`, 'zero or more', raw['tolerance']);
    out.tolerance = tolerance;
  }
  const max = num(raw, 'max', input, where, false);
  if (max !== undefined) out.max = max;
  const min = num(raw, 'min', input, where, false);
  if (min !== undefined) out.min = min;
  const critical = bool(raw, 'critical', input, where);
  if (critical !== undefined) out.critical = critical;
  const unit = str(raw, 'unit', input, where);
  if (unit !== undefined) out.unit = unit;
  const weight = num(raw, 'weight', input, where, false);
  if (weight !== undefined) {
    if (!(weight > 0)) fail(input, `${where}, field weight`, 'a positive number', raw['weight']);
    out.weight = weight;
  }
  return out;
}

function fromPreset(presetName: string, raw: Raw, input: string, where: string): MetricDefinition {
  const preset = PRESETS[presetName];
  if (!preset)
    fail(input, where, `a preset (${Object.keys(PRESETS).join(', ')}) or a metric object`, presetName);
  for (const key of Object.keys(raw)) {
    if (/query|failures|success|total|histogram/.test(key))
      fail(
        input,
        `${where} (preset ${presetName})`,
        'no queries: a preset brings its own; define a metric without preset to write PromQL',
        key,
      );
  }
  const queries = presetQueries(preset.queries);
  return {
    name: str(raw, 'name', input, where) ?? presetName,
    ...preset.judgement,
    ...judgementOverrides(raw, input, where),
    queries,
    scrape: preset.scrape,
  };
}

/** A preset's queries, the same for both arms. */
function presetQueries(preset: PresetQueries): MetricQueries {
  switch (preset.kind) {
    case 'ratio':
      return {
        kind: 'ratio',
        canaryFailures: preset.failures,
        baselineFailures: preset.failures,
        canaryTotal: preset.total,
        baselineTotal: preset.total,
      };
    case 'quantile':
      return { kind: 'quantile', canaryHistogram: preset.histogram, baselineHistogram: preset.histogram };
    case 'value':
      return { kind: 'value', canaryQuery: preset.query, baselineQuery: preset.query };
  }
}

function fromDefinition(raw: Raw, input: string, where: string): MetricDefinition {
  const name = str(raw, 'name', input, where);
  if (!name) fail(input, where, 'a name (or a preset)', raw);
  const at = `metric ${name}`;
  const get = (key: string) => str(raw, key, input, at);
  const both = (shared: string): [string | undefined, string | undefined] => [
    get(`canary-${shared}`) ?? get(shared),
    get(`baseline-${shared}`) ?? get(shared),
  ];
  const [canaryQuery, baselineQuery] = [
    get('canary-query') ?? get('query'),
    get('baseline-query') ?? get('query'),
  ];
  const [canaryFailures, baselineFailures] = both('failures');
  const [canarySuccess, baselineSuccess] = both('success');
  const [canaryTotal, baselineTotal] = both('total');
  const [canaryHistogram, baselineHistogram] = both('histogram');
  if (canaryHistogram || baselineHistogram) {
    if (!canaryHistogram || !baselineHistogram)
      fail(input, at, 'histogram (or canary-histogram and baseline-histogram) for a quantile metric', name);
    if (canaryQuery || baselineQuery || canaryTotal || canaryFailures)
      fail(input, at, 'only histogram and quantile for a quantile metric, no other queries', name);
    const quantile = num(raw, 'quantile', input, at, true) ?? 0.99;
    if (!(quantile > 0 && quantile < 1))
      fail(input, `${at}, field quantile`, 'a number between 0 and 1, e.g. 0.99', raw['quantile']);
    return {
      name,
      ...quantileJudgement(quantile),
      // a histogram named in seconds, as Prometheus's conventions have it, is a latency
      unit: /_seconds(_bucket)?\b/.test(`${canaryHistogram} ${baselineHistogram}`) ? 's' : undefined,
      ...judgementOverrides(raw, input, at),
      queries: { kind: 'quantile', canaryHistogram, baselineHistogram },
    };
  }
  if (raw['quantile'] !== undefined)
    fail(input, `${at}, field quantile`, 'histogram queries (quantile goes with histogram)', raw['quantile']);
  const isRatio = Boolean(canaryTotal || baselineTotal || canaryFailures || canarySuccess);
  if (isRatio) {
    if (canaryQuery || baselineQuery)
      fail(
        input,
        at,
        'either query fields (a value metric) or failures/success and total (a ratio metric), not both',
        name,
      );
    if (!canaryTotal || !baselineTotal)
      fail(input, at, 'total (or canary-total and baseline-total) for a ratio metric', name);
    if (!(canaryFailures || canarySuccess) || !(baselineFailures || baselineSuccess))
      fail(input, at, 'failures or success for both arms of a ratio metric', name);
    const queries: MetricQueries = {
      kind: 'ratio',
      canaryFailures: canaryFailures ?? `(${canaryTotal}) - (${canarySuccess})`,
      baselineFailures: baselineFailures ?? `(${baselineTotal}) - (${baselineSuccess})`,
      canaryTotal,
      baselineTotal,
    };
    return {
      name,
      ...RATIO_JUDGEMENT,
      ...judgementOverrides(raw, input, at),
      queries,
    };
  }
  if (!canaryQuery || !baselineQuery)
    fail(
      input,
      at,
      'query (with {{selector}}), or canary-query and baseline-query, or failures and total',
      name,
    );
  return {
    name,
    kind: 'value',
    direction: 'increase',
    allowedIncrease: 0.1,
    tolerance: 0,
    critical: true,
    weight: 1,
    ...judgementOverrides(raw, input, at),
    queries: { kind: 'value', canaryQuery, baselineQuery },
  };
}

/** Fill `{{selector}}` and `{{interval}}` into a query template. */
export function renderQuery(template: string, selector: string, interval: string): string {
  return template.replace(/\{\{\s*selector\s*\}\}/g, selector).replace(/\{\{\s*interval\s*\}\}/g, interval);
}
