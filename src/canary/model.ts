/**
 * The canary analysis model: what a metric is, what one look at it yields, and what a judge says about it.
 *
 * A metric is a `ratio` (failures out of requests, judged on the counts), a `quantile` of a histogram (a latency
 * percentile, judged on the counts of requests in its buckets) or a `value` (CPU, memory, anything else: one
 * number per interval and arm). Each look (interval) yields, per metric, this interval's counts, buckets or
 * values for canary and baseline, or the reason there are none.
 */
import type { Buckets } from './stats/histogram.js';
import type { Counts } from './stats/proportions.js';

export type Direction = 'increase' | 'decrease' | 'either';
export type MetricKind = 'ratio' | 'value' | 'quantile';

export interface MetricJudgement {
  name: string;
  kind: MetricKind;
  /** Which way is bad. */
  direction: Direction;
  /** Relative change that is not a failure (the effect-size floor), e.g. 0.1 for 10%. */
  allowedIncrease: number;
  /**
   * Ratio metrics: an absolute slack on the failure rate for promotion (0.005 = 0.5 percentage points).
   * Quantile metrics: the same on the share of requests slower than the allowed latency.
   */
  tolerance: number;
  /** Quantile metrics: which quantile (0.99 for p99). */
  quantile?: number;
  /** Hard limits on the canary's value, whatever the baseline does. */
  max?: number;
  min?: number;
  critical: boolean;
  weight: number;
  /** Unit of the metric's values, for display: `s` (shown as ms or s), or any label such as `MiB`. */
  unit?: string;
}

/** One interval's data for one metric. */
export type LookData =
  | { look: number; at: string; kind: 'ratio'; canary: Counts; baseline: Counts }
  | { look: number; at: string; kind: 'value'; canary: number; baseline: number }
  | { look: number; at: string; kind: 'histogram'; canary: Buckets; baseline: Buckets }
  | { look: number; at: string; kind: 'none'; problem: string };

export type LookStatus = 'pass' | 'fail' | 'no-data';
export type FinalStatus = 'pass' | 'fail' | 'no-data' | 'inconclusive';

export interface LookVerdict {
  status: LookStatus;
  /** Canary and baseline value (cumulative rate for ratio metrics; this interval's value for value metrics). */
  canary?: number;
  baseline?: number;
  /** Relative effect canary vs baseline (0.25 = 25% worse), cumulative. */
  effect?: number;
  /** Test statistic on the normal scale, and the boundary it had to reach to fail at this look. */
  statistic?: number;
  boundary?: number;
  /** Confidence that the canary is worse than allowed: 1 − p of the harm test at this look. */
  confidence?: number;
  note: string;
}

export interface FinalVerdict {
  status: FinalStatus;
  note: string;
  effect?: number;
  /** Upper confidence bound used for promotion (rate difference for ratios, relative change for values). */
  upperBound?: number;
  /** Inconclusive for lack of evidence: the traffic that would have decided (see `TrafficNeeded`). */
  needed?: TrafficNeeded;
}

/**
 * How much more traffic an inconclusive metric would have needed, from the test's own bounds: the smallest
 * growth of the run, at the rates and the canary/baseline split observed, that gives the promotion bound (or the
 * harm test, when the canary looks worse than the tolerance) an 80% chance to decide.
 */
export interface TrafficNeeded {
  /** The decision the extra traffic would most likely reach. */
  decision: 'promote' | 'rollback';
  /** More requests in each arm (ratio and quantile metrics). */
  canaryRequests?: number;
  baselineRequests?: number;
  /** More intervals at the traffic observed per interval. */
  intervals: number;
}

export interface JudgePlan {
  /** Planned number of looks. */
  looks: number;
  /** False-rollback bound for this metric (already split across metrics). */
  harmAlpha: number;
  /** False-promotion bound for this metric. */
  passAlpha: number;
  /** Fewer requests than this in an interval (either arm) make it no-data. */
  minRequests: number;
}

export interface Judge {
  readonly name: string;
  /** The verdict for the latest look, given every look so far (the last element is the latest). */
  judgeLook(metric: MetricJudgement, looks: readonly LookData[], plan: JudgePlan): LookVerdict;
  /** The verdict at the end of the run (or when it was stopped). */
  judgeFinal(
    metric: MetricJudgement,
    looks: readonly LookData[],
    verdicts: readonly LookVerdict[],
    plan: JudgePlan,
  ): FinalVerdict;
}
