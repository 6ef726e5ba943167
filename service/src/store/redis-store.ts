import { randomBytes } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { CrdtState } from '../domain/crdt.js';
import type { RatingEvent, RatingRequest } from '../domain/rating-event.js';
import { isSameRequest } from '../domain/rating-event.js';
import { describeTake, levelAt, tokensAt } from '../domain/token-bucket.js';
import type { BucketPolicy, TakeResult } from '../domain/token-bucket.js';
import {
  MERGE_EVENT,
  MERGE_STATE,
  RECORD_RATINGS,
  RECORD_REPLY_LENGTH,
  REPLICA_ID,
  TAKE,
} from './redis-scripts.js';
import { parseFeedMember, storeKeys, StoreUnavailableError } from './store.js';
import type { BucketTake, ChangePage, ChangeRequest, ChangeSet, RecordOutcome, Store } from './store.js';

export interface RedisStoreOptions {
  url: string;
  region: string;
  eventTtlMs: number;
  /** Prefix of every key (lets several stores share one Redis, as the tests do). */
  keyPrefix?: string;
  /** A command that takes longer fails with StoreUnavailableError instead of holding the request. */
  commandTimeoutMs?: number;
  onConnectionChange?: (connected: boolean, error?: Error) => void;
  /**
   * Subject states kept in this process between reads (0: none), each until Redis says it changed (client
   * tracking, see `readRating`). Default 10,000.
   */
  readCacheEntries?: number;
  /** Told once when Redis refuses client tracking, which turns the read cache off. */
  onReadCacheOff?: (reason: string) => void;
}

/** Where Redis publishes invalidations for tracking clients that redirect them (RESP2). */
const INVALIDATION_CHANNEL = '__redis__:invalidate';

/** Keys every script takes first: the replica id, the feed position, the feed. */
const FEED_KEYS = ['meta:replica', 'meta:position', 'feed'] as const;
/**
 * The events' part of the feed, a stream with one entry per script call that stored events, and the list of
 * its entries' expiries, from which writes trim it (see redis-scripts.ts).
 */
const EVENT_FEED_KEYS = ['feed:events', 'feed:events:expiries'] as const;

/**
 * Most ratings one script call records. A call blocks Redis while it runs (about 10 µs per rating), so this
 * bounds that pause to about a millisecond; larger bursts go out as several calls, written back to back.
 */
export const MAX_RATINGS_PER_CALL = 64;

interface PendingRating {
  request: RatingRequest;
  limit: BucketTake;
  nowMs: number;
  resolve: (outcome: RecordOutcome) => void;
  reject: (error: unknown) => void;
}

