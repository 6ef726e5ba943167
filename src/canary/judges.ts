/**
 * The judges. `sequential` (the default) is the statistical one; `threshold` is the Argo Rollouts / Flagger
 * style (a fixed limit on each measurement); `mann-whitney` is Kayenta's test. See actions/canary-gate/README.md
 * for the statistics and their references.
 *
 * sequential, ratio metrics: at look k, the Farrington-Manning score z of the cumulative counts for
 *   H0: p_canary ≤ (1 + allowed increase)·p_baseline is compared with the k-th boundary of a group-sequential
 *   design with O'Brien-Fleming-type alpha spending over the planned looks: the false-rollback rate stays at
 *   the metric's share of 1 − confidence however many looks are taken. Promotion needs the MOVER-Wilson upper
 *   bound of p_canary − (1 + allowed)·p_baseline below the tolerance.
 * sequential, value metrics: the paired log-ratios ln(canary / baseline) of the intervals, a t statistic on
 *   their mean against ln(1 + allowed increase) (the effect-size floor), mapped to the normal scale and compared
 *   with the same boundaries; promotion needs the upper t bound of the mean below the floor.
 * Too little traffic, an empty result or NaN is no-data, never pass.
 */
import type { FinalVerdict, Judge, JudgePlan, LookData, LookVerdict, MetricJudgement } from './model.js';
import { normalCdf } from './stats/distributions.js';
import { plannedBoundaries } from './stats/group-sequential.js';
import { harmZFromT, meanUpperBound, summarise } from './stats/continuous.js';
import { mannWhitney } from './stats/mann-whitney.js';
import {
  addBuckets,
  countAbove,
  histogramQuantile,
  histogramTotal,
  type Buckets,
} from './stats/histogram.js';
import { addCounts, differenceUpperBound, harmZ, rate, type Counts } from './stats/proportions.js';

const ZERO: Counts = { events: 0, total: 0 };

/** Counts of the ratio looks added up. */
export function cumulative(looks: readonly LookData[]): { canary: Counts; baseline: Counts } {
  let canary = ZERO;
  let baseline = ZERO;
  for (const look of looks) {
    if (look.kind !== 'ratio') continue;
    canary = addCounts(canary, look.canary);
    baseline = addCounts(baseline, look.baseline);
  }
  return { canary, baseline };
}

/** Histogram looks' buckets added up. */
export function cumulativeBuckets(looks: readonly LookData[]): { canary: Buckets; baseline: Buckets } {
  let canary: Buckets = new Map();
  let baseline: Buckets = new Map();
  for (const look of looks) {
    if (look.kind !== 'histogram') continue;
    canary = addBuckets(canary, look.canary);
    baseline = addBuckets(baseline, look.baseline);
  }
  return { canary, baseline };
}

/**
 * The quantile test's counts, exact counts read at a bucket bound (no interpolation inside a bucket, which with
 * the usual coarse buckets hides even a 50% slowdown). The bound is the one at or just above the baseline's
 * q-quantile; the slow requests of each arm are those above it (for `worseIsHigher`; for a metric where lower is
 * worse, those at or below the bound at or just under the baseline's (1 − q)-quantile). Undefined when there is
 * no such finite bound or no observations. The quantiles themselves (interpolated, as histogram_quantile does)
 * are returned for display.
 */
export function quantileCounts(
  canary: Buckets,
  baseline: Buckets,
  q: number,
  worseIsHigher: boolean,
):
  | { canary: Counts; baseline: Counts; bound: number; canaryQuantile: number; baselineQuantile: number }
  | undefined {
  const qb = histogramQuantile(q, baseline);
  const qc = histogramQuantile(q, canary);
  if (Number.isNaN(qb) || Number.isNaN(qc)) return undefined;
  const nc = histogramTotal(canary);
  const nb = histogramTotal(baseline);
  const bounds = [...baseline.keys()].filter((le) => Number.isFinite(le)).sort((x, y) => x - y);
  const cum = (b: Buckets, le: number) => b.get(le) ?? countAtMost(b, le);
  if (worseIsHigher) {
    const bound = bounds.find((le) => cum(baseline, le) >= q * nb);
    if (bound === undefined) return undefined;
    return {
      canary: { events: nc - cum(canary, bound), total: nc },
      baseline: { events: nb - cum(baseline, bound), total: nb },
      bound,
      canaryQuantile: qc,
      baselineQuantile: qb,
    };
  }
  const below = bounds.filter((le) => cum(baseline, le) <= (1 - q) * nb);
  const bound = below.at(-1);
  if (bound === undefined) return undefined;
  return {
    canary: { events: cum(canary, bound), total: nc },
    baseline: { events: cum(baseline, bound), total: nb },
    bound,
    canaryQuantile: qc,
    baselineQuantile: qb,
  };
}

