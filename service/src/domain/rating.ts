import { parseReplicaField } from './crdt.js';
import type { CrdtState } from './crdt.js';

/**
 * Rating counters in a subject's CRDT state, per replica:
 * - `p1`..`p5`: ratings of 1..5 stars recorded by that replica (G-counters);
 * - `r1`..`r5`: ratings the replica retracted because the same event id was recorded first elsewhere;
 * - `t`: the time (ms since the epoch) of the replica's latest rating (max-register).
 * Count and sum are linear in these counters, so they are G-counter differences and converge with them.
 */
export function recordedCounter(stars: number): string {
  return `p${stars}`;
}

export function retractedCounter(stars: number): string {
  return `r${stars}`;
}

export const UPDATED_AT_COUNTER = 't';

/** The prior of the Bayesian average: `weight` pseudo-ratings of value `mean`. */
export interface RatingPrior {
  weight: number;
  mean: number;
}

export interface RatingSummary {
  subject: string;
  count: number;
  mean: number | null;
  score: number;
  distribution: [number, number, number, number, number];
  updatedAt: string | null;
}

/**
 * score = (weight × mean_prior + Σ stars) / (weight + count): the mean of the ratings after adding `weight`
 * pseudo-ratings at the prior mean. With few ratings the score stays near the prior; with many it tends to the
 * observed mean.
 */
export function bayesianScore(sum: number, count: number, prior: RatingPrior): number {
  if (count === 0) return prior.mean;
  return (prior.weight * prior.mean + sum) / (prior.weight + count);
}

export function summarizeRating(
  subject: string,
  state: Readonly<CrdtState>,
  prior: RatingPrior,
): RatingSummary {
  const distribution: RatingSummary['distribution'] = [0, 0, 0, 0, 0];
  let updatedAtMs = 0;
  for (const [field, value] of Object.entries(state)) {
    const parsed = parseReplicaField(field);
    if (parsed === undefined) continue;
    const { counter } = parsed;
    if (counter === UPDATED_AT_COUNTER) {
      updatedAtMs = Math.max(updatedAtMs, value);
      continue;
    }
    const stars = Number(counter.slice(1));
    if (!Number.isInteger(stars) || stars < 1 || stars > 5) continue;
    const sign = counter[0] === 'p' ? 1 : counter[0] === 'r' ? -1 : 0;
    distribution[stars - 1] = (distribution[stars - 1] ?? 0) + sign * value;
  }
  let count = 0;
  let sum = 0;
  distribution.forEach((n, index) => {
    count += n;
    sum += n * (index + 1);
  });
  return {
    subject,
    count,
    mean: count === 0 ? null : round(sum / count),
    score: round(bayesianScore(sum, count, prior)),
    distribution,
    updatedAt: updatedAtMs === 0 ? null : new Date(updatedAtMs).toISOString(),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