/** Redis errors that mean "not now" rather than "this is a bug". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|OOM)\b/;

type ScriptRunner = (...args: (string | number)[]) => Promise<unknown>;

/**
 * The Redis store: one hash per subject and per bucket (the CRDT state, field for field), one string per event
 * (JSON, expiring with the idempotency window), a sorted set and a stream as the change feed (states, events).
 * Every read-modify-write is a Lua script (see redis-scripts.ts). Commands fail fast while Redis is unreachable
 * (no offline queue) and the client reconnects in the background.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly region: string;
  private readonly eventTtlMs: number;
  private readonly scripts: Record<
    'recordRatings' | 'take' | 'mergeState' | 'mergeEvent' | 'replicaId',
    ScriptRunner
  >;
  private readonly connectWaitMs: number;
  /** Distinguishes this process's replica-id candidates from another's created in the same millisecond. */
  private readonly processTag = randomBytes(2).toString('hex');
  private connecting: Promise<void> | undefined;
  /** Ratings waiting for the end of this event-loop turn, when they go to Redis together. */
  private pendingRatings: PendingRating[] = [];
  /** The connection Redis sends invalidations to; undefined when the read cache is off. */
  private readonly invalidator: Redis | undefined;
  private readonly keyPrefix: string;
  private readonly readCacheEntries: number;
  /** Subject states by key, valid while `tracking` is. */
  private readonly readCache = new Map<string, Readonly<CrdtState>>();
  /** Reads of a subject in flight, and whether it changed since the first of them was sent. */
  private readonly readsInFlight = new Map<string, { count: number; changed: boolean }>();
  /** True while Redis tracks this connection's reads and the invalidation connection listens. */
  private tracking = false;
  /** Bumped whenever tracking stops or starts: a read caches its result only if it did not move meanwhile. */
  private trackingEpoch = 0;
  private invalidatorId: string | undefined;
  private readonly onReadCacheOff: ((reason: string) => void) | undefined;
  /** Set when Redis refused client tracking: the cache stays off. */
  private readCacheRefused = false;

  constructor(options: RedisStoreOptions) {
    this.region = options.region;
    this.eventTtlMs = options.eventTtlMs;
    this.connectWaitMs = options.commandTimeoutMs ?? 1000;
    this.keyPrefix = options.keyPrefix ?? 'openclaw:';
    this.readCacheEntries = options.readCacheEntries ?? 10_000;
    this.onReadCacheOff = options.onReadCacheOff;
    this.redis = new Redis(options.url, {
      keyPrefix: this.keyPrefix,
      enableOfflineQueue: false,
      // Off on purpose: auto-pipelining batches separate commands into an ioredis pipeline, which cost more
      // than the socket writes it saved (bench:service, POST on Redis: 63 -> 43 µs of service CPU per request
      // with it off). Writes batch themselves instead, into one script call (see recordRating).
      enableAutoPipelining: false,
      maxRetriesPerRequest: 1,
      commandTimeout: this.connectWaitMs,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    const onChange = options.onConnectionChange;
    this.redis.on('ready', () => onChange?.(true));
    this.redis.on('error', (error: Error) => onChange?.(false, error));
    if (this.readCacheEntries > 0) {
      this.invalidator = new Redis(options.url, {
        autoResubscribe: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      });
      // Its errors are the main connection's too, which reports them.
      this.invalidator.on('error', () => {});
      this.invalidator.on('ready', () => void this.listenForInvalidations());
      this.invalidator.on('close', () => {
        this.invalidatorId = undefined;
        this.stopTracking();
      });
      this.invalidator.on('messageBuffer', (_channel: Buffer, keys: Buffer[] | null) =>
        this.invalidated(keys),
      );
      // Tracking belongs to a connection: a new one starts untracked.
      this.redis.on('ready', () => void this.startTracking());
      this.redis.on('close', () => this.stopTracking());
    }
    this.scripts = {
      // numberOfKeys undefined: the caller passes it first, as a call carries 3 keys per rating.
      recordRatings: this.defineScript('recordRatings', RECORD_RATINGS),
      take: this.defineScript('take', TAKE, 4),
      mergeState: this.defineScript('mergeState', MERGE_STATE, 4),
      mergeEvent: this.defineScript('mergeEvent', MERGE_EVENT, 7),
      replicaId: this.defineScript('replicaId', REPLICA_ID, 3),
    };
  }

  /**
   * Group commit: the ratings of one event-loop turn (the requests read from every socket that had data) go to
   * Redis as one script call, which records them one after the other. Per rating, that saves a socket write,
   * a command, a reply and a script start on both sides (bench:service, POST on Redis: the service's CPU per
   * request fell from 47 to 37 µs and Redis's from 30 to 21 µs, with the leaner script). The wait is one
   * setImmediate, so no request waits for a later one. Flushing earlier (every 4, 8 or 16 ratings) measured
   * slower: more calls, more wake-ups.
   */
  recordRating(request: RatingRequest, limit: BucketTake, nowMs: number): Promise<RecordOutcome> {
    return new Promise((resolve, reject) => {
      if (this.pendingRatings.length === 0) setImmediate(() => this.flushRatings());
      this.pendingRatings.push({ request, limit, nowMs, resolve, reject });
    });
  }

  /** Sends the waiting ratings, one call per run of ratings under the same policy and cost. */
  private flushRatings(): void {
    const pending = this.pendingRatings;
    this.pendingRatings = [];
    let start = 0;
    for (let end = 1; end <= pending.length; end += 1) {
      if (
        end < pending.length &&
        end - start < MAX_RATINGS_PER_CALL &&
        sameTake(pending[start]!, pending[end]!)
      )
        continue;
      void this.recordBatch(pending.slice(start, end));
      start = end;
    }
  }

  private async recordBatch(batch: PendingRating[]): Promise<void> {
    const { policy, cost } = batch[0]!.limit;
    const keys: string[] = [...FEED_KEYS, ...EVENT_FEED_KEYS];
    const args: (string | number)[] = [
      this.replicaCandidate(),
      this.eventTtlMs,
      policy.capacity,
      policy.refillPerSecond,
      cost,
    ];
    for (const { request, limit, nowMs } of batch) {
      const subject = storeKeys.subject(request.subject);
      this.forget(subject);
      keys.push(storeKeys.event(request.id), subject, storeKeys.bucket(limit.bucket));
      args.push(nowMs, request.id, request.subject, request.actor, request.stars);
    }
    let reply: string[];
    try {
      reply = (await this.run(() => this.scripts.recordRatings(keys.length, ...keys, ...args))) as string[];
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ request, limit, nowMs, resolve, reject }, index) => {
      try {
        const at = RECORD_REPLY_LENGTH * index;
        const [kind, event, peak, consumed] = reply.slice(at, at + RECORD_REPLY_LENGTH) as [
          string,
          string,
          string,
          string,
        ];
        resolve(recordOutcome(request, limit, nowMs, kind, event, peak, consumed));
      } catch (error) {
        reject(error);
      }
    });
  }

  /**
   * A subject's state, from the read cache when Redis has not invalidated it. The cache is Redis's client-side
   * caching: with CLIENT TRACKING on, Redis remembers which keys this connection read and, when one changes
   * (whoever changes it), publishes its name to the invalidation connection, which drops it here. This
   * process's own writes drop their subjects when they are sent. A read caches its result only if no
   * invalidation of that subject arrived while it was in flight (the reply and the invalidation come on
   * different connections, in either order), and the whole cache goes when either connection drops. So a read
   * here can miss a change made through another process for as long as Redis takes to deliver the
   * invalidation (sub-millisecond on a LAN), which is inside the consistency bound the service documents.
   */
  async readRating(subject: string): Promise<Readonly<CrdtState>> {
    const key = storeKeys.subject(subject);
    const cached = this.readCache.get(key);
    if (cached !== undefined) return cached;
    if (!this.tracking) return parseHash(await this.run(() => this.redis.hgetall(key)));
    const epoch = this.trackingEpoch;
    let inFlight = this.readsInFlight.get(key);
    if (inFlight === undefined) {
      inFlight = { count: 0, changed: false };
      this.readsInFlight.set(key, inFlight);
    }
    inFlight.count += 1;
    try {
      const state = parseHash(await this.run(() => this.trackedRead(key)));
      if (!inFlight.changed && epoch === this.trackingEpoch) {
        if (this.readCache.size >= this.readCacheEntries) {
          const oldest = this.readCache.keys().next().value;
          if (oldest !== undefined) this.readCache.delete(oldest);
        }
        this.readCache.set(key, state);
      }
      return state;
    } finally {
      inFlight.count -= 1;
      if (inFlight.count === 0) this.readsInFlight.delete(key);
    }
  }

  async take({ bucket, policy, cost }: BucketTake, nowMs: number): Promise<TakeResult> {
    const [, peak, consumed] = (await this.run(() =>
      this.scripts.take(
        ...FEED_KEYS,
        storeKeys.bucket(bucket),
        this.replicaCandidate(),
        nowMs,
        policy.capacity,
        policy.refillPerSecond,
        cost,
      ),
    )) as [number, string, string];
    return describeTake(tokensBefore(peak, consumed, policy, nowMs), policy, cost);
  }

  /**
   * The feed's two parts (states in the sorted set, events in the stream) are read in one MULTI, so their
   * positions are from one moment. What they name is read after, which need not be atomic: a state read after
   * its feed entry is newer, and its change comes again later.
   */
  async readChanges(request: ChangeRequest): Promise<ChangePage> {
    const epoch = (await this.run(() =>
      this.scripts.replicaId(...FEED_KEYS, this.replicaCandidate()),
    )) as string;
    const since = request.epoch === epoch ? request.since : 0;
    const parts = await this.run(() =>
      this.redis
        .multi()
        .zrangebyscore('feed', `(${since}`, '+inf', 'WITHSCORES', 'LIMIT', 0, request.limit)
        .xrange(EVENT_FEED_KEYS[0], String(since + 1), '+', 'COUNT', request.limit)
        .exec(),
    );
    const [[statesError, states] = [], [eventsError, events] = []] = parts ?? [];
    const partError = statesError ?? eventsError ?? (parts ? undefined : new Error('MULTI was aborted'));
    if (partError) throw new StoreUnavailableError(`Redis failed to read the feed: ${partError.message}`);
    const { members, cursor, more } = feedPage(
      states as string[],
      events as [string, string[]][],
      since,
      request.limit,
    );
    const page: ChangePage = { epoch, cursor, more, subjects: [], buckets: [], events: [] };
    const pipeline = this.redis.pipeline();
    for (const member of members) {
      if (parseFeedMember(member)?.kind === 'event') pipeline.get(member);
      else pipeline.hgetall(member);
    }
    const values = members.length === 0 ? [] : ((await this.run(() => pipeline.exec())) ?? []);
    members.forEach((member, index) => {
      const [error, value] = values[index] ?? [new Error('no reply')];
      if (error) throw new StoreUnavailableError(`Redis failed to read ${member}: ${error.message}`);
      const entry = parseFeedMember(member);
      if (entry?.kind === 'event' && typeof value === 'string')
        page.events.push(JSON.parse(value) as RatingEvent);
      if (entry?.kind === 'subject') page.subjects.push({ subject: entry.name, state: parseHash(value) });
      if (entry?.kind === 'bucket') page.buckets.push({ bucket: entry.name, state: parseHash(value) });
    });
    return page;
  }

  async applyChanges(changes: ChangeSet, nowMs: number): Promise<number> {
    const candidate = this.replicaCandidate();
    for (const { subject } of changes.subjects) this.forget(storeKeys.subject(subject));
    for (const { subject } of changes.events) this.forget(storeKeys.subject(subject));
    const merges: Promise<unknown>[] = [
      ...changes.subjects.map(({ subject, state }) => this.mergeState(storeKeys.subject(subject), state)),
      ...changes.buckets.map(({ bucket, state }) => this.mergeState(storeKeys.bucket(bucket), state)),
      ...changes.events.map((event) =>
        this.scripts.mergeEvent(
          ...FEED_KEYS,
          ...EVENT_FEED_KEYS,
          storeKeys.event(event.id),
          storeKeys.subject(event.subject),
          candidate,
          JSON.stringify(event),
          event.at,
          event.replica,
          event.at + this.eventTtlMs,
          nowMs,
        ),
      ),
    ];
    const results = await this.run(() => Promise.all(merges));
    return results.filter((changed) => changed === 1).length;
  }

  async ping(): Promise<void> {
    await this.run(() => this.redis.ping());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    this.invalidator?.disconnect();
  }

  /** The invalidation connection is (again) up: subscribe, then have Redis track the main connection for it. */
  private async listenForInvalidations(): Promise<void> {
    const invalidator = this.invalidator!;
    if (this.readCacheRefused) return;
    try {
      const id = String(await invalidator.client('ID'));
      await invalidator.subscribe(INVALIDATION_CHANNEL);
      this.invalidatorId = id;
      await this.startTracking();
    } catch (error) {
      this.trackingFailed(error);
    }
  }

  private async startTracking(): Promise<void> {
    this.stopTracking();
    const id = this.invalidatorId;
    if (id === undefined || this.redis.status !== 'ready' || this.readCacheRefused) return;
    const epoch = this.trackingEpoch;
    try {
      // OPTIN: Redis tracks only the reads that ask for it (trackedRead), not every key the scripts read,
      // which would cost Redis a tracking-table entry per event (bench:service measured +12 µs per write).
      // NOLOOP: this connection's own writes drop their subjects here when sent (see recordBatch).
      await this.redis.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', id, 'OPTIN', 'NOLOOP');
      if (epoch === this.trackingEpoch && id === this.invalidatorId) this.tracking = true;
    } catch (error) {
      this.trackingFailed(error);
    }
  }

  /**
   * Reads go to Redis meanwhile. A Redis that refuses client tracking for good (an ACL without CLIENT or
   * SUBSCRIBE, a proxy or managed service that blocks them, Redis before 6) turns the cache off for this
   * store's life, said once; anything else is retried by reconnecting (after the retry strategy's delay).
   */
  private trackingFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const refused = error instanceof ReplyError && !TRANSIENT_REPLY.test(message);
    if (!refused) {
      if (this.invalidator?.status === 'ready') this.invalidator.disconnect(true);
      return;
    }
    if (this.readCacheRefused) return;
    this.readCacheRefused = true;
    this.stopTracking();
    this.invalidator?.disconnect(false);
    this.onReadCacheOff?.(`Redis refused client tracking (${message}); reads go to Redis every time`);
  }

  /** HGETALL of a subject, tracked by Redis: CLIENT CACHING yes applies to the command right after it. */
  private async trackedRead(key: string): Promise<unknown> {
    const replies = (await this.redis.pipeline().client('CACHING', 'YES').hgetall(key).exec()) ?? [];
    const [[cachingError] = [], [readError, state] = []] = replies;
    if (readError) throw readError;
    if (cachingError) {
      // Tracking is no longer on for this connection (turned off behind our back): this read is not tracked,
      // so it must not be cached; start over.
      this.stopTracking();
      void this.startTracking();
    }
    return state;
  }

  private stopTracking(): void {
    this.tracking = false;
    this.trackingEpoch += 1;
    this.readCache.clear();
  }

  /** Redis says these keys changed (null: everything, after a FLUSHDB or FLUSHALL). */
  private invalidated(keys: Buffer[] | null): void {
    if (keys === null) {
      this.readCache.clear();
      for (const inFlight of this.readsInFlight.values()) inFlight.changed = true;
      return;
    }
    for (const raw of keys) {
      const key = raw.toString();
      if (key.startsWith(this.keyPrefix)) this.forget(key.slice(this.keyPrefix.length));
    }
  }

  /** Drops a subject from the read cache, and keeps the reads of it in flight from caching what they get. */
  private forget(key: string): void {
    this.readCache.delete(key);
    const inFlight = this.readsInFlight.get(key);
    if (inFlight !== undefined) inFlight.changed = true;
  }

  /**
   * The replica id to adopt if Redis has none (it started empty): region plus creation time, so it differs
   * from every id this Redis had before. Cheap enough to compute on every write.
   */
  private replicaCandidate(): string {
    return `${this.region}.${Date.now().toString(36)}${this.processTag}`;
  }

  private mergeState(key: string, state: Readonly<CrdtState>): Promise<unknown> {
    const pairs = Object.entries(state).flatMap(([field, value]) => [field, String(value)]);
    return this.scripts.mergeState(...FEED_KEYS, key, ...pairs);
  }

  private defineScript(name: string, lua: string, numberOfKeys?: number): ScriptRunner {
    this.redis.defineCommand(name, { lua, numberOfKeys });
    const command = (this.redis as unknown as Record<string, ScriptRunner>)[name];
    if (command === undefined) throw new Error(`ioredis did not define the script command ${name}`);
    return command.bind(this.redis);
  }

  /**
   * Runs a Redis call, turning "Redis is not there" into StoreUnavailableError; script bugs stay errors. While
   * the client is (re)connecting, a call waits for it up to the command timeout, so a blip is absorbed and an
   * outage fails fast.
   */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      if (this.redis.status !== 'ready') await this.connected();
      return await call();
    } catch (error) {
      if (error instanceof ReplyError && !TRANSIENT_REPLY.test((error as Error).message)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`Redis is unavailable: ${message}`, { cause: error });
    }
  }

  private connected(): Promise<void> {
    this.connecting ??= new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error(`not connected (${this.redis.status}) after ${this.connectWaitMs} ms`));
      }, this.connectWaitMs);
      this.redis.once('ready', onReady);
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}