/** Observations at or below `le` when the canary's buckets do not have that bound (different layouts). */
function countAtMost(buckets: Buckets, le: number): number {
  return histogramTotal(buckets) - countAbove(buckets, le);
}

function relativeEffect(canary: number, baseline: number): number {
  if (canary === baseline) return 0;
  if (baseline === 0) return canary > 0 ? Infinity : -Infinity;
  return canary / baseline - 1;
}

function percent(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞%' : '−∞%';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;
}

/** Why the latest look has no usable data, or undefined when it has. */
function latestProblem(metric: MetricJudgement, latest: LookData, plan: JudgePlan): string | undefined {
  if (latest.kind === 'none') return latest.problem;
  if (latest.kind === 'ratio') {
    if (latest.canary.total < plan.minRequests || latest.baseline.total < plan.minRequests) {
      return `too little traffic: ${latest.canary.total} canary and ${latest.baseline.total} baseline requests (min-requests ${plan.minRequests})`;
    }
    return undefined;
  }
  if (latest.kind === 'histogram') {
    const c = histogramTotal(latest.canary);
    const b = histogramTotal(latest.baseline);
    if (c < plan.minRequests || b < plan.minRequests) {
      return `too little traffic: ${Math.round(c)} canary and ${Math.round(b)} baseline requests (min-requests ${plan.minRequests})`;
    }
    return undefined;
  }
  if (!Number.isFinite(latest.canary) || !Number.isFinite(latest.baseline)) {
    return `not a number (canary ${latest.canary}, baseline ${latest.baseline})`;
  }
  if (metric.kind === 'value' && (latest.canary < 0 || latest.baseline < 0)) return 'negative value';
  return undefined;
}

/** Paired log-ratios of the value looks; a look where exactly one side is 0 is skipped. */
function logRatios(looks: readonly LookData[]): number[] {
  const d: number[] = [];
  for (const look of looks) {
    if (look.kind !== 'value' || !Number.isFinite(look.canary) || !Number.isFinite(look.baseline)) continue;
    if (look.canary < 0 || look.baseline < 0) continue;
    if (look.canary === 0 && look.baseline === 0) d.push(0);
    else if (look.canary > 0 && look.baseline > 0) d.push(Math.log(look.canary / look.baseline));
  }
  return d;
}

function valueMean(looks: readonly LookData[]): { canary: number; baseline: number } {
  let c = 0;
  let b = 0;
  let n = 0;
  for (const look of looks) {
    if (look.kind !== 'value' || !Number.isFinite(look.canary) || !Number.isFinite(look.baseline)) continue;
    c += look.canary;
    b += look.baseline;
    n++;
  }
  return n ? { canary: c / n, baseline: b / n } : { canary: NaN, baseline: NaN };
}

function limitBreach(metric: MetricJudgement, canaryValue: number): string | undefined {
  if (metric.max !== undefined && canaryValue > metric.max)
    return `canary ${format(canaryValue)} is above the limit ${format(metric.max)}`;
  if (metric.min !== undefined && canaryValue < metric.min)
    return `canary ${format(canaryValue)} is below the limit ${format(metric.min)}`;
  return undefined;
}

export function format(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 0.001) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

/** The harm statistic for a direction, and the alpha its boundaries use (halved for `either`). */
function harmStatistic(
  metric: MetricJudgement,
  z: (worseIsHigher: boolean) => number,
): { statistic: number; split: number } {
  if (metric.direction === 'increase') return { statistic: z(true), split: 1 };
  if (metric.direction === 'decrease') return { statistic: z(false), split: 1 };
  return { statistic: Math.max(z(true), z(false)), split: 2 };
}

