import { randomBytes } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { CrdtState } from '../domain/crdt.js';
import type { RatingEvent, RatingRequest } from '../domain/rating-event.js';
import { isSameRequest } from '../domain/rating-event.js';
import { describeTake } from '../domain/token-bucket.js';
import type { TakeResult } from '../domain/token-bucket.js';
import { MERGE_EVENT, MERGE_STATE, RECORD_RATING, REPLICA_ID, TAKE } from './redis-scripts.js';
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
}

/** Keys every script takes first: the replica id, the feed position, the feed. */
const FEED_KEYS = ['meta:replica', 'meta:position', 'feed'] as const;
const EXPIRIES_KEY = 'feed:event-expiries';

/** Redis errors that mean "not now" rather than "this is a bug". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|OOM)\b/;

type ScriptRunner = (...args: (string | number)[]) => Promise<unknown>;

/**
 * The Redis store: one hash per subject and per bucket (the CRDT state, field for field), one string per event
 * (JSON, expiring with the idempotency window), a sorted set as the change feed. Every read-modify-write is a
 * Lua script (see redis-scripts.ts). Commands fail fast while Redis is unreachable (no offline queue) and the
 * client reconnects in the background.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly region: string;
  private readonly eventTtlMs: number;
  private readonly scripts: Record<
    'recordRating' | 'take' | 'mergeState' | 'mergeEvent' | 'replicaId',
    ScriptRunner
  >;
  private readonly connectWaitMs: number;
  /** Distinguishes this process's replica-id candidates from another's created in the same millisecond. */
  private readonly processTag = randomBytes(2).toString('hex');
  private connecting: Promise<void> | undefined;

  constructor(options: RedisStoreOptions) {
    this.region = options.region;
    this.eventTtlMs = options.eventTtlMs;
    this.connectWaitMs = options.commandTimeoutMs ?? 1000;
    this.redis = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? 'openclaw:',
      enableOfflineQueue: false,
      // Off on purpose: auto-pipelining holds each command until setImmediate to batch it with others, and on
      // a request path that makes one script call that wait cost more than the writes it saved
      // (bench:service, POST on Redis: 63 -> 43 µs of service CPU per request, 16% -> 23% of bare fastify).
      enableAutoPipelining: false,
      maxRetriesPerRequest: 1,
      commandTimeout: this.connectWaitMs,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    const onChange = options.onConnectionChange;
    this.redis.on('ready', () => onChange?.(true));
    this.redis.on('error', (error: Error) => onChange?.(false, error));
    this.scripts = {
      recordRating: this.defineScript('recordRating', RECORD_RATING, 7),
      take: this.defineScript('take', TAKE, 4),
      mergeState: this.defineScript('mergeState', MERGE_STATE, 4),
      mergeEvent: this.defineScript('mergeEvent', MERGE_EVENT, 6),
      replicaId: this.defineScript('replicaId', REPLICA_ID, 3),
    };
  }

  async recordRating(request: RatingRequest, limit: BucketTake, nowMs: number): Promise<RecordOutcome> {
    const reply = (await this.run(() =>
      this.scripts.recordRating(
        ...FEED_KEYS,
        EXPIRIES_KEY,
        storeKeys.event(request.id),
        storeKeys.subject(request.subject),
        storeKeys.bucket(limit.bucket),
        this.replicaCandidate(),
        nowMs,
        request.id,
        request.subject,
        request.actor,
        request.stars,
        this.eventTtlMs,
        limit.policy.capacity,
        limit.policy.refillPerSecond,
        limit.cost,
        storeKeys.subject(request.subject),
        storeKeys.bucket(limit.bucket),
        storeKeys.event(request.id),
      ),
    )) as [string, string, string?];
    const [kind, payload, tokens] = reply;
    if (kind === 'limited') return { kind, take: describeTake(Number(payload), limit.policy, limit.cost) };
    const event = JSON.parse(payload) as RatingEvent;
    if (kind === 'existing') return { kind: isSameRequest(event, request) ? 'replayed' : 'conflict', event };
    return { kind: 'recorded', event, take: describeTake(Number(tokens), limit.policy, limit.cost) };
  }

  async readRating(subject: string): Promise<Readonly<CrdtState>> {
    return parseHash(await this.run(() => this.redis.hgetall(storeKeys.subject(subject))));
  }

  async take({ bucket, policy, cost }: BucketTake, nowMs: number): Promise<TakeResult> {
    const [, tokens] = (await this.run(() =>
      this.scripts.take(
        ...FEED_KEYS,
        storeKeys.bucket(bucket),
        this.replicaCandidate(),
        nowMs,
        policy.capacity,
        policy.refillPerSecond,
        cost,
        storeKeys.bucket(bucket),
      ),
    )) as [number, string];
    return describeTake(Number(tokens), policy, cost);
  }

  /** Not atomic, and need not be: a state read after its feed entry is newer, and its change comes again later. */
  async readChanges(request: ChangeRequest): Promise<ChangePage> {
    const epoch = (await this.run(() =>
      this.scripts.replicaId(...FEED_KEYS, this.replicaCandidate()),
    )) as string;
    const since = request.epoch === epoch ? request.since : 0;
    const entries = await this.run(() =>
      this.redis.zrangebyscore('feed', `(${since}`, '+inf', 'WITHSCORES', 'LIMIT', 0, request.limit),
    );
    const page: ChangePage = { epoch, cursor: since, more: false, subjects: [], buckets: [], events: [] };
    const members: string[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      members.push(entries[i] as string);
      page.cursor = Number(entries[i + 1]);
    }
    page.more = members.length === request.limit;
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
    const merges: Promise<unknown>[] = [
      ...changes.subjects.map(({ subject, state }) => this.mergeState(storeKeys.subject(subject), state)),
      ...changes.buckets.map(({ bucket, state }) => this.mergeState(storeKeys.bucket(bucket), state)),
      ...changes.events.map((event) =>
        this.scripts.mergeEvent(
          ...FEED_KEYS,
          EXPIRIES_KEY,
          storeKeys.event(event.id),
          storeKeys.subject(event.subject),
          candidate,
          JSON.stringify(event),
          event.at,
          event.replica,
          event.at + this.eventTtlMs,
          storeKeys.event(event.id),
          storeKeys.subject(event.subject),
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
    return this.scripts.mergeState(...FEED_KEYS, key, key, ...pairs);
  }

  private defineScript(name: string, lua: string, numberOfKeys: number): ScriptRunner {
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

function parseHash(value: unknown): CrdtState {
  const state: CrdtState = {};
  for (const [field, raw] of Object.entries((value ?? {}) as Record<string, string>))
    state[field] = Number(raw);
  return state;
}
