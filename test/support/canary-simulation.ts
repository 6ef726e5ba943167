/**
 * Simulated canary runs, for the statistical tests and `npm run bench:canary`: per interval and arm, a number of
 * requests with a failure probability (binomial counts) and a lognormal latency whose per-interval 99th
 * percentile is drawn exactly (the k-th order statistic of n requests, through a Beta variate). Seeded, so the
 * same scenario gives the same data to every judge.
 */
import { CanaryAnalysis, type AnalysisResult } from '../../src/canary/analysis.js';
import type { Judge, LookData, MetricJudgement } from '../../src/canary/model.js';
import { PRESETS } from '../../src/canary/presets.js';
import { normalQuantile } from '../../src/canary/stats/distributions.js';

export interface Scenario {
  name: string;
  requestsPerInterval: number;
  baselineErrorRate: number;
  errorMultiplier: number;
  /** Canary latency = baseline latency × this. */
  latencyMultiplier: number;
  looks: number;
}

/** mulberry32: small, fast, good enough for simulation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Marsaglia & Tsang's gamma sampler. */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(random() || 1e-12, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

/** Binomial(n, p) by inversion (p is small here). */
export function binomial(n: number, p: number, random: () => number): number {
  if (p <= 0) return 0;
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

/** The 99th percentile of n lognormal request latencies, drawn exactly. */
export function sampleP99(n: number, multiplier: number, random: () => number): number {
  const k = Math.ceil(0.99 * n);
  const u = beta(k, n - k + 1, random);
  return Math.exp(LATENCY_MU + LATENCY_SIGMA * normalQuantile(u)) * multiplier;
}

export const ERROR_RATE = 'http-error-rate';
export const LATENCY = 'http-latency-p99';

export function presetJudgements(overrides: Partial<Record<string, Partial<MetricJudgement>>> = {}): MetricJudgement[] {
  return [ERROR_RATE, LATENCY].map((name) => ({ name, ...PRESETS[name]!.judgement, ...overrides[name] }));
}

/** The data of one run: per look, per metric. */
export function simulateLooks(scenario: Scenario, seed: number): Map<string, LookData>[] {
  const random = rng(seed);
  const looks: Map<string, LookData>[] = [];
  const n = scenario.requestsPerInterval;
  for (let look = 1; look <= scenario.looks; look++) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, look)).toISOString();
    const data = new Map<string, LookData>();
    data.set(ERROR_RATE, {
      look,
      at,
      kind: 'ratio',
      canary: { events: binomial(n, Math.min(1, scenario.baselineErrorRate * scenario.errorMultiplier), random), total: n },
      baseline: { events: binomial(n, scenario.baselineErrorRate, random), total: n },
    });
    data.set(LATENCY, {
      look,
      at,
      kind: 'value',
      canary: sampleP99(n, scenario.latencyMultiplier, random),
      baseline: sampleP99(n, 1, random),
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

export function runSimulated(scenario: Scenario, looks: Map<string, LookData>[], options: SimulationOptions): AnalysisResult {
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
