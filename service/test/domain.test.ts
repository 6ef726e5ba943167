import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mergeStates, sumCounter } from '../src/domain/crdt.js';
import type { CrdtState } from '../src/domain/crdt.js';
import { bayesianScore, summarizeRating } from '../src/domain/rating.js';
import { bucketLevel, describeTake } from '../src/domain/token-bucket.js';
import type { BucketPolicy } from '../src/domain/token-bucket.js';

const field = fc.constantFrom('eu.a|p1', 'eu.a|p5', 'us.b|p5', 'us.b|r5', 'us.b|t', 'ap.c|c', 'peak');
const state = fc.dictionary(field, fc.integer({ min: 0, max: 1000 }), {
  maxKeys: 7,
}) as fc.Arbitrary<CrdtState>;

describe('CRDT merge', () => {
  it('is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        expect(mergeStates(a, b)).toEqual(mergeStates(b, a));
        expect(mergeStates(mergeStates(a, b), c)).toEqual(mergeStates(a, mergeStates(b, c)));
        expect(mergeStates(a, a)).toEqual(a);
      }),
    );
  });

  it('converges replicas that receive the same updates in any order and any number of times', () => {
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 8 }), fc.integer(), (updates, seed) => {
        const inOrder = updates.reduce<CrdtState>((acc, update) => mergeStates(acc, update), {});
        const shuffled = fc.sample(
          fc.shuffledSubarray([...updates, ...updates], { minLength: 2 * updates.length }),
          {
            seed,
            numRuns: 1,
          },
        )[0]!;
        expect(shuffled.reduce<CrdtState>((acc, update) => mergeStates(acc, update), {})).toEqual(inOrder);
      }),
    );
  });

  it('sums a G-counter over replicas', () => {
    expect(sumCounter({ 'eu.a|c': 3, 'us.b|c': 4, 'us.b|p1': 9, peak: 2 }, 'c')).toBe(7);
  });
});

describe('rating score', () => {
  const prior = { weight: 10, mean: 3 };

  it('is the mean after adding `weight` pseudo-ratings at the prior mean', () => {
    expect(bayesianScore(0, 0, prior)).toBe(3);
    expect(bayesianScore(5, 1, prior)).toBeCloseTo(35 / 11);
    expect(bayesianScore(4800, 1000, prior)).toBeCloseTo(4830 / 1010);
  });

  it('ranks one 5-star rating below a thousand 4.8s', () => {
    expect(bayesianScore(5, 1, prior)).toBeLessThan(bayesianScore(4800, 1000, prior));
  });

  it('summarizes recorded minus retracted counts over replicas, with the latest update time', () => {
    const summary = summarizeRating(
      'item',
      { 'eu.a|p5': 2, 'us.b|p5': 1, 'us.b|r5': 1, 'us.b|p1': 1, 'eu.a|t': 1000, 'us.b|t': 5000 },
      prior,
    );
    expect(summary).toEqual({
      subject: 'item',
      count: 3,
      mean: 3.6667,
      score: 3.1538,
      distribution: [1, 0, 0, 0, 2],
      updatedAt: new Date(5000).toISOString(),
    });
    expect(summarizeRating('none', {}, prior)).toMatchObject({
      count: 0,
      mean: null,
      score: 3,
      updatedAt: null,
    });
  });
});

describe('token bucket', () => {
  const policy: BucketPolicy = { name: 'p', capacity: 5, refillPerSecond: 2 };

  it('starts full and never holds more than its capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e7 }), (start, idle) => {
        const first = bucketLevel({}, policy, start);
        expect(first.tokens).toBe(5);
        expect(bucketLevel({ peak: first.peak }, policy, start + idle).tokens).toBeCloseTo(5, 6);
      }),
    );
  });

  it('grants no more than capacity plus refill over any run of takes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 3 })), {
          maxLength: 60,
        }),
        (steps) => {
          const bucket: CrdtState = {};
          let now = 1_000_000;
          let granted = 0;
          for (const [wait, cost] of steps) {
            now += wait;
            const level = bucketLevel(bucket, policy, now);
            bucket.peak = level.peak;
            if (describeTake(level.tokens, policy, cost).allowed) {
              bucket['r.x|c'] = (bucket['r.x|c'] ?? 0) + cost;
              granted += cost;
            }
          }
          expect(granted).toBeLessThanOrEqual(
            policy.capacity + (policy.refillPerSecond * (now - 1_000_000)) / 1000 + 1e-6,
          );
        },
      ),
    );
  });

  it('says how long until a denied cost is available and until the bucket is full', () => {
    expect(describeTake(0.5, policy, 2)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 750,
      resetMs: 2250,
    });
    expect(describeTake(5, policy, 2)).toEqual({
      allowed: true,
      remaining: 3,
      retryAfterMs: 0,
      resetMs: 1000,
    });
  });
});
