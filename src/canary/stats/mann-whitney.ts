/**
 * The Mann-Whitney U test (normal approximation with tie and continuity corrections), as Kayenta's judge uses
 * it: two-sided, on the values of a metric in the canary against the baseline. Offered as the `mann-whitney`
 * judge for teams moving from Kayenta and used in the benchmark as the reference it is compared with; it does not
 * account for repeated looks.
 */
import { normalSf } from './distributions.js';

export interface MannWhitneyResult {
  u: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** +1 when the canary's values tend to be larger, −1 smaller, 0 no difference. */
  direction: number;
}

export function mannWhitney(canary: readonly number[], baseline: readonly number[]): MannWhitneyResult {
  const n1 = canary.length;
  const n2 = baseline.length;
  if (n1 === 0 || n2 === 0) return { u: NaN, z: 0, p: 1, direction: 0 };
  const all = [...canary.map((v) => ({ v, c: true })), ...baseline.map((v) => ({ v, c: false }))].sort(
    (a, b) => a.v - b.v,
  );
  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    const ties = j - i + 1;
    if (ties > 1) tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]!.c) rankSum += rank;
    i = j + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, p: 1, direction: 0 };
  const diff = u - mean;
  const z = (Math.abs(diff) > 0.5 ? Math.abs(diff) - 0.5 : 0) / Math.sqrt(variance);
  return { u, z: Math.sign(diff) * z, p: Math.min(1, 2 * normalSf(z)), direction: Math.sign(diff) };
}
