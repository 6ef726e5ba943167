/**
 * `npm run bench:canary`: the canary judges on the same simulated scenarios with the same seeds.
 *
 * Judges: this project's `sequential` judge (group-sequential, counts for error rates, t for latency); a fixed
 * threshold (Argo Rollouts style: the canary's error rate and histogram p99 under a limit on every interval, the
 * limits calibrated as a user would from what the baseline shows: twice its error rate, and 10% above the
 * largest p99 that `histogram_quantile` gives the baseline in 95% of intervals); a per-interval Mann-Whitney
 * test at 98% (Kayenta style); a plain mixture SPRT (always-valid, error rate only). Beside them, the power of a
 * fixed-horizon test that knows the sample size in advance and looks once, at the end: the limit a sequential
 * judge can approach.
 *
 * Scenarios (10 intervals, 1% baseline error rate, lognormal latency with a 160 ms p99): A/A; error rate ×1.5,
 * ×2, ×5; latency +10%, +50%; at normal traffic (1,000 requests per interval per arm) and low (50).
 * Printed per judge: rollback rate (false rollbacks in A/A, detections otherwise), promote and inconclusive
 * rates, mean intervals to a rollback; and the sequential judge's detection as a share of the fixed-horizon
 * power, its A/A promote and inconclusive rates beside the rollback rate, and at low traffic the additional
 * traffic its inconclusive runs asked for (median more requests per arm and more intervals).
 */
import { fileURLToPath } from 'node:url';
import {
  cumulative,
  cumulativeBuckets,
  mannWhitneyJudge,
  quantileCounts,
  sequentialJudge,
  thresholdJudge,
} from '../src/canary/judges.js';
import type { Judge, LookData, MetricJudgement } from '../src/canary/model.js';
import { normalQuantile } from '../src/canary/stats/distributions.js';
import { histogramQuantile } from '../src/canary/stats/histogram.js';
import { msprtLikelihoodRatio } from '../src/canary/stats/msprt.js';
import { harmZ } from '../src/canary/stats/proportions.js';
import {
  ERROR_RATE,
  LATENCY,
  presetJudgements,
  runSimulated,
  simulateLooks,
  type Scenario,
} from '../test/support/canary-simulation.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 1000);
const LOOKS = 10;
const CONFIDENCE = 0.99;

const msprtJudge: Judge = {
  name: 'mixture SPRT',
  judgeLook(metric, looks, plan) {
    if (metric.kind !== 'ratio') return { status: 'pass', note: 'the mSPRT here judges counts only' };
    const { canary, baseline } = cumulative(looks);
    const lr = msprtLikelihoodRatio(canary, baseline, 1 + metric.allowedIncrease, 0.01);
    return lr >= 1 / plan.harmAlpha
      ? { status: 'fail', note: `Λ ${lr.toFixed(1)}` }
      : { status: 'pass', note: `Λ ${lr.toFixed(1)}` };
  },
  judgeFinal: thresholdJudge.judgeFinal,
};

/**
 * The p99 limit a user would set from a dashboard of the baseline: 10% above the 95th percentile of the
 * per-interval p99 that histogram_quantile reports for it at normal traffic (seeds apart from the scenarios').
 */
function calibratedP99Limit(): number {
  const aa: Scenario = {
    name: 'calibration',
    requestsPerInterval: 1000,
    baselineErrorRate: 0.01,
    errorMultiplier: 1,
    latencyMultiplier: 1,
    looks: LOOKS,
  };
  const p99s: number[] = [];
  for (let run = 0; run < 200; run++) {
    for (const look of simulateLooks(aa, 7_777_777 + run)) {
      const latency = look.get(LATENCY);
      if (latency?.kind === 'histogram') p99s.push(histogramQuantile(0.99, latency.baseline));
    }
  }
  p99s.sort((a, b) => a - b);
  return p99s[Math.floor(0.95 * (p99s.length - 1))]! * 1.1;
}

interface Row {
  judge: string;
  rollback: number;
  promote: number;
  inconclusive: number;
  meanLooks: number;
  /** Inconclusive runs that said how much more traffic would decide: more requests per arm, more intervals. */
  asked: { requests: number; intervals: number }[];
}

function fixedHorizonPower(
  scenario: Scenario,
  data: Map<string, LookData>[][],
  metrics: MetricJudgement[],
): number {
  const alpha = (1 - CONFIDENCE) / metrics.length;
  const crit = normalQuantile(1 - alpha);
  let rejections = 0;
  for (const looks of data) {
    let reject = false;
    if (scenario.errorMultiplier !== 1 || scenario.latencyMultiplier === 1) {
      const { canary, baseline } = cumulative(looks.map((l) => l.get(ERROR_RATE)!));
      reject ||= harmZ(canary, baseline, 1 + metrics[0]!.allowedIncrease) >= crit;
    }
    if (scenario.latencyMultiplier !== 1 || scenario.errorMultiplier === 1) {
      const latency = metrics[1]!;
      const { canary, baseline } = cumulativeBuckets(looks.map((l) => l.get(LATENCY)!));
      const counts = quantileCounts(canary, baseline, latency.quantile ?? 0.99, true);
      reject ||=
        counts !== undefined && harmZ(counts.canary, counts.baseline, 1 + latency.allowedIncrease) >= crit;
    }
    if (reject) rejections++;
  }
  return rejections / data.length;
}