function recordOutcome(
  request: RatingRequest,
  limit: BucketTake,
  nowMs: number,
  kind: string,
  eventJson: string,
  peak: string,
  consumed: string,
): RecordOutcome {
  const take = () =>
    describeTake(tokensBefore(peak, consumed, limit.policy, nowMs), limit.policy, limit.cost);
  if (kind === 'limited') return { kind, take: take() };
  const event = JSON.parse(eventJson) as RatingEvent;
  if (kind === 'existing') return { kind: isSameRequest(event, request) ? 'replayed' : 'conflict', event };
  if (kind === 'recorded') return { kind, event, take: take() };
  throw new Error(`The rating script answered an unknown outcome ${JSON.stringify(kind)}`);
}

/** The tokens a bucket held, from the peak and consumption the scripts return (see take_tokens). */
function tokensBefore(peak: string, consumed: string, policy: BucketPolicy, nowMs: number): number {
  return tokensAt(Number(peak), levelAt(Number(consumed), policy, nowMs), policy);
}

/** Ratings that can share one script call: the same bucket policy and cost. */
function sameTake(a: PendingRating, b: PendingRating): boolean {
  return (
    a.limit.cost === b.limit.cost &&
    a.limit.policy.capacity === b.limit.policy.capacity &&
    a.limit.policy.refillPerSecond === b.limit.policy.refillPerSecond
  );
}

