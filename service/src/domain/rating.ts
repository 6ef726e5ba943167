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

const BAR = '|'.charCodeAt(0);
const LOWER_T = UPDATED_AT_COUNTER.charCodeAt(0);
const LOWER_P = recordedCounter(1).charCodeAt(0);
const LOWER_R = retractedCounter(1).charCodeAt(0);
const DIGIT_0 = '0'.charCodeAt(0);

export function summarizeRating(
  subject: string,
  state: Readonly<CrdtState>,
  prior: RatingPrior,
): RatingSummary {
  const distribution: RatingSummary['distribution'] = [0, 0, 0, 0, 0];
  let updatedAtMs = 0;
  // On every read and write, so it reads the counter from the field's last characters (`…|t`, `…|p3`,
  // `…|r3`) instead of splitting the name.
  for (const field in state) {
    const value = state[field]!;
    const length = field.length;
    if (field.charCodeAt(length - 2) === BAR && field.charCodeAt(length - 1) === LOWER_T) {
      if (value > updatedAtMs) updatedAtMs = value;
      continue;
    }
    if (field.charCodeAt(length - 3) !== BAR) continue;
    const stars = field.charCodeAt(length - 1) - DIGIT_0;
    if (stars < 1 || stars > 5) continue;
    const kind = field.charCodeAt(length - 2);
    const sign = kind === LOWER_P ? 1 : kind === LOWER_R ? -1 : 0;
    distribution[stars - 1]! += sign * value;
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