/** Sequential judge, quantile metrics: the quantile test on the cumulative buckets (see quantileCounts). */
function judgeQuantileLook(
  metric: MetricJudgement,
  looks: readonly LookData[],
  plan: JudgePlan,
  problem: string | undefined,
): LookVerdict {
  const q = metric.quantile ?? 0.99;
  const { canary, baseline } = cumulativeBuckets(looks);
  const up = quantileCounts(canary, baseline, q, true);
  const base: LookVerdict = {
    status: 'pass',
    ...(up
      ? {
          canary: up.canaryQuantile,
          baseline: up.baselineQuantile,
          effect: relativeEffect(up.canaryQuantile, up.baselineQuantile),
        }
      : {}),
    note: '',
  };
  if (problem) return { ...base, status: 'no-data', note: problem };
  if (!up)
    return {
      ...base,
      status: 'no-data',
      note: `the baseline's p${q * 100} is beyond the histogram's highest bucket, or there are no observations`,
    };
  const breach = limitBreach(metric, up.canaryQuantile);
  if (breach) return { ...base, status: 'fail', note: breach };
  const { statistic, split } = harmStatistic(metric, (higher) => {
    const counts = higher ? up : quantileCounts(canary, baseline, q, false);
    return counts ? harmZ(counts.canary, counts.baseline, 1 + metric.allowedIncrease) : 0;
  });
  const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks)[
    Math.min(looks.length, plan.looks) - 1
  ]!;
  const verdict: LookVerdict = { ...base, statistic, boundary, confidence: normalCdf(statistic) };
  if (statistic < boundary)
    return { ...verdict, note: `z ${statistic.toFixed(2)} < boundary ${boundary.toFixed(2)}` };
  const share = (c: Counts) => `${((100 * c.events) / Math.max(1, c.total)).toFixed(2)}%`;
  return {
    ...verdict,
    status: 'fail',
    note: `p${q * 100} canary ${format(up.canaryQuantile)} vs baseline ${format(up.baselineQuantile)}: ${share(up.canary)} of canary requests slower than ${format(up.bound)} against ${share(up.baseline)} of the baseline's (allowed ${percent(metric.allowedIncrease)} more); z ${statistic.toFixed(2)} ≥ boundary ${boundary.toFixed(2)}`,
  };
}

function judgeQuantileFinal(
  metric: MetricJudgement,
  looks: readonly LookData[],
  plan: JudgePlan,
): FinalVerdict {
  const q = metric.quantile ?? 0.99;
  const { canary, baseline } = cumulativeBuckets(looks);
  const nc = histogramTotal(canary);
  const nb = histogramTotal(baseline);
  if (nc < plan.minRequests || nb < plan.minRequests) {
    return {
      status: 'no-data',
      note: `too little traffic in the whole run: ${Math.round(nc)} canary and ${Math.round(nb)} baseline requests`,
    };
  }
  const bounds: number[] = [];
  let reading: ReturnType<typeof quantileCounts>;
  for (const higher of metric.direction === 'either' ? [true, false] : [metric.direction === 'increase']) {
    reading = quantileCounts(canary, baseline, q, higher);
    if (!reading)
      return {
        status: 'no-data',
        note: `the baseline's p${q * 100} is beyond the histogram's highest bucket, or there are no observations`,
      };
    bounds.push(
      differenceUpperBound(reading.canary, reading.baseline, 1 + metric.allowedIncrease, plan.passAlpha),
    );
  }
  const effect = relativeEffect(reading!.canaryQuantile, reading!.baselineQuantile);
  const upperBound = Math.max(...bounds);
  const what = `p${q * 100} canary ${format(reading!.canaryQuantile)} vs baseline ${format(reading!.baselineQuantile)} (${percent(effect)})`;
  const pp = (x: number) => `${(x * 100).toFixed(2)}%`;
  if (upperBound < metric.tolerance) {
    return {
      status: 'pass',
      effect,
      upperBound,
      note: `${what}: at most ${pp(upperBound)} more requests slower than allowed (tolerance ${pp(metric.tolerance)})`,
    };
  }
  return {
    status: 'inconclusive',
    effect,
    upperBound,
    note: `${what}, but a share of requests slower than ${format(reading!.bound)} up to ${pp(upperBound)} above the allowed share cannot be ruled out (tolerance ${pp(metric.tolerance)})`,
  };
}

