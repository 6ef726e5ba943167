import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { summarizeRating } from '../src/domain/rating.js';
import type { BucketPolicy } from '../src/domain/token-bucket.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { RedisStore } from '../src/store/redis-store.js';
import { bucketId } from '../src/store/store.js';
import type { BucketTake, Store } from '../src/store/store.js';
import { startRedisServer } from '../testing/redis.js';
import type { RedisServer } from '../testing/redis.js';

/** The same cases against both stores: the Redis run talks to a real redis-server started here. */

const T0 = Date.UTC(2030, 0, 1);
const TTL_MS = 60_000;
const PRIOR = { weight: 10, mean: 3 };
const roomy: BucketPolicy = { name: 'writes', capacity: 1000, refillPerSecond: 100 };
const writeLimit = (actor: string, policy = roomy): BucketTake => ({
  bucket: bucketId(policy.name, actor),
  policy,
  cost: 1,
});

let redis: RedisServer;
const opened: Store[] = [];
let prefixCounter = 0;

const factories: [string, (region: string) => Store][] = [
  ['memory', (region) => new MemoryStore({ region, eventTtlMs: TTL_MS })],
  [
    'redis',
    (region) =>
      new RedisStore({
        url: redis.url,
        region,
        eventTtlMs: TTL_MS,
        keyPrefix: `contract${++prefixCounter}:`,
      }),
  ],
];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await redis?.stop();
});

