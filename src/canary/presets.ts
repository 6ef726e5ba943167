/**
 * Metric presets for the OpenClaw rating service (and any service exporting the same conventional metrics), so
 * the simplest use of canary-gate needs no PromQL:
 *
 * - `http-error-rate`: 5xx responses out of all responses (`http_requests_total{code}`), judged on the counts;
 *   critical; no increase allowed beyond chance; promotion needs the canary within 0.5 percentage points of the
 *   baseline.
 * - `http-latency-p99`: the 99th percentile of `http_request_duration_seconds`, judged on exact counts from its
 *   buckets: the requests slower than the bucket bound at or just above the baseline's p99 are the slow ones; the
 *   canary fails when its share of slow requests is significantly more than 10% above the baseline's; critical;
 *   promotion needs the canary's share shown at most 0.5 percentage points above that.
 *
 * `{{selector}}` is replaced by canary-selector or baseline-selector, `{{interval}}` by the interval (e.g. `30s`).
 */
import type { MetricJudgement } from './model.js';

/** The queries of a metric, by its kind (always the metric's own `kind`), one per arm and part. */
export type MetricQueries =
  | {
      kind: 'ratio';
      /** failures and total per arm */
      canaryFailures: string;
      baselineFailures: string;
      canaryTotal: string;
      baselineTotal: string;
    }
  | {
      kind: 'quantile';
      /** histogram buckets by `le`, per arm */ canaryHistogram: string;
      baselineHistogram: string;
    }
  | { kind: 'value'; canaryQuery: string; baselineQuery: string };

export interface MetricDefinition extends MetricJudgement {
  queries: MetricQueries;
  /** For the scrape provider: how to compute the metric from exposition text. */
  scrape?: ScrapeSpec;
}

export type ScrapeSpec =
  | { kind: 'ratio'; failures: string; total: string }
  | { kind: 'quantile'; histogram: string; quantile: number; matchers?: string };

export interface PresetTemplate {
  judgement: Omit<MetricJudgement, 'name'>;
  /** PromQL with {{selector}} and {{interval}} placeholders, the same for both arms. */
  queries: PresetQueries;
  scrape: ScrapeSpec;
}

export type PresetQueries =
  | { kind: 'ratio'; failures: string; total: string }
  | { kind: 'quantile'; histogram: string }
  | { kind: 'value'; query: string };

/**
 * How a ratio metric (e.g. an error rate) is judged unless its definition says otherwise: any increase is harm,
 * and a canary within half a percentage point of its baseline passes.
 */
export const RATIO_JUDGEMENT = {
  kind: 'ratio',
  direction: 'increase',
  allowedIncrease: 0,
  tolerance: 0.005,
  critical: true,
  weight: 1,
} as const satisfies Omit<MetricJudgement, 'name'>;

/**
 * How a quantile metric (a latency percentile, judged on the share of requests above the baseline's quantile)
 * is judged unless its definition says otherwise: up to 10% more such requests is allowed, and the pass
 * tolerance is half the share the quantile leaves above it.
 */
export function quantileJudgement(quantile: number): Omit<MetricJudgement, 'name'> {
  return {
    kind: 'quantile',
    quantile,
    direction: 'increase',
    allowedIncrease: 0.1,
    tolerance: (1 - quantile) / 2,
    critical: true,
    weight: 1,
  };
}

export const PRESETS: Record<string, PresetTemplate> = {
  'http-error-rate': {
    judgement: RATIO_JUDGEMENT,
    queries: {
      kind: 'ratio',
      failures: 'sum(increase(http_requests_total{ {{selector}}, code=~"5.." }[{{interval}}]))',
      total: 'sum(increase(http_requests_total{ {{selector}} }[{{interval}}]))',
    },
    scrape: { kind: 'ratio', failures: 'http_requests_total{code=~"5.."}', total: 'http_requests_total' },
  },
  'http-latency-p99': {
    judgement: { ...quantileJudgement(0.99), unit: 's' },
    queries: {
      kind: 'quantile',
      histogram: 'sum by (le) (increase(http_request_duration_seconds_bucket{ {{selector}} }[{{interval}}]))',
    },
    scrape: { kind: 'quantile', histogram: 'http_request_duration_seconds', quantile: 0.99 },
  },
};

export const DEFAULT_METRICS = ['http-error-rate', 'http-latency-p99'];
