import type { CrdtState } from '../domain/crdt.js';
import type { RatingEvent, RatingRequest } from '../domain/rating-event.js';
import type { BucketPolicy, TakeResult } from '../domain/token-bucket.js';

/** A take of `cost` tokens from the bucket `bucket` (see `bucketId`) under `policy`. */
export interface BucketTake {
  bucket: string;
  policy: BucketPolicy;
  cost: number;
}

export type RecordOutcome =
  | { kind: 'recorded'; event: RatingEvent; take: TakeResult }
  /** The event id was seen before with the same request: the stored event, not counted again. */
  | { kind: 'replayed'; event: RatingEvent }
  /** The event id was seen before with another subject, actor or stars. */
  | { kind: 'conflict'; event: RatingEvent }
  | { kind: 'limited'; take: TakeResult };

/** States and events that changed, as exchanged between regions. */
export interface ChangeSet {
  subjects: { subject: string; state: CrdtState }[];
  buckets: { bucket: string; state: CrdtState }[];
  events: RatingEvent[];
}

/** One page of a store's change feed. */
export interface ChangePage extends ChangeSet {
  /** Identifies the feed; when it differs from the one a reader had, the reader starts again from 0. */
  epoch: string;
  /** The position to read from next. */
  cursor: number;
  /** True when the page was full and more changes may follow. */
  more: boolean;
}

export interface ChangeRequest {
  epoch: string | undefined;
  since: number;
  limit: number;
}

/**
 * Where ratings, buckets and idempotency records live. Every read-modify-write is atomic. Implementations:
 * `MemoryStore` (embedded, one process) and `RedisStore` (Lua scripts). `test/store-contract.test.ts` runs the
 * same suite against both.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';
  /**
   * Records a rating unless its event id is known (then replays or reports a conflict), taking `limit` first:
   * a denied take records nothing.
   */
  recordRating(request: RatingRequest, limit: BucketTake, nowMs: number): Promise<RecordOutcome>;
  readRating(subject: string): Promise<Readonly<CrdtState>>;
  take(take: BucketTake, nowMs: number): Promise<TakeResult>;
  /** Changes made after position `since` of the feed `epoch` (from the start when the epoch is another). */
  readChanges(request: ChangeRequest): Promise<ChangePage>;
  /** Merges a peer's changes; returns how many subjects, buckets and events changed here. */
  applyChanges(changes: ChangeSet, nowMs: number): Promise<number>;
  /** Resolves when the store can serve; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store cannot be reached or cannot serve right now: the request may be retried (HTTP 503). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** A bucket is a (policy, key) pair: the same key under two policies is two buckets. */
export function bucketId(policy: string, key: string): string {
  return `${policy}/${key}`;
}

/**
 * Logical key names, shared by both stores: the Redis keys (under the store's prefix) and the members of the
 * change feed, which names what changed.
 */
export const storeKeys = {
  subject: (subject: string) => `subject:${subject}`,
  bucket: (bucket: string) => `bucket:${bucket}`,
  event: (id: string) => `event:${id}`,
};

export function parseFeedMember(
  member: string,
): { kind: 'subject' | 'bucket' | 'event'; name: string } | undefined {
  const colon = member.indexOf(':');
  const kind = member.slice(0, colon);
  const name = member.slice(colon + 1);
  if (kind === 'subject' || kind === 'bucket' || kind === 'event') return { kind, name };
  return undefined;
}