function evaluate(
  scenario: Scenario,
  data: Map<string, LookData>[][],
  judge: Judge,
  metrics: MetricJudgement[],
): Row {
  let rollback = 0;
  let promote = 0;
  let inconclusive = 0;
  let looksToRollback = 0;
  const asked: Row['asked'] = [];
  for (const looks of data) {
    const result = runSimulated(scenario, looks, { judge, metrics, confidence: CONFIDENCE });
    if (result.needed)
      asked.push({
        requests: Math.max(result.needed.canaryRequests ?? 0, result.needed.baselineRequests ?? 0),
        intervals: result.needed.intervals,
      });
    if (result.decision === 'rollback') {
      rollback++;
      looksToRollback += result.looksTaken;
    } else if (result.decision === 'promote') promote++;
    else inconclusive++;
  }
  return {
    judge: judge.name,
    rollback: rollback / data.length,
    promote: promote / data.length,
    inconclusive: inconclusive / data.length,
    meanLooks: rollback ? looksToRollback / rollback : NaN,
    asked,
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : NaN;
};

/** "asked for 6,100 more requests per arm (122 more intervals), median of 740 inconclusive runs" */
function askedText(row: Row): string {
  if (!row.asked.length) return '';
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `   asked for ${n(median(row.asked.map((a) => a.requests)))} more requests per arm (${n(median(row.asked.map((a) => a.intervals)))} more intervals), median of ${row.asked.length} inconclusive runs`;
}

const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)}%`;

function main(): void {
  const started = performance.now();
  console.log(
    `canary judges on simulated runs: ${RUNS} runs per scenario, ${LOOKS} intervals, confidence ${CONFIDENCE}, same seeds for every judge`,
  );
  const scenarios: Scenario[] = [];
  for (const [traffic, requests] of [
    ['normal', 1000],
    ['low', 50],
  ] as const) {
    for (const [name, err, lat] of [
      ['A/A', 1, 1],
      ['error rate x1.5', 1.5, 1],
      ['error rate x2', 2, 1],
      ['error rate x5', 5, 1],
      ['latency +10%', 1, 1.1],
      ['latency +50%', 1, 1.5],
    ] as const) {
      scenarios.push({
        name: `${name} @ ${traffic} (${requests}/interval)`,
        requestsPerInterval: requests,
        baselineErrorRate: 0.01,
        errorMultiplier: err,
        latencyMultiplier: lat,
        looks: LOOKS,
      });
    }
  }
  const presets = presetJudgements();
  const p99Limit = calibratedP99Limit();
  console.log(
    `threshold judge limits: error rate 0.02, p99 ${p99Limit.toFixed(3)} s (the baseline's true p99 is 0.160 s; histogram_quantile reads it from coarse buckets)`,
  );
  const argo = presetJudgements({ [ERROR_RATE]: { max: 0.02 }, [LATENCY]: { max: p99Limit } });
  const judges: [Judge, MetricJudgement[]][] = [
    [sequentialJudge, presets],
    [thresholdJudge, argo],
    [mannWhitneyJudge, presets],
    [msprtJudge, presets],
  ];
  const summary: string[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const data = Array.from({ length: RUNS }, (_, run) => simulateLooks(scenario, 1_000_003 * (i + 1) + run));
    const power = fixedHorizonPower(scenario, data, presets);
    console.log(
      `\n${scenario.name}${scenario.name.startsWith('A/A') ? '' : `   fixed-horizon power ${pct(power)}`}`,
    );
    console.log(
      `  ${'judge'.padEnd(14)} ${'rollback'.padStart(8)} ${'promote'.padStart(8)} ${'inconcl.'.padStart(8)}  intervals to rollback`,
    );
    for (const [judge, metrics] of judges) {
      const row = evaluate(scenario, data, judge, metrics);
      const extra =
        judge === sequentialJudge && !scenario.name.startsWith('A/A') && power > 0
          ? `   detection/fixed-horizon ${(row.rollback / power).toFixed(2)}`
          : '';
      console.log(
        `  ${row.judge.padEnd(14)} ${pct(row.rollback).padStart(8)} ${pct(row.promote).padStart(8)} ${pct(row.inconclusive).padStart(8)}  ${Number.isNaN(row.meanLooks) ? '   —' : row.meanLooks.toFixed(1).padStart(4)}${extra}`,
      );
      if (judge === sequentialJudge) {
        const aa = scenario.name.startsWith('A/A');
        const low = scenario.requestsPerInterval < 1000;
        summary.push(
          `${scenario.name}: rollback ${pct(row.rollback)}${aa ? `  promote ${pct(row.promote)}  inconclusive ${pct(row.inconclusive)}` : ''}${extra}${low ? askedText(row) : ''}`,
        );
      }
    }
  }
  console.log(`\nsequential judge summary:\n  ${summary.join('\n  ')}`);
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
