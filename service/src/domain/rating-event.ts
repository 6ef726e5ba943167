import type { CrdtState } from './crdt.js';

/** What a client sends to record a rating; `id` is the client's event id (the idempotency key). */
export interface RatingRequest {
  id: string;
  subject: string;
  actor: string;
  stars: number;
}

/**
 * A recorded rating, kept for the idempotency window and replicated to peers: `replica` recorded it at `at`,
 * and `snapshot` is the subject's state just after, from which the response is rebuilt on a retry.
 */
export interface RatingEvent extends RatingRequest {
  replica: string;
  at: number;
  snapshot: CrdtState;
}

/** A retry is the same request; the same id with another subject, actor or stars is a conflict. */
export function isSameRequest(event: RatingEvent, request: RatingRequest): boolean {
  return event.subject === request.subject && event.actor === request.actor && event.stars === request.stars;
}

/**
 * When two regions recorded the same event id (a retry after a failover, before replication), the earlier
 * record wins (ties broken by replica id) and the loser's replica retracts its own count.
 * Mirrored by `precedes` in the Redis store's Lua.
 */
export function precedes(
  a: Pick<RatingEvent, 'at' | 'replica'>,
  b: Pick<RatingEvent, 'at' | 'replica'>,
): boolean {
  return a.at < b.at || (a.at === b.at && a.replica < b.replica);
}
