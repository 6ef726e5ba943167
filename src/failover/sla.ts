/**
 * SLA assertions in k6's threshold syntax, one a line, evaluated per region over its samples.
 *
 * Latency statistics (`p(N)`, `avg`, `med`, `min`, `max`) are over the latencies of the successful samples
 * only (a failed sample has no meaningful latency: a refused connection is fast, a timeout is the timeout); the
 * failed ones count in `error-rate`. Quantiles use linear interpolation between the two nearest ranks, the
 * method k6 uses for `p(N)` (and numpy's default): with sorted x₀…xₙ₋₁, p(q) = x⌊h⌋ + (h − ⌊h⌋)(x⌈h⌉ − x⌊h⌋)
 * where h = (q/100)(n − 1). A latency assertion with no successful sample fails ("no successful samples").
 */
import { InputError } from '../common/errors.js';
import type { ProbeResult } from './model.js';

export type SlaStatistic =
  | { kind: 'quantile'; q: number }
  | { kind: 'avg' | 'med' | 'min' | 'max' }
  | { kind: 'error-rate' | 'availability' };

export type Comparison = '<' | '<=' | '>' | '>=';

export interface SlaAssertion {
  /** The line as written (trimmed). */
  line: string;
  statistic: SlaStatistic;
  op: Comparison;
  /** Milliseconds for latency statistics, a fraction (0.01) for rates. */
  limit: number;
}

/** The accepted forms, shown in the error for a line that is not one of them. */
export const SLA_FORMS = [
  'p(95)<150ms',
  'p(99.9)<=1s',
  'avg<100ms',
  'med<80ms',
  'min>1ms',
  'max<2s',
  'error-rate<1%',
  'rate<0.01',
  'availability>=99%',
];

const EXPECTED = `one assertion a line, in one of these forms: ${SLA_FORMS.join(', ')} (p(N) with 0 < N ≤ 100; operators <, <=, >, >=; latencies in ms, s or m, a bare number being milliseconds as in k6; rates as a percentage or a fraction; error-rate and rate are the share of failed samples, availability the share of successful ones)`;

const LINE =
  /^(p\(\s*(\d+(?:\.\d+)?)\s*\)|p(\d+(?:\.\d+)?)|avg|mean|med|median|min|max|error-rate|error_rate|rate|availability)\s*(<=|<|>=|>)\s*(\S.*)$/i;

function parseLatency(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
}