export const sequentialJudge: Judge = {
  name: 'sequential',

  judgeLook(metric, looks, plan) {
    const k = looks.length;
    const latest = looks[k - 1]!;
    const problem = latestProblem(metric, latest, plan);
    const theta = 1 + metric.allowedIncrease;
    if (metric.kind === 'ratio') {
      const { canary, baseline } = cumulative(looks);
      const rc = rate(canary);
      const rb = rate(baseline);
      const base: LookVerdict = {
        status: 'pass',
        canary: rc,
        baseline: rb,
        effect: relativeEffect(rc, rb),
        note: '',
      };
      if (problem) return { ...base, status: 'no-data', note: problem };
      const breach = canary.total >= plan.minRequests ? limitBreach(metric, rc) : undefined;
      const { statistic, split } = harmStatistic(metric, (up) =>
        up ? harmZ(canary, baseline, theta) : harmZ(baseline, canary, theta),
      );
      const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks)[Math.min(k, plan.looks) - 1]!;
      const verdict: LookVerdict = { ...base, statistic, boundary, confidence: normalCdf(statistic) };
      if (breach) return { ...verdict, status: 'fail', note: breach };
      if (statistic >= boundary) {
        return {
          ...verdict,
          status: 'fail',
          note: `canary ${format(rc)} vs baseline ${format(rb)} (${percent(base.effect!)}): z ${statistic.toFixed(2)} ≥ boundary ${boundary.toFixed(2)}`,
        };
      }
      return { ...verdict, note: `z ${statistic.toFixed(2)} < boundary ${boundary.toFixed(2)}` };
    }
    if (metric.kind === 'quantile') return judgeQuantileLook(metric, looks, plan, problem);
    const values =
      latest.kind === 'value'
        ? { canary: latest.canary, baseline: latest.baseline }
        : { canary: NaN, baseline: NaN };
    const d = logRatios(looks);
    const summary = summarise(d);
    const effect = summary.n ? Math.exp(summary.mean) - 1 : NaN;
    const base: LookVerdict = {
      status: 'pass',
      canary: values.canary,
      baseline: values.baseline,
      effect,
      note: '',
    };
    if (problem) return { ...base, status: 'no-data', note: problem };
    const breach = limitBreach(metric, valueMean(looks).canary);
    if (breach) return { ...base, status: 'fail', note: `${breach} (mean of the intervals)` };
    if (summary.n < 3)
      return {
        ...base,
        note: `not tested yet: ${summary.n} interval${summary.n === 1 ? '' : 's'} with values, the test needs 3`,
      };
    const margin = Math.log(theta);
    const { statistic, split } = harmStatistic(metric, (up) =>
      harmZFromT(up ? summary : { ...summary, mean: -summary.mean }, margin),
    );
    const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks)[Math.min(k, plan.looks) - 1]!;
    const verdict: LookVerdict = { ...base, statistic, boundary, confidence: normalCdf(statistic) };
    if (statistic >= boundary) {
      return {
        ...verdict,
        status: 'fail',
        note: `canary ${percent(effect)} vs baseline over ${summary.n} intervals (allowed ${percent(metric.allowedIncrease)}): z ${statistic.toFixed(2)} ≥ boundary ${boundary.toFixed(2)}`,
      };
    }
    return { ...verdict, note: `z ${statistic.toFixed(2)} < boundary ${boundary.toFixed(2)}` };
  },

  judgeFinal(metric, looks, verdicts, plan) {
    const failed = verdicts.find((v) => v.status === 'fail');
    if (failed)
      return {
        status: 'fail',
        note: failed.note,
        ...(failed.effect !== undefined ? { effect: failed.effect } : {}),
      };
    const theta = 1 + metric.allowedIncrease;
    if (metric.kind === 'ratio') {
      const { canary, baseline } = cumulative(looks);
      if (canary.total < plan.minRequests || baseline.total < plan.minRequests) {
        return {
          status: 'no-data',
          note: `too little traffic in the whole run: ${canary.total} canary and ${baseline.total} baseline requests`,
        };
      }
      const effect = relativeEffect(rate(canary), rate(baseline));
      const bounds: number[] = [];
      if (metric.direction !== 'decrease')
        bounds.push(differenceUpperBound(canary, baseline, theta, plan.passAlpha));
      if (metric.direction !== 'increase')
        bounds.push(differenceUpperBound(baseline, canary, theta, plan.passAlpha));
      const upperBound = Math.max(...bounds);
      const limit = metric.tolerance;
      if (upperBound < limit) {
        return {
          status: 'pass',
          effect,
          upperBound,
          note: `canary ${format(rate(canary))} vs baseline ${format(rate(baseline))}: at most ${format(upperBound)} above the allowed rate (tolerance ${format(limit)})`,
        };
      }
      return {
        status: 'inconclusive',
        effect,
        upperBound,
        note: `not shown within the allowed rate: the canary may be up to ${format(upperBound)} above it (tolerance ${format(limit)}); more traffic or a longer run would decide`,
      };
    }
    if (metric.kind === 'quantile') return judgeQuantileFinal(metric, looks, plan);
    const d = logRatios(looks);
    const summary = summarise(d);
    if (summary.n < 3)
      return {
        status: 'no-data',
        note: `only ${summary.n} interval${summary.n === 1 ? '' : 's'} with values (3 needed)`,
      };
    const effect = Math.exp(summary.mean) - 1;
    const bounds: number[] = [];
    if (metric.direction !== 'decrease') bounds.push(meanUpperBound(summary, plan.passAlpha));
    if (metric.direction !== 'increase')
      bounds.push(meanUpperBound({ ...summary, mean: -summary.mean }, plan.passAlpha));
    const upperBound = Math.exp(Math.max(...bounds)) - 1;
    if (upperBound < metric.allowedIncrease) {
      return {
        status: 'pass',
        effect,
        upperBound,
        note: `canary ${percent(effect)} vs baseline, at most ${percent(upperBound)} (allowed ${percent(metric.allowedIncrease)})`,
      };
    }
    return {
      status: 'inconclusive',
      effect,
      upperBound,
      note: `canary ${percent(effect)} vs baseline, but up to ${percent(upperBound)} cannot be ruled out (allowed ${percent(metric.allowedIncrease)})`,
    };
  },
};

