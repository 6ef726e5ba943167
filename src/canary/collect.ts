/**
 * Collecting one look's data from a metrics provider: the interface the analysis loop uses, and the Prometheus
 * and scrape implementations (CloudWatch lives in providers/cloudwatch.ts).
 *
 * Every query sent and every answer read is recorded for the report. A query result must be one number: an
 * empty result, NaN, or several series (which would have to be guessed between) is no-data with the reason,
 * never a value. A query Prometheus rejects as malformed stops the run (the configuration is wrong); a provider
 * that is down or times out makes the look no-data and is remembered, so the run cannot promote.
 */
import { ActionError } from '../common/errors.js';
import { renderQuery } from './metrics-config.js';
import type { LookData } from './model.js';
import type { MetricDefinition } from './presets.js';
import {
  histogramBuckets,
  histogramQuantile,
  parseExposition,
  parseSelector,
  sumOf,
  type Sample,
  type Selector,
} from './providers/exposition.js';
import {
  parseSampleValue,
  PrometheusError,
  type PrometheusClient,
  type QueryResponse,
} from './providers/prometheus.js';
import { histogramTotal, type Buckets } from './stats/histogram.js';

export type Arm = 'canary' | 'baseline';

export interface LookWindow {
  look: number;
  start: Date;
  end: Date;
  /** The interval as PromQL writes it, e.g. `30s`. */
  range: string;
}

export interface QueryRecord {
  metric: string;
  arm: Arm;
  part: 'value' | 'failures' | 'total';
  query: string;
  at: string;
  value?: number;
  series?: number;
  problem?: string;
  warnings?: string[];
}

export interface CollectedLook {
  data: Map<string, LookData>;
  queries: QueryRecord[];
  /** Set when the provider itself failed (down, timeout, HTTP error): the look has no data. */
  providerProblem?: string;
}

export interface LookCollector {
  /** Called once at the start of the run (before the initial delay ends), e.g. to take a first scrape. */
  prepare?(at: Date): Promise<void>;
  collect(window: LookWindow): Promise<CollectedLook>;
  /** Warnings worth a line in the log (deduplicated by the caller). */
  describe(): string;
}

