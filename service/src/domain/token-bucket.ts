import { sumCounter } from './crdt.js';
import type { CrdtState } from './crdt.js';

/**
 * A token bucket as a CRDT. A bucket holds at most `capacity` tokens and gains `refillPerSecond` tokens a
 * second. Its replicated state is:
 * - `<replica>|c`: tokens consumed through that replica (G-counter); C is their sum;
 * - `peak`: the highest level seen so far (max-register), where level(t) = refillPerSecond × t − C.
 *
 * With the bucket full at the start, the tokens at time t are capacity − (peak − level(t)): level rises with
 * time and falls with consumption, and a full bucket wastes refill exactly when level climbs above the old
 * peak. Merging takes the maximum of every entry; a replica that has not seen all consumption yet computes a
 * level that is too high, so it may grant more than the budget until replication catches up (at most one
 * budget per region within the replication bound), and once merged the peak errs on the safe side (fewer
 * tokens, never more).
 */
export interface BucketPolicy {
  name: string;
  capacity: number;
  refillPerSecond: number;
}

export const CONSUMED_COUNTER = 'c';
export const PEAK_FIELD = 'peak';

export interface BucketLevel {
  /** Tokens available now (may be negative after merging consumption from other regions). */
  tokens: number;
  /** The peak to store: the old peak or the current level, whichever is higher. */
  peak: number;
}

/** Mirrored by `take_tokens` in the Redis store's Lua (same formula, same order of operations). */
export function bucketLevel(state: Readonly<CrdtState>, policy: BucketPolicy, nowMs: number): BucketLevel {
  const level = levelAt(sumCounter(state, CONSUMED_COUNTER), policy, nowMs);
  const storedPeak = state[PEAK_FIELD];
  const peak = storedPeak === undefined || level > storedPeak ? level : storedPeak;
  return { tokens: tokensAt(peak, level, policy), peak };
}

/** level(t) = refillPerSecond × t − C, with t in ms. */
export function levelAt(consumed: number, policy: BucketPolicy, nowMs: number): number {
  return (policy.refillPerSecond * nowMs) / 1000 - consumed;
}

/** Tokens in a bucket whose peak and level are known (the Redis store gets the peak from its script). */
export function tokensAt(peak: number, level: number, policy: BucketPolicy): number {
  return policy.capacity - (peak - level);
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this take. */
  remaining: number;
  /** 0 when allowed; otherwise the wait until `cost` tokens are available. */
  retryAfterMs: number;
  /** The wait until the bucket is full again. */
  resetMs: number;
}

/** Describes a take of `cost` tokens given the tokens there were before it. */
export function describeTake(tokensBefore: number, policy: BucketPolicy, cost: number): TakeResult {
  const allowed = tokensBefore >= cost;
  const tokensAfter = allowed ? tokensBefore - cost : tokensBefore;
  const msPerToken = 1000 / policy.refillPerSecond;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokensAfter + 1e-9)),
    retryAfterMs: allowed ? 0 : Math.ceil((cost - tokensBefore) * msPerToken),
    resetMs: Math.max(0, Math.ceil((policy.capacity - tokensAfter) * msPerToken)),
  };
}
