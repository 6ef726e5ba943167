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
import { formatNumber, formatValue } from './display.js';
import type {
  FinalVerdict,
  Judge,
  JudgePlan,
  LookData,
  LookVerdict,
  MetricJudgement,
  TrafficNeeded,
} from './model.js';
import { normalCdf, normalQuantile } from './stats/distributions.js';
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
import {
  addCounts,
  designEffect,
  differenceUpperBound,
  effectiveCounts,
  harmZ,
  rate,
  type Counts,
} from './stats/proportions.js';

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
  // the bound comes from the baseline, the reference: read on both arms pooled, a canary slower as a whole
  // moves the pooled p99 into its own tail, to a bound above which neither arm has much, and is promoted
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

/**
 * Cumulative counts with their effective sample size: both arms' counts divided by the design effect estimated
 * from the intervals' own counts (see designEffect). Binomial data keep their counts. Used by the harm tests
 * (rollback), whose false-rollback bound is the gate's guarantee; the promotion bound keeps the binomial counts.
 */
export function effectiveCumulative(
  canary: Counts,
  baseline: Counts,
  intervals: readonly { canary: Counts; baseline: Counts }[],
): { canary: Counts; baseline: Counts; designEffect: { canary: number; baseline: number } } {
  const dc = designEffect(intervals);
  const db = dc;
  return {
    canary: effectiveCounts(canary, dc),
    baseline: effectiveCounts(baseline, db),
    designEffect: { canary: dc, baseline: db },
  };
}

/** Each ratio look's counts. */
function ratioIntervals(looks: readonly LookData[]): { canary: Counts; baseline: Counts }[] {
  return looks.flatMap((l) => (l.kind === 'ratio' ? [{ canary: l.canary, baseline: l.baseline }] : []));
}

/** Each histogram look's slow requests at a bound (above it, or at or below it when lower is worse). */
function slowIntervals(
  looks: readonly LookData[],
  bound: number,
  worseIsHigher: boolean,
): { canary: Counts; baseline: Counts }[] {
  const slow = (b: Buckets): Counts => {
    const total = histogramTotal(b);
    const atMost = b.get(bound) ?? countAtMost(b, bound);
    return { events: worseIsHigher ? total - atMost : atMost, total };
  };
  return looks.flatMap((l) =>
    l.kind === 'histogram' ? [{ canary: slow(l.canary), baseline: slow(l.baseline) }] : [],
  );
}

/** The quantile test's counts at the bound, with their effective sample size. */
function effectiveQuantile(
  reading: { canary: Counts; baseline: Counts; bound: number },
  looks: readonly LookData[],
  worseIsHigher: boolean,
) {
  return effectiveCumulative(
    reading.canary,
    reading.baseline,
    slowIntervals(looks, reading.bound, worseIsHigher),
  );
}

/** "; the intervals vary more than ...: counts weighed by a design effect of 3.2" when they were overdispersed. */
function dispersionNote(d: { canary: number; baseline: number }): string {
  if (d.canary <= 1) return '';
  return `; the intervals vary more than independent requests would (a stall delays many at once): counts weighed by a design effect of ${d.canary.toFixed(1)}`;
}

function relativeEffect(canary: number, baseline: number): number {
  if (canary === baseline) return 0;
  if (baseline === 0) return canary > 0 ? Infinity : -Infinity;
  return canary / baseline - 1;
}

/** A rate as a percentage: `1.20%`. */
function share(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : String(x);
}

/** A difference of rates in percentage points: `0.52 points`. */
function points(x: number): string {
  return `${(x * 100).toFixed(2)} points`;
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
  const f = (x: number) => (metric.kind === 'ratio' ? formatNumber(x) : formatValue(x, metric.unit));
  if (metric.max !== undefined && canaryValue > metric.max)
    return `canary ${f(canaryValue)} is above the limit ${f(metric.max)}`;
  if (metric.min !== undefined && canaryValue < metric.min)
    return `canary ${f(canaryValue)} is below the limit ${f(metric.min)}`;
  return undefined;
}

