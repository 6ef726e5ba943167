/**
 * Metric presets for the OpenClaw rating service (and any service exporting the same conventional metrics), so
 * the simplest use of canary-gate needs no PromQL:
 *
 * - `http-error-rate`: 5xx responses out of all responses (`http_requests_total{code}`), judged on the counts;
 *   critical; no increase allowed beyond chance; promotion needs the canary within 0.5 percentage points of the
 *   baseline.
 * - `http-latency-p99`: the 99th percentile of `http_request_duration_seconds`, per interval; critical; a 10%
 *   increase is allowed (the effect-size floor).
 *
 * `{{selector}}` is replaced by canary-selector or baseline-selector, `{{interval}}` by the interval (e.g. `30s`).
 */
import type { MetricJudgement } from './model.js';

export interface MetricQueries {
  /** value metrics */
  canaryQuery?: string;
  baselineQuery?: string;
  /** ratio metrics: failures and total, per arm */
  canaryFailures?: string;
  baselineFailures?: string;
  canaryTotal?: string;
  baselineTotal?: string;
}

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
  /** PromQL with {{selector}} and {{interval}} placeholders. */
  failures?: string;
  total?: string;
  query?: string;
  scrape: ScrapeSpec;
}

export const PRESETS: Record<string, PresetTemplate> = {
  'http-error-rate': {
    judgement: {
      kind: 'ratio',
      direction: 'increase',
      allowedIncrease: 0,
      tolerance: 0.005,
      critical: true,
      weight: 1,
    },
    failures: 'sum(increase(http_requests_total{ {{selector}}, code=~"5.." }[{{interval}}]))',
    total: 'sum(increase(http_requests_total{ {{selector}} }[{{interval}}]))',
    scrape: { kind: 'ratio', failures: 'http_requests_total{code=~"5.."}', total: 'http_requests_total' },
  },
  'http-latency-p99': {
    judgement: {
      kind: 'value',
      direction: 'increase',
      allowedIncrease: 0.1,
      tolerance: 0,
      critical: true,
      weight: 1,
    },
    query:
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{ {{selector}} }[{{interval}}])))',
    scrape: { kind: 'quantile', histogram: 'http_request_duration_seconds', quantile: 0.99 },
  },
};

export const DEFAULT_METRICS = ['http-error-rate', 'http-latency-p99'];
