/**
 * Group-sequential boundaries with Lan-DeMets alpha spending, for a one-sided test of a normal statistic looked
 * at K times (Jennison & Turnbull, "Group Sequential Methods with Applications to Clinical Trials", 2000, ch. 7
 * and 19; Lan & DeMets, Biometrika 70, 1983).
 *
 * At look k, with information fraction t_k, the test rejects when Z_k ≥ c_k. The boundaries are chosen so the
 * probability under H0 of a first rejection at look k is exactly α(t_k) − α(t_{k−1}): over all looks the false
 * rejection rate is α(1) = α, however many looks there are. The O'Brien-Fleming-type spending function spends
 * almost nothing early and keeps the last boundary close to the fixed-sample one, so the test loses little power
 * against a test that looks once at the end, while still stopping early on large effects.
 *
 * The crossing probabilities are computed by numerical integration of the density of Z_k on the continuation
 * region (Armitage, McPherson & Rowe, JRSS A 132, 1969), with Simpson's rule on a fine grid.
 */
import { normalCdf, normalPdf, normalQuantile } from './distributions.js';

export type SpendingFunction = 'obrien-fleming' | 'pocock';

/** Cumulative alpha spent by information fraction t (0 < t ≤ 1). */
export function alphaSpent(alpha: number, t: number, spending: SpendingFunction): number {
  if (t <= 0) return 0;
  const tt = Math.min(1, t);
  if (spending === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * tt);
  // Lan-DeMets O'Brien-Fleming type, one-sided: α(t) = 2 − 2Φ(z_{1−α/2} / √t), so α(1) = α
  return 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(tt));
}

const GRID = 401;
const LOWER = -8;
const MAX_BOUNDARY = 8.5;

function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = (h / 3) * (i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2);
  return w;
}

/**
 * One-sided efficacy boundaries c_1..c_K on the Z scale for the given information fractions (increasing, the
 * last normally 1). A look whose share of alpha is negligible gets the boundary MAX_BOUNDARY (in effect: no
 * rejection possible yet).
 */
export function groupSequentialBoundaries(
  alpha: number,
  fractions: readonly number[],
  spending: SpendingFunction,
): number[] {
  const boundaries: number[] = [];
  // density of Z_{k-1} on its continuation region, on a grid z[i] with Simpson weights w[i]
  let z: Float64Array | undefined;
  let density: Float64Array | undefined;
  let weights: Float64Array | undefined;
  let previousT = 0;
  let spent = 0;
  for (let k = 0; k < fractions.length; k++) {
    const t = fractions[k]!;
    const target = Math.max(0, alphaSpent(alpha, t, spending) - spent);
    let c: number;
    if (!z || !density || !weights) {
      c = target <= 1e-15 ? MAX_BOUNDARY : Math.min(MAX_BOUNDARY, normalQuantile(1 - target));
    } else {
      const zz = z;
      const dd = density;
      const ww = weights;
      const sd = Math.sqrt(t - previousT);
      const crossing = (candidate: number): number => {
        let p = 0;
        for (let i = 0; i < zz.length; i++) {
          p += ww[i]! * dd[i]! * normalCdf((zz[i]! * Math.sqrt(previousT) - candidate * Math.sqrt(t)) / sd);
        }
        return p;
      };
      if (target <= 1e-15 || crossing(MAX_BOUNDARY) >= target) c = MAX_BOUNDARY;
      else {
        let lo = -2;
        let hi = MAX_BOUNDARY;
        for (let it = 0; it < 60; it++) {
          const mid = (lo + hi) / 2;
          if (crossing(mid) > target) lo = mid;
          else hi = mid;
        }
        c = (lo + hi) / 2;
      }
    }
    boundaries.push(c);
    spent += target;
    // the density of Z_k on (LOWER, c): convolution of the previous density with the increment's normal
    const n = GRID;
    const h = (c - LOWER) / (n - 1);
    const nextZ = new Float64Array(n);
    const nextDensity = new Float64Array(n);
    for (let j = 0; j < n; j++) nextZ[j] = LOWER + j * h;
    if (!z || !density || !weights) {
      for (let j = 0; j < n; j++) nextDensity[j] = normalPdf(nextZ[j]!);
    } else {
      const sd = Math.sqrt(t - previousT);
      const scale = Math.sqrt(t) / sd;
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < z.length; i++) {
          sum +=
            weights[i]! *
            density[i]! *
            normalPdf((nextZ[j]! * Math.sqrt(t) - z[i]! * Math.sqrt(previousT)) / sd);
        }
        nextDensity[j] = sum * scale;
      }
    }
    z = nextZ;
    density = nextDensity;
    weights = simpsonWeights(n, h);
    previousT = t;
  }
  return boundaries;
}

const cache = new Map<string, number[]>();

/** Boundaries for K equally spaced looks (information fraction k/K), cached. */
export function plannedBoundaries(
  alpha: number,
  looks: number,
  spending: SpendingFunction = 'obrien-fleming',
): number[] {
  const key = `${alpha}:${looks}:${spending}`;
  let b = cache.get(key);
  if (!b) {
    b = groupSequentialBoundaries(
      alpha,
      Array.from({ length: looks }, (_, i) => (i + 1) / looks),
      spending,
    );
    cache.set(key, b);
  }
  return b;
}