/**
 * The first `limit` changes after position `since`, in order, from the feed's two parts as Redis returned them
 * (each asked for `limit` items): the sorted set's member, position pairs and the events stream's entries
 * (fields: member, '<position> <expires at>'; an entry's id is its last event's position, so every entry
 * returned holds at least one event after `since`). When a part returned `limit` items, so did the merge, and
 * all of them precede whatever that part holds beyond: nothing is skipped.
 */
function feedPage(
  states: string[],
  events: [id: string, fields: string[]][],
  since: number,
  limit: number,
): { members: string[]; cursor: number; more: boolean } {
  const changes: { member: string; position: number }[] = [];
  for (let i = 0; i < states.length; i += 2)
    changes.push({ member: states[i]!, position: Number(states[i + 1]) });
  for (const [, fields] of events)
    for (let i = 0; i < fields.length; i += 2) {
      const position = Number.parseInt(fields[i + 1]!, 10);
      if (position > since) changes.push({ member: fields[i]!, position });
    }
  const page = changes.sort((a, b) => a.position - b.position).slice(0, limit);
  return {
    members: page.map((change) => change.member),
    cursor: page.at(-1)?.position ?? since,
    more: page.length === limit,
  };
}

function parseHash(value: unknown): CrdtState {
  const state: CrdtState = {};
  for (const [field, raw] of Object.entries((value ?? {}) as Record<string, string>))
    state[field] = Number(raw);
  return state;
}