describe.each(factories)('%s store', (_kind, create) => {
  const open = (region = 'eu-west') => {
    const store = create(region);
    opened.push(store);
    return store;
  };
  const summary = async (store: Store, subject: string) =>
    summarizeRating(subject, await store.readRating(subject), PRIOR);

  it('records a rating and returns the state just after it', async () => {
    const store = open();
    const first = await store.recordRating(
      { id: 'e1', subject: 's1', actor: 'a1', stars: 5 },
      writeLimit('a1'),
      T0,
    );
    const second = await store.recordRating(
      { id: 'e2', subject: 's1', actor: 'a2', stars: 3 },
      writeLimit('a2'),
      T0 + 5,
    );
    expect(first.kind).toBe('recorded');
    expect(second.kind).toBe('recorded');
    if (second.kind !== 'recorded') return;
    expect(second.event).toMatchObject({ id: 'e2', subject: 's1', actor: 'a2', stars: 3, at: T0 + 5 });
    expect(summarizeRating('s1', second.event.snapshot, PRIOR)).toEqual(await summary(store, 's1'));
    expect(await summary(store, 's1')).toEqual({
      subject: 's1',
      count: 2,
      mean: 4,
      score: 3.1667,
      distribution: [0, 0, 1, 0, 1],
      updatedAt: new Date(T0 + 5).toISOString(),
    });
  });

  it('answers a retry with the stored event and does not count it again', async () => {
    const store = open();
    const request = { id: 'retry-1', subject: 's2', actor: 'a1', stars: 4 };
    const first = await store.recordRating(request, writeLimit('a1'), T0);
    const retry = await store.recordRating(request, writeLimit('a1'), T0 + 1000);
    expect(retry.kind).toBe('replayed');
    if (first.kind !== 'recorded' || retry.kind !== 'replayed') return;
    expect(retry.event).toEqual(first.event);
    expect((await summary(store, 's2')).count).toBe(1);
  });

  it('reports a conflict when an event id comes back with other stars, and changes nothing', async () => {
    const store = open();
    await store.recordRating({ id: 'dup', subject: 's3', actor: 'a1', stars: 4 }, writeLimit('a1'), T0);
    const other = await store.recordRating(
      { id: 'dup', subject: 's3', actor: 'a1', stars: 1 },
      writeLimit('a1'),
      T0 + 1,
    );
    expect(other.kind).toBe('conflict');
    expect((await summary(store, 's3')).distribution).toEqual([0, 0, 0, 1, 0]);
  });

  it('records concurrent writes of one event id exactly once', async () => {
    const store = open();
    const request = { id: 'race', subject: 's4', actor: 'a1', stars: 2 };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => store.recordRating(request, writeLimit('a1'), T0)),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'recorded')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'replayed')).toHaveLength(19);
    expect((await summary(store, 's4')).count).toBe(1);
  });

  it('records a burst of concurrent writes as if one by one: budget, retries and counts exact', async () => {
    // 150 writes at once (more than one Redis call takes), one actor with a budget of 100, and every tenth
    // write a retry of the one before it: the first 100 new ids are recorded (up to write 110), the 11 retries
    // among them replayed, the rest refused (a retry of a refused write is a new write).
    const store = open();
    const budget: BucketPolicy = { name: 'writes', capacity: 100, refillPerSecond: 0.001 };
    const requests = Array.from({ length: 150 }, (_, i) => {
      const first = i % 10 === 9 ? i - 1 : i;
      return {
        id: `burst-${first}`,
        subject: `burst-${first % 3}`,
        actor: 'burster',
        stars: (first % 5) + 1,
      };
    });
    const outcomes = await Promise.all(
      requests.map((request) => store.recordRating(request, writeLimit('burster', budget), T0)),
    );
    const kinds = outcomes.map((outcome) => outcome.kind);
    expect(kinds.filter((kind) => kind === 'recorded')).toHaveLength(100);
    expect(kinds.filter((kind) => kind === 'replayed')).toHaveLength(11);
    expect(kinds.filter((kind) => kind === 'limited')).toHaveLength(39);
    const counts = await Promise.all([0, 1, 2].map(async (i) => (await summary(store, `burst-${i}`)).count));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('pages through a burst of writes in small pages, every change once and in order', async () => {
    // Writes sent together are recorded together (in Redis, one call and one feed entry for its events), so
    // page boundaries fall inside such a group.
    const store = open();
    const budget: BucketPolicy = { name: 'writes', capacity: 1000, refillPerSecond: 1 };
    const ids = Array.from({ length: 90 }, (_, i) => `paged-${i}`);
    await Promise.all(
      ids.map((id, i) =>
        store.recordRating(
          { id, subject: `pages-${i % 4}`, actor: `pager-${i % 5}`, stars: (i % 5) + 1 },
          writeLimit(`pager-${i % 5}`, budget),
          T0,
        ),
      ),
    );
    // Then writes one at a time (in Redis, a feed entry each), each to a subject and actor of its own.
    for (let i = 0; i < 12; i += 1)
      await store.recordRating(
        { id: `single-${i}`, subject: `single-${i}`, actor: `single-${i}`, stars: 3 },
        writeLimit(`single-${i}`, budget),
        T0,
      );
    const events: string[] = [];
    const states: string[] = [];
    const cursors: number[] = [];
    let page = await store.readChanges({ epoch: undefined, since: 0, limit: 7 });
    for (let reads = 0; reads < 100; reads += 1) {
      expect(page.subjects.length + page.buckets.length + page.events.length).toBeLessThanOrEqual(7);
      events.push(...page.events.map((event) => event.id));
      states.push(
        ...page.subjects.map((entry) => entry.subject),
        ...page.buckets.map((entry) => entry.bucket),
      );
      cursors.push(page.cursor);
      if (!page.more) break;
      page = await store.readChanges({ epoch: page.epoch, since: page.cursor, limit: 7 });
    }
    const singles = Array.from({ length: 12 }, (_, i) => `single-${i}`);
    expect(events.sort()).toEqual([...ids, ...singles].sort());
    expect(states.sort()).toEqual(
      [
        ...[0, 1, 2, 3].map((i) => `pages-${i}`),
        ...[0, 1, 2, 3, 4].map((i) => `writes/pager-${i}`),
        ...singles,
        ...singles.map((single) => `writes/${single}`),
      ].sort(),
    );
    expect(cursors).toEqual([...new Set(cursors)].sort((a, b) => a - b));
  });

  it('holds concurrent writes under different policies each to its own budget', async () => {
    const store = open();
    const five: BucketPolicy = { name: 'writes', capacity: 5, refillPerSecond: 0.001 };
    const three: BucketPolicy = { name: 'strict', capacity: 3, refillPerSecond: 0.002 };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const [actor, policy] = i % 2 === 0 ? ['even', five] : ['odd', three];
        return store.recordRating(
          { id: `mixed-${i}`, subject: 'mixed', actor, stars: 3 },
          { bucket: bucketId(policy.name, actor), policy, cost: 1 },
          T0,
        );
      }),
    );
    const recorded = (parity: number) =>
      outcomes.filter((outcome, i) => i % 2 === parity && outcome.kind === 'recorded').length;
    expect([recorded(0), recorded(1)]).toEqual([5, 3]);
  });

  it('refuses a write over the actor budget and records nothing', async () => {
    const store = open();
    const tight: BucketPolicy = { name: 'writes', capacity: 2, refillPerSecond: 0.5 };
    const kinds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const outcome = await store.recordRating(
        { id: `w${i}`, subject: 's5', actor: 'busy', stars: 5 },
        writeLimit('busy', tight),
        T0,
      );
      kinds.push(outcome.kind);
      if (outcome.kind === 'limited')
        expect(outcome.take).toEqual({ allowed: false, remaining: 0, retryAfterMs: 2000, resetMs: 4000 });
    }
    expect(kinds).toEqual(['recorded', 'recorded', 'limited']);
    expect((await summary(store, 's5')).count).toBe(2);
    const later = await store.recordRating(
      { id: 'w2', subject: 's5', actor: 'busy', stars: 5 },
      writeLimit('busy', tight),
      T0 + 2000,
    );
    expect(later.kind).toBe('recorded');
  });

  it('drains a bucket, denies without consuming, and refills with time up to capacity', async () => {
    const store = open();
    const policy: BucketPolicy = { name: 'default', capacity: 10, refillPerSecond: 2 };
    const take = (cost: number, at: number) => store.take({ bucket: 'default/k', policy, cost }, at);
    expect(await take(4, T0)).toEqual({ allowed: true, remaining: 6, retryAfterMs: 0, resetMs: 2000 });
    expect(await take(6, T0)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 5000 });
    expect(await take(3, T0 + 500)).toEqual({
      allowed: false,
      remaining: 1,
      retryAfterMs: 1000,
      resetMs: 4500,
    });
    expect(await take(3, T0 + 1500)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 5000 });
    // An hour idle refills to capacity, not beyond.
    expect(await take(1, T0 + 3_600_000)).toEqual({
      allowed: true,
      remaining: 9,
      retryAfterMs: 0,
      resetMs: 500,
    });
  });

  it('grants exactly the capacity to concurrent takes', async () => {
    const store = open();
    const policy: BucketPolicy = { name: 'default', capacity: 10, refillPerSecond: 0.001 };
    const results = await Promise.all(
      Array.from({ length: 40 }, () => store.take({ bucket: 'default/hot', policy, cost: 1 }, T0)),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
  });

  it('feeds its changes in pages and starts a reader with another epoch from the beginning', async () => {
    const store = open();
    for (let i = 0; i < 3; i += 1) {
      await store.recordRating(
        { id: `f${i}`, subject: `s${i}`, actor: 'a', stars: 5 },
        writeLimit('a'),
        T0 + i,
      );
    }
    // 3 subjects, 1 bucket (changed three times, listed once at its latest position), 3 events.
    const all = await store.readChanges({ epoch: undefined, since: 0, limit: 100 });
    expect(all.more).toBe(false);
    expect(all.subjects.map((entry) => entry.subject).sort()).toEqual(['s0', 's1', 's2']);
    expect(all.buckets.map((entry) => entry.bucket)).toEqual(['writes/a']);
    expect(all.events.map((event) => event.id).sort()).toEqual(['f0', 'f1', 'f2']);

    const first = await store.readChanges({ epoch: all.epoch, since: 0, limit: 4 });
    const rest = await store.readChanges({ epoch: all.epoch, since: first.cursor, limit: 4 });
    expect(first.more).toBe(true);
    expect(rest.more).toBe(false);
    const count = (page: typeof first) => page.subjects.length + page.buckets.length + page.events.length;
    expect(count(first) + count(rest)).toBe(7);
    expect((await store.readChanges({ epoch: all.epoch, since: all.cursor, limit: 100 })).subjects).toEqual(
      [],
    );
    expect(count(await store.readChanges({ epoch: 'elsewhere.0', since: all.cursor, limit: 100 }))).toBe(7);
  });

  it('gives every change of one write its own feed position, so a one-entry page never skips one', async () => {
    const store = open();
    await store.recordRating(
      { id: 'p1', subject: 'paged', actor: 'pager', stars: 2 },
      writeLimit('pager'),
      T0,
    );
    const seen: string[] = [];
    let page = await store.readChanges({ epoch: undefined, since: 0, limit: 1 });
    for (let reads = 0; reads < 10; reads += 1) {
      seen.push(
        ...page.subjects.map((entry) => `subject ${entry.subject}`),
        ...page.buckets.map((entry) => `bucket ${entry.bucket}`),
        ...page.events.map((event) => `event ${event.id}`),
      );
      if (!page.more) break;
      page = await store.readChanges({ epoch: page.epoch, since: page.cursor, limit: 1 });
    }
    expect(seen.sort()).toEqual(['bucket writes/pager', 'event p1', 'subject paged']);
  });

  it('converges two regions whatever the exchange order, and a repeated exchange changes nothing', async () => {
    const east = open('us-east');
    const west = open('us-west');
    await east.recordRating({ id: 'x1', subject: 'shared', actor: 'a', stars: 5 }, writeLimit('a'), T0);
    await west.recordRating({ id: 'x2', subject: 'shared', actor: 'b', stars: 1 }, writeLimit('b'), T0 + 1);
    await west.recordRating({ id: 'x3', subject: 'shared', actor: 'b', stars: 2 }, writeLimit('b'), T0 + 2);
    const fromEast = await east.readChanges({ epoch: undefined, since: 0, limit: 100 });
    const fromWest = await west.readChanges({ epoch: undefined, since: 0, limit: 100 });
    expect(await west.applyChanges(fromEast, T0 + 10)).toBeGreaterThan(0);
    expect(await east.applyChanges(fromWest, T0 + 10)).toBeGreaterThan(0);
    expect(await west.applyChanges(fromEast, T0 + 11)).toBe(0);
    const expected = { count: 3, distribution: [1, 1, 0, 0, 1], updatedAt: new Date(T0 + 2).toISOString() };
    expect(await summary(east, 'shared')).toMatchObject(expected);
    expect(await summary(west, 'shared')).toMatchObject(expected);
    // A retry that reaches the other region after replication is answered there, not counted again.
    const retry = await west.recordRating(
      { id: 'x1', subject: 'shared', actor: 'a', stars: 5 },
      writeLimit('a'),
      T0 + 20,
    );
    expect(retry.kind).toBe('replayed');
  });

  it('counts once an event recorded in two regions before they exchanged (a retry after a failover)', async () => {
    const east = open('us-east');
    const west = open('us-west');
    const request = { id: 'failover-1', subject: 'twice', actor: 'a', stars: 4 };
    await east.recordRating(request, writeLimit('a'), T0);
    await west.recordRating(request, writeLimit('a'), T0 + 3000);
    await east.applyChanges(await west.readChanges({ epoch: undefined, since: 0, limit: 100 }), T0 + 4000);
    await west.applyChanges(await east.readChanges({ epoch: undefined, since: 0, limit: 100 }), T0 + 4000);
    // West's copy lost (it came later) and west retracted it; east must learn the retraction too.
    await east.applyChanges(await west.readChanges({ epoch: undefined, since: 0, limit: 100 }), T0 + 4000);
    for (const store of [east, west]) {
      expect((await summary(store, 'twice')).distribution).toEqual([0, 0, 0, 1, 0]);
    }
    const replay = await west.recordRating(request, writeLimit('a'), T0 + 5000);
    expect(replay.kind === 'replayed' && replay.event.at).toBe(T0);
  });

  it('does not give a key that spent its budget in one region a fresh budget in another once replicated', async () => {
    const east = open('us-east');
    const west = open('us-west');
    const policy: BucketPolicy = { name: 'default', capacity: 5, refillPerSecond: 0.01 };
    for (let i = 0; i < 5; i += 1)
      expect((await east.take({ bucket: 'default/k', policy, cost: 1 }, T0)).allowed).toBe(true);
    await west.applyChanges(await east.readChanges({ epoch: undefined, since: 0, limit: 100 }), T0 + 100);
    const inWest = await west.take({ bucket: 'default/k', policy, cost: 1 }, T0 + 100);
    expect(inWest).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('forgets event ids after the idempotency window', async () => {
    const store = open();
    const request = { id: 'old', subject: 's6', actor: 'a', stars: 3 };
    await store.recordRating(request, writeLimit('a'), T0);
    const afterWindow = await store.recordRating(request, writeLimit('a'), T0 + TTL_MS + 1);
    expect(afterWindow.kind).toBe('recorded');
    expect((await summary(store, 's6')).count).toBe(2);
  });

  it('drops expired events from its feed, so peers are not sent what they would discard', async () => {
    const store = open();
    await store.recordRating({ id: 'gone', subject: 's7', actor: 'a', stars: 3 }, writeLimit('a'), T0);
    await store.recordRating({ id: 'kept', subject: 's7', actor: 'a', stars: 3 }, writeLimit('a'), T0 + 10);
    const before = await store.readChanges({ epoch: undefined, since: 0, limit: 100 });
    expect(before.events.map((event) => event.id).sort()).toEqual(['gone', 'kept']);
    // The next write sweeps: 'gone' is past its window, 'kept' is not yet.
    await store.recordRating(
      { id: 'fresh', subject: 's8', actor: 'a', stars: 1 },
      writeLimit('a'),
      T0 + TTL_MS + 5,
    );
    const after = await store.readChanges({ epoch: undefined, since: 0, limit: 100 });
    expect(after.events.map((event) => event.id).sort()).toEqual(['fresh', 'kept']);
  });

  it('answers ping while it can serve', async () => {
    await expect(open().ping()).resolves.toBeUndefined();
  });
});
