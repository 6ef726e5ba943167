/**
 * The normal-mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis & Walsh, "Always
 * valid inference" (Operations Research 70, 2022), for an increase of the canary's failure rate over the
 * baseline's. It is valid at any number of looks, planned or not, at a cost in power against a group-sequential
 * design whose number of looks is known: the benchmark prints both.
 */
import type { Counts } from './proportions.js';

/** Likelihood ratio Λ for H0: p_canary − θ·p_baseline ≤ 0; reject when Λ ≥ 1/α (and the estimate is positive). */
export function msprtLikelihoodRatio(canary: Counts, baseline: Counts, theta: number, tau: number): number {
  if (canary.total === 0 || baseline.total === 0) return 0;
  const p1 = canary.events / canary.total;
  const p0 = baseline.events / baseline.total;
  const estimate = p1 - theta * p0;
  if (estimate <= 0) return 0;
  const pooled = (canary.events + baseline.events + 1) / (canary.total + baseline.total + 2);
  const v = pooled * (1 - pooled) * (1 / canary.total + (theta * theta) / baseline.total);
  const t2 = tau * tau;
  return Math.sqrt(v / (v + t2)) * Math.exp((t2 * estimate * estimate) / (2 * v * (v + t2)));
}
