/**
 * Tests on a continuous metric (a latency quantile, CPU, memory) seen once per interval in each arm. Canary and
 * baseline run at the same time, so each interval gives a paired observation d = ln(canary / baseline): shared
 * swings of traffic cancel out. With an allowed increase m, the harm hypothesis is H0: E[d] ≤ ln(1 + m), and
 * promotion needs the upper confidence bound of E[d] below ln(1 + m).
 *
 * The t statistic of the mean of d is mapped to the normal scale through its own distribution
 * (z = Φ⁻¹(F_{t,n−1}(t))) so it can be compared with group-sequential boundaries; this is the usual
 * approximation for sequential t-tests (Jennison & Turnbull 2000, §11.4).
 */
import { normalQuantile, studentTCdf } from './distributions.js';

export interface PairedSummary {
  n: number;
  mean: number;
  sd: number;
}

export function summarise(differences: readonly number[]): PairedSummary {
  const n = differences.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN };
  const mean = differences.reduce((s, d) => s + d, 0) / n;
  const variance = n > 1 ? differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1) : NaN;
  return { n, mean, sd: Math.sqrt(variance) };
}

/** z-equivalent of the one-sided t test of H0: mean ≤ margin (positive: canary worse). NaN with n < 3. */
export function harmZFromT(summary: PairedSummary, margin: number): number {
  if (summary.n < 3) return NaN;
  const se = summary.sd / Math.sqrt(summary.n);
  if (!(se > 0)) return summary.mean > margin ? Infinity : summary.mean < margin ? -Infinity : 0;
  const t = (summary.mean - margin) / se;
  const p = studentTCdf(t, summary.n - 1);
  return normalQuantile(Math.min(1 - 1e-16, Math.max(1e-16, p)));
}

/** Upper (1 − α) confidence bound of the mean difference (Student t). NaN with n < 3. */
export function meanUpperBound(summary: PairedSummary, alpha: number): number {
  if (summary.n < 3) return NaN;
  const se = summary.sd / Math.sqrt(summary.n);
  return summary.mean + tQuantile(1 - alpha, summary.n - 1) * se;
}

/** Student t quantile by bisection on the CDF. */
export function tQuantile(p: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