/** A look whose harm test did not reach its boundary: no evidence of harm yet, which is not a pass. */
function notSignificant(statistic: number, boundary: number): string {
  return `not significant: z ${statistic.toFixed(2)} < boundary ${boundary.toFixed(2)} (no harm shown yet; promotion is judged at the end)`;
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

/** The power asked of the extra traffic: an 80% chance that it decides. */
const DECIDE_POWER = 0.8;
const MAX_GROWTH = 1e6;

/** Smallest growth g ≥ 1 with decides(g) true (monotone), or undefined beyond MAX_GROWTH. */
function smallestGrowth(decides: (g: number) => boolean): number | undefined {
  if (!decides(MAX_GROWTH)) return undefined;
  let lo = 1;
  let hi = MAX_GROWTH;
  for (let i = 0; i < 80 && hi / lo > 1.001; i++) {
    const mid = Math.sqrt(lo * hi);
    if (decides(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Counts test (ratio metrics, and the slow-request shares of quantile metrics): how much more traffic, at the
 * rates observed, would give the promotion bound (or else the harm test) an 80% chance to decide. Growth g scales
 * both arms' counts; the promotion bound must then clear the tolerance by z₀.₈ standard errors, or the harm z
 * (which grows as √g) its last boundary by z₀.₈.
 */
export function countsNeeded(
  counts: { canary: Counts; baseline: Counts; designEffect?: { canary: number; baseline: number } },
  theta: number,
  tolerance: number,
  plan: JudgePlan,
  split: number,
  looksWithData: number,
  /** The harm test's counts (with their effective sample size, see effectiveCumulative). */
  harmCounts: { canary: Counts; baseline: Counts } = counts,
): TrafficNeeded | undefined {
  // the tests run on the effective counts; the traffic asked for is in requests
  const { canary, baseline } = counts;
  const d = counts.designEffect ?? { canary: 1, baseline: 1 };
  if (canary.total <= 0 || baseline.total <= 0 || looksWithData <= 0) return undefined;
  const zPower = normalQuantile(DECIDE_POWER);
  const scale = (c: Counts, g: number): Counts => ({ events: c.events * g, total: c.total * g });
  const p1 = rate(canary);
  const p0 = rate(baseline);
  const sd = (g: number) =>
    Math.sqrt((p1 * (1 - p1)) / (canary.total * g) + (theta * theta * p0 * (1 - p0)) / (baseline.total * g));
  const promoteAt = smallestGrowth(
    (g) =>
      tolerance - differenceUpperBound(scale(canary, g), scale(baseline, g), theta, plan.passAlpha) >=
      zPower * sd(g),
  );
  const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks).at(-1)!;
  const z = harmZ(harmCounts.canary, harmCounts.baseline, theta);
  const rollbackAt = z > 0 ? Math.max(1, ((boundary + zPower) / z) ** 2) : undefined;
  const options = [
    ...(promoteAt !== undefined ? [{ decision: 'promote' as const, g: promoteAt }] : []),
    ...(rollbackAt !== undefined && rollbackAt <= MAX_GROWTH
      ? [{ decision: 'rollback' as const, g: rollbackAt }]
      : []),
  ].sort((a, b) => a.g - b.g);
  const best = options[0];
  if (!best) return undefined;
  return {
    decision: best.decision,
    canaryRequests: Math.max(1, Math.ceil((best.g - 1) * canary.total * d.canary)),
    baselineRequests: Math.max(1, Math.ceil((best.g - 1) * baseline.total * d.baseline)),
    intervals: Math.max(1, Math.ceil((best.g - 1) * looksWithData)),
  };
}

/** The same for a value metric: more intervals for the t bound (or the harm t) to decide with 80% chance. */
function intervalsNeeded(
  summary: { n: number; mean: number; sd: number },
  margin: number,
  plan: JudgePlan,
  split: number,
): TrafficNeeded | undefined {
  if (summary.n < 3 || !(summary.sd > 0)) return undefined;
  const zPower = normalQuantile(DECIDE_POWER);
  const options: { decision: 'promote' | 'rollback'; n: number }[] = [];
  if (summary.mean < margin)
    options.push({
      decision: 'promote',
      n: (((normalQuantile(1 - plan.passAlpha) + zPower) * summary.sd) / (margin - summary.mean)) ** 2,
    });
  if (summary.mean > margin) {
    const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks).at(-1)!;
    options.push({
      decision: 'rollback',
      n: (((boundary + zPower) * summary.sd) / (summary.mean - margin)) ** 2,
    });
  }
  const best = options.sort((a, b) => a.n - b.n)[0];
  if (!best || !Number.isFinite(best.n)) return undefined;
  return { decision: best.decision, intervals: Math.max(1, Math.ceil(best.n - summary.n)) };
}

/** Intervals of a metric that had data (counted into the test). */
function looksWithData(looks: readonly LookData[]): number {
  return looks.filter((l) => l.kind !== 'none').length;
}

/** "about 12,400 more requests per arm (3 more intervals at the traffic observed) would decide ..." */
export function describeNeeded(needed: TrafficNeeded): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const requests =
    needed.canaryRequests !== undefined
      ? needed.canaryRequests === needed.baselineRequests
        ? `about ${n(needed.canaryRequests)} more requests per arm`
        : `about ${n(needed.canaryRequests)} more canary and ${n(needed.baselineRequests ?? 0)} more baseline requests`
      : '';
  const intervals = `${n(needed.intervals)} more interval${needed.intervals === 1 ? '' : 's'} at the traffic observed`;
  return `${requests ? `${requests} (${intervals})` : intervals} would decide with an 80% chance if the rates stay as observed (most likely ${needed.decision})`;
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
  let dispersion = { canary: 1, baseline: 1 };
  const { statistic, split } = harmStatistic(metric, (higher) => {
    const counts = higher ? up : quantileCounts(canary, baseline, q, false);
    if (!counts) return 0;
    const eff = effectiveQuantile(counts, looks, higher);
    if (higher === (metric.direction !== 'decrease')) dispersion = eff.designEffect;
    return harmZ(eff.canary, eff.baseline, 1 + metric.allowedIncrease);
  });
  const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks)[
    Math.min(looks.length, plan.looks) - 1
  ]!;
  if (up.canary.events === 0 && up.baseline.events === 0)
    return {
      ...base,
      boundary,
      note: `no request slower than ${formatValue(up.bound, metric.unit)} in either arm yet: nothing to test`,
    };
  const verdict: LookVerdict = { ...base, statistic, boundary, confidence: normalCdf(statistic) };
  if (statistic < boundary) return { ...verdict, note: notSignificant(statistic, boundary) };
  const slowShare = (c: Counts) => `${((100 * c.events) / Math.max(1, c.total)).toFixed(2)}%`;
  return {
    ...verdict,
    status: 'fail',
    note: `p${q * 100} canary ${formatValue(up.canaryQuantile, metric.unit)} vs baseline ${formatValue(up.baselineQuantile, metric.unit)}: ${slowShare(up.canary)} of canary requests slower than ${formatValue(up.bound, metric.unit)} against ${slowShare(up.baseline)} of the baseline's (allowed ${percent(metric.allowedIncrease)} more); z ${statistic.toFixed(2)} ≥ boundary ${boundary.toFixed(2)}${dispersionNote(dispersion)}`,
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
  const what = `p${q * 100} canary ${formatValue(reading!.canaryQuantile, metric.unit)} vs baseline ${formatValue(reading!.baselineQuantile, metric.unit)} (${percent(effect)})`;
  const pp = (x: number) => `${(x * 100).toFixed(2)}%`;
  if (upperBound < metric.tolerance) {
    return {
      status: 'pass',
      effect,
      upperBound,
      note: `${what}: at most ${pp(upperBound)} more requests slower than allowed (tolerance ${pp(metric.tolerance)})`,
    };
  }
  const up = quantileCounts(canary, baseline, q, metric.direction !== 'decrease');
  const needed = up
    ? countsNeeded(
        up,
        1 + metric.allowedIncrease,
        metric.tolerance,
        plan,
        metric.direction === 'either' ? 2 : 1,
        looksWithData(looks),
        effectiveQuantile(up, looks, metric.direction !== 'decrease'),
      )
    : undefined;
  return {
    status: 'inconclusive',
    effect,
    upperBound,
    needed,
    note: `${what}, but a share of requests slower than ${formatValue(reading!.bound, metric.unit)} up to ${pp(upperBound)} above the allowed share cannot be ruled out (tolerance ${pp(metric.tolerance)})${needed ? `; ${describeNeeded(needed)}` : ''}`,
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
      const eff = effectiveCumulative(canary, baseline, ratioIntervals(looks));
      const { statistic, split } = harmStatistic(metric, (up) =>
        up ? harmZ(eff.canary, eff.baseline, theta) : harmZ(eff.baseline, eff.canary, theta),
      );
      const boundary = plannedBoundaries(plan.harmAlpha / split, plan.looks)[Math.min(k, plan.looks) - 1]!;
      if (canary.events === 0 && baseline.events === 0) {
        // nothing to compare: no statistic and no "50% confidence of being worse"
        const none: LookVerdict = {
          ...base,
          boundary,
          note: 'no failures in either arm yet: nothing to test',
        };
        return breach ? { ...none, status: 'fail', note: breach } : none;
      }
      const verdict: LookVerdict = { ...base, statistic, boundary, confidence: normalCdf(statistic) };
      if (breach) return { ...verdict, status: 'fail', note: breach };
      if (statistic >= boundary) {
        return {
          ...verdict,
          status: 'fail',
          note: `canary ${share(rc)} vs baseline ${share(rb)} (${percent(base.effect!)}): z ${statistic.toFixed(2)} ≥ boundary ${boundary.toFixed(2)}${dispersionNote(eff.designEffect)}`,
        };
      }
      return { ...verdict, note: notSignificant(statistic, boundary) };
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
    return { ...verdict, note: notSignificant(statistic, boundary) };
  },

  judgeFinal(metric, looks, verdicts, plan) {
    const failed = verdicts.find((v) => v.status === 'fail');
    if (failed)
      return {
        status: 'fail',
        note: failed.note,
        effect: failed.effect,
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
      const eff = effectiveCumulative(canary, baseline, ratioIntervals(looks));
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
          note: `canary ${share(rate(canary))} vs baseline ${share(rate(baseline))}: at most ${points(upperBound)} above the allowed rate (tolerance ${points(limit)})`,
        };
      }
      const split = metric.direction === 'either' ? 2 : 1;
      const needed =
        metric.direction === 'decrease'
          ? countsNeeded(
              { canary: baseline, baseline: canary },
              theta,
              limit,
              plan,
              split,
              looksWithData(looks),
              {
                canary: eff.baseline,
                baseline: eff.canary,
              },
            )
          : countsNeeded({ canary, baseline }, theta, limit, plan, split, looksWithData(looks), eff);
      return {
        status: 'inconclusive',
        effect,
        upperBound,
        needed,
        note: `canary ${share(rate(canary))} vs baseline ${share(rate(baseline))}, not shown within the allowed rate: the canary may be up to ${points(upperBound)} above it (tolerance ${points(limit)}); ${needed ? describeNeeded(needed) : 'more traffic or a longer run would decide'}`,
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
    const needed = intervalsNeeded(
      metric.direction === 'decrease' ? { ...summary, mean: -summary.mean } : summary,
      Math.log(theta),
      plan,
      metric.direction === 'either' ? 2 : 1,
    );
    return {
      status: 'inconclusive',
      effect,
      upperBound,
      needed,
      note: `canary ${percent(effect)} vs baseline, but up to ${percent(upperBound)} cannot be ruled out (allowed ${percent(metric.allowedIncrease)})${needed ? `; ${describeNeeded(needed)}` : ''}`,
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
      : { status: 'pass', canary: value, note: `canary ${formatNumber(value)} within the limit` };
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