type Reading =
  | { value: number; series: number; warnings: string[] }
  | { problem: string; series?: number; warnings: string[] };

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}` : '{}';
}

/** One number from an instant query's answer, or why there is none. */
export function readSingleValue(response: QueryResponse): Reading {
  const { result, warnings } = response;
  switch (result.resultType) {
    case 'scalar':
      return Number.isNaN(result.sample[1])
        ? { problem: 'the result is NaN', warnings }
        : { value: result.sample[1], series: 1, warnings };
    case 'vector': {
      if (result.series.length === 0)
        return { problem: 'empty result (no series matched)', series: 0, warnings };
      if (result.series.length > 1) {
        const shown = result.series
          .slice(0, 3)
          .map((s) => labelText(s.labels))
          .join(', ');
        return {
          problem: `${result.series.length} series (${shown}${result.series.length > 3 ? ', …' : ''}): aggregate them (sum, max, ...) so the query returns one`,
          series: result.series.length,
          warnings,
        };
      }
      const value = result.series[0]!.samples[0]![1];
      return Number.isNaN(value)
        ? { problem: 'the result is NaN (e.g. 0/0: no requests)', series: 1, warnings }
        : { value, series: 1, warnings };
    }
    case 'matrix':
      return {
        problem: 'a range vector: wrap it in a function such as rate() or increase()',
        series: result.series.length,
        warnings,
      };
    case 'string':
      return { problem: 'a string, not a number', warnings };
  }
}

/** Histogram buckets (one series per `le`) from an instant query's answer, or why they are not that. */
export function readBuckets(response: QueryResponse): { buckets: Buckets | string; series: number } {
  const { result } = response;
  if (result.resultType !== 'vector')
    return { buckets: `a ${result.resultType}, not histogram buckets`, series: 0 };
  if (result.series.length === 0) return { buckets: 'empty result (no series matched)', series: 0 };
  const buckets = new Map<number, number>();
  for (const s of result.series) {
    const le = parseSampleValue(s.labels['le']);
    if (s.labels['le'] === undefined || Number.isNaN(le)) {
      return {
        buckets: `series ${labelText(s.labels)} has no le label: aggregate the buckets with sum by (le) (...)`,
        series: result.series.length,
      };
    }
    if (buckets.has(le))
      return {
        buckets: `two series for le="${s.labels['le']}": aggregate with sum by (le) (...)`,
        series: result.series.length,
      };
    const value = s.samples[0]![1];
    buckets.set(le, Number.isFinite(value) ? value : 0);
  }
  if (!buckets.has(Infinity))
    return { buckets: 'no le="+Inf" bucket: is this a histogram?', series: result.series.length };
  return { buckets, series: result.series.length };
}

export class PrometheusCollector implements LookCollector {
  constructor(
    private readonly client: PrometheusClient,
    private readonly metrics: readonly MetricDefinition[],
    private readonly selectors: Record<Arm, string>,
  ) {}

  describe(): string {
    return 'prometheus';
  }

  async collect(window: LookWindow): Promise<CollectedLook> {
    const queries: QueryRecord[] = [];
    const data = new Map<string, LookData>();
    const at = window.end.toISOString();
    let providerProblem: string | undefined;

    /** Send one query; a provider failure is remembered and becomes the reading's problem. */
    type Answer = { record: QueryRecord; response: QueryResponse } | { record: QueryRecord; problem: string };
    const ask = async (
      metric: MetricDefinition,
      arm: Arm,
      part: QueryRecord['part'],
      template: string,
    ): Promise<Answer> => {
      const query = renderQuery(template, this.selectors[arm], window.range);
      const record: QueryRecord = { metric: metric.name, arm, part, query, at };
      queries.push(record);
      try {
        return { record, response: await this.client.query(query, window.end) };
      } catch (error) {
        if (error instanceof PrometheusError && error.kind === 'api' && error.errorType === 'bad_data') {
          throw new ActionError(
            `The ${arm} query of metric ${metric.name} is not valid PromQL: ${error.message}\nQuery: ${query}`,
          );
        }
        // refused credentials or signature do not heal by waiting: stop the run (decision error)
        if (
          error instanceof PrometheusError &&
          (error.kind === 'auth' || error.status === 401 || error.status === 403)
        ) {
          throw new ActionError(
            `Prometheus refused the ${arm} query of metric ${metric.name}: ${error.message}`,
          );
        }
        const message = error instanceof Error ? error.message : String(error);
        record.problem = message;
        providerProblem ??= message;
        return { record, problem: message };
      }
    };
    const read = async (
      metric: MetricDefinition,
      arm: Arm,
      part: QueryRecord['part'],
      template: string,
    ): Promise<Reading> => {
      const answer = await ask(metric, arm, part, template);
      if ('problem' in answer) return { problem: answer.problem, warnings: [] };
      const reading = readSingleValue(answer.response);
      if ('value' in reading) answer.record.value = reading.value;
      else answer.record.problem = reading.problem;
      if (reading.series !== undefined) answer.record.series = reading.series;
      if (reading.warnings.length) answer.record.warnings = reading.warnings;
      return reading;
    };
    const readHistogram = async (
      metric: MetricDefinition,
      arm: Arm,
      template: string,
    ): Promise<Buckets | string> => {
      const answer = await ask(metric, arm, 'value', template);
      if ('problem' in answer) return answer.problem;
      const reading = readBuckets(answer.response);
      answer.record.series = reading.series;
      if (answer.response.warnings.length) answer.record.warnings = answer.response.warnings;
      if (typeof reading.buckets === 'string') return (answer.record.problem = reading.buckets);
      answer.record.value = histogramTotal(reading.buckets);
      return reading.buckets;
    };

    await Promise.all(
      this.metrics.map(async (metric) => {
        const q = metric.queries;
        if (metric.kind === 'ratio') {
          const [cf, ct, bf, bt] = await Promise.all([
            read(metric, 'canary', 'failures', q.canaryFailures!),
            read(metric, 'canary', 'total', q.canaryTotal!),
            read(metric, 'baseline', 'failures', q.baselineFailures!),
            read(metric, 'baseline', 'total', q.baselineTotal!),
          ]);
          data.set(
            metric.name,
            toRatioLook(window, { failures: cf, total: ct }, { failures: bf, total: bt }),
          );
        } else if (metric.kind === 'quantile') {
          const [c, b] = await Promise.all([
            readHistogram(metric, 'canary', q.canaryHistogram!),
            readHistogram(metric, 'baseline', q.baselineHistogram!),
          ]);
          data.set(
            metric.name,
            typeof c === 'string'
              ? none(window, `canary: ${c}`)
              : typeof b === 'string'
                ? none(window, `baseline: ${b}`)
                : { look: window.look, at, kind: 'histogram', canary: c, baseline: b },
          );
        } else {
          const [c, b] = await Promise.all([
            read(metric, 'canary', 'value', q.canaryQuery!),
            read(metric, 'baseline', 'value', q.baselineQuery!),
          ]);
          data.set(metric.name, toValueLook(window, c, b));
        }
      }),
    );
    return providerProblem ? { data, queries, providerProblem } : { data, queries };
  }
}

function none(window: LookWindow, problem: string): LookData {
  return { look: window.look, at: window.end.toISOString(), kind: 'none', problem };
}

/** Counts from failure and total readings. A missing failure series with traffic means no failures. */
function toRatioLook(
  window: LookWindow,
  canary: { failures: Reading; total: Reading },
  baseline: { failures: Reading; total: Reading },
): LookData {
  const counts = (arm: Arm, r: { failures: Reading; total: Reading }) => {
    if (!('value' in r.total)) return `${arm} total: ${r.total.problem}`;
    let failures: number;
    if ('value' in r.failures) failures = r.failures.value;
    else if (r.failures.series === 0)
      failures = 0; // no 5xx series yet: no failures
    else return `${arm} failures: ${r.failures.problem}`;
    if (!Number.isFinite(r.total.value) || !Number.isFinite(failures)) return `${arm}: not a finite count`;
    // increase() extrapolates to the window's edges: round to whole requests
    const total = Math.max(0, Math.round(r.total.value));
    return { events: Math.min(total, Math.max(0, Math.round(failures))), total };
  };
  const c = counts('canary', canary);
  const b = counts('baseline', baseline);
  if (typeof c === 'string') return none(window, c);
  if (typeof b === 'string') return none(window, b);
  return { look: window.look, at: window.end.toISOString(), kind: 'ratio', canary: c, baseline: b };
}

function toValueLook(window: LookWindow, canary: Reading, baseline: Reading): LookData {
  if (!('value' in canary)) return none(window, `canary: ${canary.problem}`);
  if (!('value' in baseline)) return none(window, `baseline: ${baseline.problem}`);
  return {
    look: window.look,
    at: window.end.toISOString(),
    kind: 'value',
    canary: canary.value,
    baseline: baseline.value,
  };
}

// ---- scrape ----------------------------------------------------------------------------------------------

export type ScrapeRecipe =
  | { kind: 'ratio'; failures: Selector; total: Selector }
  | { kind: 'quantile'; histogram: Selector; quantile: number }
  | { kind: 'gauge'; selector: Selector };

/** How a metric is computed from scraped text: its preset recipe, or its queries read as series selectors. */
export function scrapeRecipe(metric: MetricDefinition): ScrapeRecipe {
  const where = `metric ${metric.name}`;
  try {
    if (metric.scrape?.kind === 'ratio')
      return {
        kind: 'ratio',
        failures: parseSelector(metric.scrape.failures),
        total: parseSelector(metric.scrape.total),
      };
    if (metric.scrape?.kind === 'quantile') {
      return {
        kind: 'quantile',
        histogram: parseSelector(
          `${metric.scrape.histogram}${metric.scrape.matchers ? `{${metric.scrape.matchers}}` : ''}`,
        ),
        quantile: metric.scrape.quantile,
      };
    }
    const q = metric.queries;
    if (metric.kind === 'ratio') {
      if (q.canaryFailures !== q.baselineFailures || q.canaryTotal !== q.baselineTotal) {
        throw new Error(
          'with the scrape provider, canary and baseline are told apart by their targets: give failures and total once',
        );
      }
      return {
        kind: 'ratio',
        failures: parseSelector(q.canaryFailures!),
        total: parseSelector(q.canaryTotal!),
      };
    }
    if (q.canaryQuery !== q.baselineQuery)
      throw new Error('with the scrape provider, give one query for both arms');
    const hq = /^\s*histogram_quantile\(\s*([0-9.]+)\s*,\s*(.+)\)\s*$/s.exec(q.canaryQuery!);
    if (hq) return { kind: 'quantile', quantile: Number(hq[1]), histogram: parseSelector(hq[2]!) };
    return { kind: 'gauge', selector: parseSelector(q.canaryQuery!) };
  } catch (error) {
    throw new ActionError(
      `${where} cannot be computed by the scrape provider: ${error instanceof Error ? error.message : String(error)}. ` +
        'With provider: scrape, ratio metrics give failures and total as series selectors (name{label="value"}); value metrics give ' +
        'histogram_quantile(0.99, name{...}) or a gauge selector.',
    );
  }
}

type Snapshot = Map<string, Sample>;

function seriesKey(s: Sample): string {
  return `${s.name}${labelText(s.labels)}`;
}

/**
 * Reads the exposition text of the canary's and the baseline's targets directly, and computes each interval's
 * counts and histogram quantiles from the difference between two scrapes (a counter that went down was reset:
 * its new value is the increase). For teams and demos without a Prometheus server.
 */
export class ScrapeCollector implements LookCollector {
  private previous = new Map<string, Snapshot>();
  private readonly recipes: Map<string, ScrapeRecipe>;

  constructor(
    private readonly metrics: readonly MetricDefinition[],
    private readonly targets: Record<Arm, string[]>,
    private readonly timeoutMs: number,
    private readonly headers: Record<string, string> = {},
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.recipes = new Map(metrics.map((m) => [m.name, scrapeRecipe(m)]));
  }

  describe(): string {
    return `scrape of ${this.targets.canary.length} canary and ${this.targets.baseline.length} baseline target(s)`;
  }

  private async scrape(url: string): Promise<Snapshot> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: { accept: 'text/plain;version=0.0.4', ...this.headers },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      throw new Error(
        e.name === 'TimeoutError'
          ? `${url} did not answer within ${this.timeoutMs} ms`
          : `cannot scrape ${url}: ${e.cause?.code ?? e.message}`,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) throw new Error(`scraping ${url} answered HTTP ${response.status}`);
    const samples = parseExposition(await response.text());
    return new Map(samples.map((s) => [seriesKey(s), s]));
  }

  async prepare(): Promise<void> {
    const all = [...this.targets.canary, ...this.targets.baseline];
    const snapshots = await Promise.allSettled(all.map((url) => this.scrape(url)));
    snapshots.forEach((s, i) => {
      if (s.status === 'fulfilled') this.previous.set(all[i]!, s.value);
    });
  }

  async collect(window: LookWindow): Promise<CollectedLook> {
    const queries: QueryRecord[] = [];
    const data = new Map<string, LookData>();
    const at = window.end.toISOString();
    const deltas: Record<Arm, Sample[]> = { canary: [], baseline: [] };
    const latest: Record<Arm, Sample[]> = { canary: [], baseline: [] };
    const problems: string[] = [];
    for (const arm of ['canary', 'baseline'] as const) {
      for (const url of this.targets[arm]) {
        try {
          const current = await this.scrape(url);
          const before = this.previous.get(url);
          this.previous.set(url, current);
          latest[arm].push(...current.values());
          if (!before) {
            problems.push(`${url}: first successful scrape, no interval to compare yet`);
            continue;
          }
          for (const [key, sample] of current) {
            const old = before.get(key);
            const increase =
              old === undefined || sample.value < old.value ? sample.value : sample.value - old.value;
            deltas[arm].push({ ...sample, value: increase });
          }
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
    }
    const providerProblem = problems.length ? problems.join('; ') : undefined;
    for (const metric of this.metrics) {
      const recipe = this.recipes.get(metric.name)!;
      const record = (arm: Arm, part: QueryRecord['part'], value: number | undefined, problem?: string) =>
        queries.push({
          metric: metric.name,
          arm,
          part,
          query: describeRecipe(recipe, part),
          at,
          ...(value !== undefined ? { value } : {}),
          ...(problem ? { problem } : {}),
        });
      if (providerProblem) {
        data.set(metric.name, none(window, providerProblem));
        continue;
      }
      if (recipe.kind === 'ratio') {
        const counts = (arm: Arm) => {
          const total = Math.round(sumOf(deltas[arm], recipe.total));
          const events = Math.min(total, Math.round(sumOf(deltas[arm], recipe.failures)));
          record(arm, 'failures', events);
          record(arm, 'total', total);
          return { events, total };
        };
        data.set(metric.name, {
          look: window.look,
          at,
          kind: 'ratio',
          canary: counts('canary'),
          baseline: counts('baseline'),
        });
      } else if (metric.kind === 'quantile' && recipe.kind === 'quantile') {
        const buckets = (arm: Arm) => {
          const b = histogramBuckets(deltas[arm], recipe.histogram);
          record(arm, 'value', histogramTotal(b));
          return b;
        };
        const c = buckets('canary');
        const b = buckets('baseline');
        data.set(
          metric.name,
          c.has(Infinity) && b.has(Infinity)
            ? { look: window.look, at, kind: 'histogram', canary: c, baseline: b }
            : none(
                window,
                `no ${recipe.histogram.name}_bucket series in the ${c.has(Infinity) ? 'baseline' : 'canary'} scrape`,
              ),
        );
      } else {
        const value = (arm: Arm): number => {
          const v =
            recipe.kind === 'quantile'
              ? histogramQuantile(recipe.quantile, histogramBuckets(deltas[arm], recipe.histogram))
              : sumOf(latest[arm], recipe.selector); // a gauge is read as it is, not as an increase
          record(
            arm,
            'value',
            Number.isNaN(v) ? undefined : v,
            Number.isNaN(v) ? 'no observations in the interval' : undefined,
          );
          return v;
        };
        const c = value('canary');
        const b = value('baseline');
        data.set(
          metric.name,
          Number.isNaN(c) || Number.isNaN(b)
            ? none(window, `no observations in the interval (${Number.isNaN(c) ? 'canary' : 'baseline'})`)
            : { look: window.look, at, kind: 'value', canary: c, baseline: b },
        );
      }
    }
    return providerProblem ? { data, queries, providerProblem } : { data, queries };
  }
}

function selectorText(s: Selector): string {
  return `${s.name}{${s.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(',')}}`;
}

function describeRecipe(recipe: ScrapeRecipe, part: QueryRecord['part']): string {
  // (for a quantile metric the record's value is the number of observations in the interval)
  if (recipe.kind === 'ratio')
    return `increase of ${selectorText(part === 'failures' ? recipe.failures : recipe.total)} between scrapes`;
  if (recipe.kind === 'quantile')
    return `histogram_quantile(${recipe.quantile}) of the increase of ${selectorText(recipe.histogram)}_bucket`;
  return `sum of ${selectorText(recipe.selector)}`;
}