function parseRate(text: string): number | undefined {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  const n = pct ? Number(pct[1]) / 100 : /^\d+(?:\.\d+)?$/.test(t) ? Number(t) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

/** One assertion from one line; undefined when the line is not in an accepted form. */
export function parseSlaLine(raw: string): SlaAssertion | undefined {
  const line = raw.trim();
  const m = LINE.exec(line);
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  const op = m[4] as Comparison;
  const valueText = m[5]!;
  let statistic: SlaStatistic;
  const qText = m[2] ?? m[3];
  if (qText !== undefined) {
    const q = Number(qText);
    if (!(q > 0 && q <= 100)) return undefined;
    statistic = { kind: 'quantile', q };
  } else if (name === 'avg' || name === 'mean') statistic = { kind: 'avg' };
  else if (name === 'med' || name === 'median') statistic = { kind: 'med' };
  else if (name === 'min' || name === 'max') statistic = { kind: name };
  else if (name === 'availability') statistic = { kind: 'availability' };
  else statistic = { kind: 'error-rate' };
  const rate = statistic.kind === 'error-rate' || statistic.kind === 'availability';
  const limit = rate ? parseRate(valueText) : parseLatency(valueText);
  if (limit === undefined) return undefined;
  return { line, statistic, op, limit };
}

/**
 * The `sla` input: one assertion a line (blank lines and `#` comments ignored; a leading `- ` and surrounding
 * quotes are allowed, so a YAML list pasted in works). A line that is not an accepted form is an InputError that
 * shows the line and the accepted forms.
 */
export function parseSla(text: string, input = 'sla'): SlaAssertion[] {
  const assertions: SlaAssertion[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    line = line
      .replace(/^-\s+/, '')
      .replace(/^(['"])(.*)\1$/, '$2')
      .trim();
    const assertion = parseSlaLine(line);
    if (!assertion) throw new InputError(input, line, EXPECTED);
    assertions.push(assertion);
  }
  return assertions;
}

/** Linear interpolation between the nearest ranks (k6's `p(N)`); `sorted` ascending and not empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (h - lo);
}

export interface SampleStats {
  samples: number;
  succeeded: number;
  failed: number;
  /** failed / samples (0 when there are no samples). */
  errorRate: number;
  /** Latency statistics of the successful samples, ms; absent when none succeeded. */
  latency?: { min: number; max: number; avg: number; p50: number; p90: number; p95: number; p99: number };
  /** Latencies of the successful samples, ascending. */
  sorted: number[];
}

export function summarise(results: readonly ProbeResult[]): SampleStats {
  const sorted = results
    .filter((r) => r.ok)
    .map((r) => r.timings.totalMs)
    .sort((a, b) => a - b);
  const failed = results.length - sorted.length;
  const stats: SampleStats = {
    samples: results.length,
    succeeded: sorted.length,
    failed,
    errorRate: results.length ? failed / results.length : 0,
    sorted,
  };
  if (sorted.length) {
    stats.latency = {
      min: sorted[0]!,
      max: sorted.at(-1)!,
      avg: sorted.reduce((s, x) => s + x, 0) / sorted.length,
      p50: quantile(sorted, 50),
      p90: quantile(sorted, 90),
      p95: quantile(sorted, 95),
      p99: quantile(sorted, 99),
    };
  }
  return stats;
}

export interface SlaResult {
  line: string;
  /** The measured value: ms or a fraction; undefined when it cannot be measured (no successful sample). */
  actual?: number;
  pass: boolean;
  /** `p(95) = 312ms`, `error-rate = 20% (2 of 10)`, `no successful samples`. */
  note: string;
}

export function isRateStatistic(statistic: SlaStatistic): boolean {
  return statistic.kind === 'error-rate' || statistic.kind === 'availability';
}

export function formatLatency(ms: number): string {
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  return `${+ms.toFixed(1)}ms`;
}

export function formatRate(x: number): string {
  return `${+(x * 100).toFixed(2)}%`;
}

function compare(actual: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
  }
}

function statisticName(s: SlaStatistic): string {
  return s.kind === 'quantile' ? `p(${s.q})` : s.kind;
}

export function evaluateSla(assertions: readonly SlaAssertion[], stats: SampleStats): SlaResult[] {
  return assertions.map((a) => {
    const name = statisticName(a.statistic);
    if (isRateStatistic(a.statistic)) {
      if (stats.samples === 0) return { line: a.line, pass: false, note: 'no samples' };
      const actual = a.statistic.kind === 'availability' ? 1 - stats.errorRate : stats.errorRate;
      const count = a.statistic.kind === 'availability' ? stats.succeeded : stats.failed;
      return {
        line: a.line,
        actual,
        pass: compare(actual, a.op, a.limit),
        note: `${name} = ${formatRate(actual)} (${count} of ${stats.samples})`,
      };
    }
    if (stats.sorted.length === 0) return { line: a.line, pass: false, note: 'no successful samples' };
    const s = stats.sorted;
    const actual =
      a.statistic.kind === 'quantile'
        ? quantile(s, a.statistic.q)
        : a.statistic.kind === 'med'
          ? quantile(s, 50)
          : a.statistic.kind === 'min'
            ? s[0]!
            : a.statistic.kind === 'max'
              ? s.at(-1)!
              : s.reduce((sum, x) => sum + x, 0) / s.length;
    return {
      line: a.line,
      actual,
      pass: compare(actual, a.op, a.limit),
      note: `${name} = ${formatLatency(actual)} over ${s.length} successful sample${s.length === 1 ? '' : 's'}`,
    };
  });
}

/** The error-rate limit the SLA sets, if it has an `error-rate`/`rate`/`availability` line (the strictest). */
export function slaErrorRateLimit(assertions: readonly SlaAssertion[]): number | undefined {
  let limit: number | undefined;
  for (const a of assertions) {
    let l: number | undefined;
    if (a.statistic.kind === 'error-rate' && (a.op === '<' || a.op === '<=')) l = a.limit;
    if (a.statistic.kind === 'availability' && (a.op === '>' || a.op === '>=')) l = 1 - a.limit;
    if (l !== undefined) limit = limit === undefined ? l : Math.min(limit, l);
  }
  return limit;
}
