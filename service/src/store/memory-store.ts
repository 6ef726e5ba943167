import { randomBytes } from 'node:crypto';
import { mergeInto, replicaField } from '../domain/crdt.js';
import type { CrdtState } from '../domain/crdt.js';
import { recordedCounter, retractedCounter, UPDATED_AT_COUNTER } from '../domain/rating.js';
import { isSameRequest, precedes } from '../domain/rating-event.js';
import type { RatingEvent, RatingRequest } from '../domain/rating-event.js';
import { bucketLevel, CONSUMED_COUNTER, describeTake, PEAK_FIELD } from '../domain/token-bucket.js';
import type { TakeResult } from '../domain/token-bucket.js';
import { ChangeLog } from './change-log.js';
import { parseFeedMember, storeKeys } from './store.js';
import type { BucketTake, ChangePage, ChangeRequest, ChangeSet, RecordOutcome, Store } from './store.js';

export interface MemoryStoreOptions {
  region: string;
  /** How long an event id is remembered (the idempotency window). */
  eventTtlMs: number;
}

/** Expired events removed per write, so the sweep cost stays flat. */
const SWEEP_BATCH = 16;

/**
 * The embedded store: plain maps in this process, lost when it exits (the region then comes back as a new
 * replica and catches up from its peers). Every operation runs to completion synchronously, so it is atomic.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  /** This store's replica id, which is also its feed epoch: new for every process (the data is new too). */
  readonly replica: string;
  private readonly eventTtlMs: number;
  private readonly subjects = new Map<string, CrdtState>();
  private readonly buckets = new Map<string, CrdtState>();
  /** Insertion order is roughly expiry order, which the sweep relies on. */
  private readonly events = new Map<string, { event: RatingEvent; expiresAt: number }>();
  private readonly feed = new ChangeLog();

  constructor(options: MemoryStoreOptions) {
    this.replica = `${options.region}.${randomBytes(5).toString('hex')}`;
    this.eventTtlMs = options.eventTtlMs;
  }

  async recordRating(request: RatingRequest, limit: BucketTake, nowMs: number): Promise<RecordOutcome> {
    this.sweepExpiredEvents(nowMs);
    const known = this.liveEvent(request.id, nowMs);
    if (known !== undefined) {
      return { kind: isSameRequest(known, request) ? 'replayed' : 'conflict', event: known };
    }
    const take = this.takeNow(limit, nowMs);
    if (!take.allowed) return { kind: 'limited', take };

    const state = this.stateOf(this.subjects, request.subject);
    increment(state, replicaField(this.replica, recordedCounter(request.stars)), 1);
    const updatedAt = replicaField(this.replica, UPDATED_AT_COUNTER);
    state[updatedAt] = Math.max(state[updatedAt] ?? 0, nowMs);
    this.feed.record(storeKeys.subject(request.subject));

    const event: RatingEvent = { ...request, replica: this.replica, at: nowMs, snapshot: { ...state } };
    this.storeEvent(event);
    return { kind: 'recorded', event, take };
  }

  async readRating(subject: string): Promise<Readonly<CrdtState>> {
    return this.subjects.get(subject) ?? {};
  }

  async take(take: BucketTake, nowMs: number): Promise<TakeResult> {
    return this.takeNow(take, nowMs);
  }

  async readChanges(request: ChangeRequest): Promise<ChangePage> {
    const since = request.epoch === this.replica ? request.since : 0;
    const page: ChangePage = {
      epoch: this.replica,
      cursor: since,
      more: false,
      subjects: [],
      buckets: [],
      events: [],
    };
    const { changes, more } = this.feed.readAfter(since, request.limit);
    page.more = more;
    for (const { member, position } of changes) {
      page.cursor = position;
      const entry = parseFeedMember(member);
      if (entry?.kind === 'subject') {
        page.subjects.push({ subject: entry.name, state: { ...this.stateOf(this.subjects, entry.name) } });
      } else if (entry?.kind === 'bucket') {
        page.buckets.push({ bucket: entry.name, state: { ...this.stateOf(this.buckets, entry.name) } });
      } else if (entry?.kind === 'event') {
        const stored = this.events.get(entry.name);
        if (stored !== undefined) page.events.push(stored.event);
      }
    }
    return page;
  }

  async applyChanges(changes: ChangeSet, nowMs: number): Promise<number> {
    let changed = 0;
    for (const { subject, state } of changes.subjects) {
      if (mergeInto(this.stateOf(this.subjects, subject), state)) {
        this.feed.record(storeKeys.subject(subject));
        changed += 1;
      }
    }
    for (const { bucket, state } of changes.buckets) {
      if (mergeInto(this.stateOf(this.buckets, bucket), state)) {
        this.feed.record(storeKeys.bucket(bucket));
        changed += 1;
      }
    }
    for (const event of changes.events) {
      if (this.applyEvent(event, nowMs)) changed += 1;
    }
    return changed;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private takeNow({ bucket, policy, cost }: BucketTake, nowMs: number): TakeResult {
    const state = this.stateOf(this.buckets, bucket);
    const level = bucketLevel(state, policy, nowMs);
    const result = describeTake(level.tokens, policy, cost);
    const peakRose = state[PEAK_FIELD] !== level.peak;
    state[PEAK_FIELD] = level.peak;
    if (result.allowed) increment(state, replicaField(this.replica, CONSUMED_COUNTER), cost);
    if (result.allowed || peakRose) this.feed.record(storeKeys.bucket(bucket));
    return result;
  }

  /** A peer's event: kept when new here or earlier than ours; when ours loses, our count is retracted. */
  private applyEvent(event: RatingEvent, nowMs: number): boolean {
    const expiresAt = event.at + this.eventTtlMs;
    if (expiresAt <= nowMs) return false;
    const mine = this.liveEvent(event.id, nowMs);
    if (mine !== undefined) {
      if (!precedes(event, mine)) return false;
      if (mine.replica === this.replica) {
        increment(
          this.stateOf(this.subjects, mine.subject),
          replicaField(this.replica, retractedCounter(mine.stars)),
          1,
        );
        this.feed.record(storeKeys.subject(mine.subject));
      }
    }
    this.storeEvent(event);
    return true;
  }

  private storeEvent(event: RatingEvent): void {
    this.events.delete(event.id);
    this.events.set(event.id, { event, expiresAt: event.at + this.eventTtlMs });
    this.feed.record(storeKeys.event(event.id));
  }

  private liveEvent(id: string, nowMs: number): RatingEvent | undefined {
    const stored = this.events.get(id);
    return stored !== undefined && stored.expiresAt > nowMs ? stored.event : undefined;
  }

  private sweepExpiredEvents(nowMs: number): void {
    let checked = 0;
    for (const [id, { expiresAt }] of this.events) {
      if (checked++ === SWEEP_BATCH || expiresAt > nowMs) break;
      this.events.delete(id);
      this.feed.forget(storeKeys.event(id));
    }
  }

  private stateOf(map: Map<string, CrdtState>, name: string): CrdtState {
    let state = map.get(name);
    if (state === undefined) {
      state = {};
      map.set(name, state);
    }
    return state;
  }
}

function increment(state: CrdtState, field: string, by: number): void {
  state[field] = (state[field] ?? 0) + by;
}