/** Argo Rollouts / Flagger style: each interval's canary value against the metric's max/min. */
export const thresholdJudge: Judge = {
  name: 'threshold',

  judgeLook(metric, looks, plan) {
    const latest = looks[looks.length - 1]!;
    const problem = latestProblem(metric, latest, plan);
    if (problem) return { status: 'no-data', note: problem };
    const value =
      latest.kind === 'ratio'
        ? rate(latest.canary)
        : latest.kind === 'value'
          ? latest.canary
          : latest.kind === 'histogram'
            ? histogramQuantile(metric.quantile ?? 0.99, latest.canary)
            : NaN;
    const breach = limitBreach(metric, value);
    return breach
      ? { status: 'fail', canary: value, note: breach }
      : { status: 'pass', canary: value, note: `canary ${format(value)} within the limit` };
  },

  judgeFinal(_metric, _looks, verdicts) {
    const failed = verdicts.find((v) => v.status === 'fail');
    if (failed) return { status: 'fail', note: failed.note };
    if (!verdicts.some((v) => v.status === 'pass'))
      return { status: 'no-data', note: 'no interval had data' };
    return { status: 'pass', note: 'every interval with data was within the limit' };
  },
};

/** Kayenta style: a Mann-Whitney U test (98%) of the per-interval values, at every look. */
export const mannWhitneyJudge: Judge = {
  name: 'mann-whitney',

  judgeLook(metric, looks, plan) {
    const latest = looks[looks.length - 1]!;
    const problem = latestProblem(metric, latest, plan);
    if (problem) return { status: 'no-data', note: problem };
    const canary: number[] = [];
    const baseline: number[] = [];
    for (const look of looks) {
      if (look.kind === 'ratio' && look.canary.total > 0 && look.baseline.total > 0) {
        canary.push(rate(look.canary));
        baseline.push(rate(look.baseline));
      } else if (look.kind === 'value' && Number.isFinite(look.canary) && Number.isFinite(look.baseline)) {
        canary.push(look.canary);
        baseline.push(look.baseline);
      } else if (look.kind === 'histogram') {
        const c = histogramQuantile(metric.quantile ?? 0.99, look.canary);
        const b = histogramQuantile(metric.quantile ?? 0.99, look.baseline);
        if (!Number.isNaN(c) && !Number.isNaN(b)) {
          canary.push(c);
          baseline.push(b);
        }
      }
    }
    const result = mannWhitney(canary, baseline);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const effect = relativeEffect(mean(canary), mean(baseline));
    const worse =
      metric.direction === 'either'
        ? result.direction !== 0
        : metric.direction === 'increase'
          ? result.direction > 0
          : result.direction < 0;
    if (result.p < 0.02 && worse && Math.abs(effect) > metric.allowedIncrease) {
      return {
        status: 'fail',
        effect,
        statistic: result.z,
        confidence: 1 - result.p,
        note: `Mann-Whitney p ${result.p.toFixed(4)} < 0.02, effect ${percent(effect)}`,
      };
    }
    return {
      status: 'pass',
      effect,
      statistic: result.z,
      confidence: 1 - result.p,
      note: `Mann-Whitney p ${result.p.toFixed(4)}`,
    };
  },

  judgeFinal: thresholdJudge.judgeFinal,
};

export const JUDGES: Record<string, Judge> = {
  sequential: sequentialJudge,
  threshold: thresholdJudge,
  'mann-whitney': mannWhitneyJudge,
};
