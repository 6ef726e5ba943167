/**
 * Simulated canary runs, for the statistical tests and `npm run bench:canary`: per interval and arm, a number of
 * requests with a failure probability (binomial counts) and lognormal latencies counted into the rating
 * service's histogram buckets (multinomial counts). Seeded, so the same scenario gives the same data to every
 * judge.
 */
import { CanaryAnalysis, type AnalysisResult } from '../../src/canary/analysis.js';
import type { Judge, LookData, MetricJudgement } from '../../src/canary/model.js';
import { PRESETS } from '../../src/canary/presets.js';
import { normalCdf } from '../../src/canary/stats/distributions.js';
import { DURATION_BUCKETS } from '../../service/src/http/metrics.js';
import { mulberry32 } from './random.js';

export interface Scenario {
  name: string;
  requestsPerInterval: number;
  baselineErrorRate: number;
  errorMultiplier: number;
  /** Canary latency = baseline latency × this. */
  latencyMultiplier: number;
  looks: number;
}

function normal(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Binomial(n, p): by inversion when n·p is small, by the normal approximation (rounded, clamped) otherwise. */
export function binomial(n: number, p: number, random: () => number): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  const mean = n * p;
  if (mean > 40 && n * (1 - p) > 40) {
    const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(random));
    return Math.min(n, Math.max(0, x));
  }
  if (p > 0.5) return n - binomial(n, 1 - p, random);
  const q = 1 - p;
  const s = p / q;
  let prob = Math.pow(q, n);
  let cdf = prob;
  const u = random();
  let k = 0;
  while (u > cdf && k < n) {
    prob *= (s * (n - k)) / (k + 1);
    cdf += prob;
    k++;
  }
  return k;
}

const LATENCY_MU = Math.log(0.05);
const LATENCY_SIGMA = 0.5;

/**
 * The cumulative bucket counts of n lognormal latencies (median 50 ms, times `multiplier`) in the rating
 * service's buckets: a multinomial drawn as a chain of conditional binomials.
 */
export function sampleHistogram(n: number, multiplier: number, random: () => number): Map<number, number> {
  const buckets = new Map<number, number>();
  let left = n;
  let below = 0;
  let previousCdf = 0;
  for (const le of DURATION_BUCKETS) {
    const cdf = normalCdf((Math.log(le / multiplier) - LATENCY_MU) / LATENCY_SIGMA);
    const p = previousCdf >= 1 ? 0 : (cdf - previousCdf) / (1 - previousCdf);
    const inBucket = binomial(left, Math.min(1, Math.max(0, p)), random);
    left -= inBucket;
    below += inBucket;
    previousCdf = cdf;
    buckets.set(le, below);
  }
  buckets.set(Infinity, n);
  return buckets;
}

export const ERROR_RATE = 'http-error-rate';
export const LATENCY = 'http-latency-p99';

export function presetJudgements(
  overrides: Partial<Record<string, Partial<MetricJudgement>>> = {},
): MetricJudgement[] {
  return [ERROR_RATE, LATENCY].map((name) => ({ name, ...PRESETS[name]!.judgement, ...overrides[name] }));
}

/** The data of one run: per look, per metric. */
export function simulateLooks(scenario: Scenario, seed: number): Map<string, LookData>[] {
  const random = mulberry32(seed);
  const looks: Map<string, LookData>[] = [];
  const n = scenario.requestsPerInterval;
  for (let look = 1; look <= scenario.looks; look++) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, look)).toISOString();
    const data = new Map<string, LookData>();
    data.set(ERROR_RATE, {
      look,
      at,
      kind: 'ratio',
      canary: {
        events: binomial(n, Math.min(1, scenario.baselineErrorRate * scenario.errorMultiplier), random),
        total: n,
      },
      baseline: { events: binomial(n, scenario.baselineErrorRate, random), total: n },
    });
    data.set(LATENCY, {
      look,
      at,
      kind: 'histogram',
      canary: sampleHistogram(n, scenario.latencyMultiplier, random),
      baseline: sampleHistogram(n, 1, random),
    });
    looks.push(data);
  }
  return looks;
}

export interface SimulationOptions {
  judge: Judge;
  metrics: MetricJudgement[];
  confidence?: number;
  minRequests?: number;
}

export function runSimulated(
  scenario: Scenario,
  looks: Map<string, LookData>[],
  options: SimulationOptions,
): AnalysisResult {
  const analysis = new CanaryAnalysis({
    metrics: options.metrics,
    judge: options.judge,
    looks: scenario.looks,
    confidence: options.confidence ?? 0.99,
    minRequests: options.minRequests ?? 20,
    policy: { passScore: 95, marginalScore: 75, noData: 'inconclusive' },
  });
  for (const data of looks) {
    analysis.addLook(data);
    if (analysis.done) break;
  }
  return analysis.finish();
}
