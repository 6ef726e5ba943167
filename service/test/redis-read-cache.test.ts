import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { BucketPolicy } from '../src/domain/token-bucket.js';
import { RedisStore } from '../src/store/redis-store.js';
import type { RedisStoreOptions } from '../src/store/redis-store.js';
import { bucketId } from '../src/store/store.js';
import type { BucketTake } from '../src/store/store.js';
import { startRedisServer } from '../testing/redis.js';
import type { RedisServer } from '../testing/redis.js';
import { waitFor } from './support/wait.js';

/**
 * The Redis store's read cache (Redis client tracking) against a real redis-server: what it saves (reads that
 * never reach Redis, counted by Redis itself) and that it never serves a state Redis has since changed, by
 * whatever path the change came.
 */

const policy: BucketPolicy = { name: 'writes', capacity: 1000, refillPerSecond: 100 };
const limit = (actor: string): BucketTake => ({ bucket: bucketId(policy.name, actor), policy, cost: 1 });

let redis: RedisServer;
let admin: Redis;
const opened: RedisStore[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

/** A store, and another on the same keys (a second instance of the service in the same region). */
function openPair(options: Partial<RedisStoreOptions> = {}): [RedisStore, RedisStore, string] {
  const keyPrefix = `cache${++prefixCounter}:`;
  const make = () => {
    const store = new RedisStore({
      url: redis.url,
      region: 'eu-west',
      eventTtlMs: 60_000,
      keyPrefix,
      ...options,
    });
    opened.push(store);
    return store;
  };
  return [make(), make(), keyPrefix];
}

/** HGETALL calls Redis has served so far. */
async function hgetallCalls(): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(/cmdstat_hgetall:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/** Waits until the store tracks its reads: a read, then the same read again, costs Redis nothing. */
async function cachedRead(store: RedisStore, subject: string): Promise<void> {
  await waitFor(
    `reads of ${subject} to be served from the cache`,
    async () => {
      await store.readRating(subject);
      const before = await hgetallCalls();
      await store.readRating(subject);
      return (await hgetallCalls()) === before ? true : undefined;
    },
    { timeoutMs: 3000 },
  );
}

/** Polls the store's reads of `subject` until its rating count is `expected` (what a client would see). */
async function untilCount(
  store: RedisStore,
  subject: string,
  expected: number,
  what: string,
  timeoutMs = 1000,
) {
  await waitFor(what, async () => (count(await store.readRating(subject)) === expected ? true : undefined), {
    timeoutMs,
    intervalMs: 5,
  });
}

const count = (state: Readonly<Record<string, number>>) =>
  Object.entries(state)
    .filter(([field]) => /\|p[1-5]$/.test(field))
    .reduce((sum, [, value]) => sum + value, 0);

describe('Redis store read cache', () => {
  it('answers repeated reads of an unchanged subject without asking Redis', async () => {
    const [store] = openPair();
    await store.recordRating({ id: 'c1', subject: 'calm', actor: 'a', stars: 4 }, limit('a'), Date.now());
    await cachedRead(store, 'calm');
    const before = await hgetallCalls();
    for (let i = 0; i < 50; i += 1) expect(count(await store.readRating('calm'))).toBe(1);
    expect(await hgetallCalls()).toBe(before);
  });

  it("reads its own write at once, without waiting for Redis's invalidation", async () => {
    const [store] = openPair();
    await store.recordRating({ id: 'o1', subject: 'own', actor: 'a', stars: 4 }, limit('a'), Date.now());
    await cachedRead(store, 'own');
    await store.recordRating({ id: 'o2', subject: 'own', actor: 'a', stars: 2 }, limit('a'), Date.now());
    expect(count(await store.readRating('own'))).toBe(2);
  });

  it('sees a write made through another instance once Redis invalidates the subject', async () => {
    const [store, other] = openPair();
    await store.recordRating({ id: 'x1', subject: 'shared', actor: 'a', stars: 4 }, limit('a'), Date.now());
    await cachedRead(store, 'shared');
    await other.recordRating({ id: 'x2', subject: 'shared', actor: 'b', stars: 5 }, limit('b'), Date.now());
    await untilCount(store, 'shared', 2, 'the other instance’s write to show');
  });

  it('sees a change made to the key by any Redis client, and a flush', async () => {
    const [store, , prefix] = openPair();
    await store.recordRating({ id: 'r1', subject: 'raw', actor: 'a', stars: 3 }, limit('a'), Date.now());
    await cachedRead(store, 'raw');
    await admin.hincrby(`${prefix}subject:raw`, 'eu-west.zz|p5', 1);
    await untilCount(store, 'raw', 2, 'a raw HINCRBY to show');
    await cachedRead(store, 'raw');
    await admin.flushall();
    await untilCount(store, 'raw', 0, 'a FLUSHALL to show');
  });

  it('drops the cache when its invalidation connection is cut, and caches again once it is back', async () => {
    // The store logs in as its own user, so the test can keep it from subscribing again after the cut.
    await admin.call('ACL', 'SETUSER', 'cutter', 'on', '>secret', '~*', '&*', '+@all');
    const [store, , prefix] = openPair({ url: redis.url.replace('redis://', 'redis://cutter:secret@') });
    await store.recordRating({ id: 'k1', subject: 'cut', actor: 'a', stars: 3 }, limit('a'), Date.now());
    await cachedRead(store, 'cut');
    // Cut the connection Redis sends invalidations on and keep it from coming back, then change the subject:
    // no invalidation can arrive, so the store must no longer trust its cache.
    await admin.call('ACL', 'SETUSER', 'cutter', '-subscribe');
    await admin.client('KILL', 'TYPE', 'pubsub');
    await admin.hincrby(`${prefix}subject:cut`, 'eu-west.zz|p1', 1);
    await untilCount(store, 'cut', 2, 'the change to show after the cut', 3000);
    await admin.call('ACL', 'SETUSER', 'cutter', '+subscribe');
    await cachedRead(store, 'cut');
    await admin.hincrby(`${prefix}subject:cut`, 'eu-west.zz|p1', 1);
    await untilCount(store, 'cut', 3, 'a change after the reconnection to show');
  });

  it('reads from Redis every time when Redis refuses client tracking, says so once, and does not retry', async () => {
    // A user that may not SUBSCRIBE, as some managed Redis services and proxies refuse it.
    await admin.call('ACL', 'SETUSER', 'nosub', 'on', '>secret', '~*', '&*', '+@all', '-subscribe');
    const reasons: string[] = [];
    const [store] = openPair({
      url: redis.url.replace('redis://', 'redis://nosub:secret@'),
      onReadCacheOff: (reason) => reasons.push(reason),
    });
    await store.recordRating({ id: 'n1', subject: 'plain', actor: 'a', stars: 2 }, limit('a'), Date.now());
    // openPair opens two stores on the same options: each says it once.
    await waitFor('the refusal to be reported', async () => (reasons.length === 2 ? true : undefined), {
      timeoutMs: 3000,
    });
    const connectionsBefore = Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))?.[1]);
    for (let i = 0; i < 5; i += 1) {
      const before = await hgetallCalls();
      expect(count(await store.readRating('plain'))).toBe(1);
      expect(await hgetallCalls()).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const connectionsAfter = Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))?.[1]);
    expect(connectionsAfter - connectionsBefore).toBe(0);
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).toMatch(/NOPERM/);
  });

  it('drops its cache and tracks again when a read finds tracking off on its connection', async () => {
    const [store, , prefix] = openPair();
    await store.recordRating({ id: 't1', subject: 'off', actor: 'a', stars: 3 }, limit('a'), Date.now());
    await cachedRead(store, 'off');
    // Nothing outside the store can do this to its connection; reach in to make the case happen.
    await (store as unknown as { redis: Redis }).redis.call('CLIENT', 'TRACKING', 'OFF');
    await admin.hincrby(`${prefix}subject:off`, 'eu-west.zz|p1', 1);
    // The next read that goes to Redis finds out (its CLIENT CACHING is refused) and answers right.
    expect(count(await store.readRating('elsewhere'))).toBe(0);
    expect(count(await store.readRating('off'))).toBe(2);
    await cachedRead(store, 'off');
    await admin.hincrby(`${prefix}subject:off`, 'eu-west.zz|p1', 1);
    await untilCount(store, 'off', 3, 'a change once tracking is back');
  });

  it('keeps at most readCacheEntries subjects, and none when it is 0', async () => {
    const [small] = openPair({ readCacheEntries: 2 });
    for (const subject of ['s1', 's2', 's3']) await cachedRead(small, subject);
    // s1 was the oldest of three in a cache of two: reading it asks Redis again.
    let before = await hgetallCalls();
    await small.readRating('s1');
    expect(await hgetallCalls()).toBe(before + 1);

    const [uncached] = openPair({ readCacheEntries: 0 });
    await uncached.readRating('s1');
    before = await hgetallCalls();
    await uncached.readRating('s1');
    expect(await hgetallCalls()).toBe(before + 1);
  });
});
