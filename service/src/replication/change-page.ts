import {
  FIELD_PATTERN,
  IDENTIFIER_PATTERN,
  POLICY_NAME_PATTERN,
  REPLICA_PATTERN,
} from '../domain/identifiers.js';
import type { CrdtState } from '../domain/crdt.js';
import type { RatingEvent } from '../domain/rating-event.js';
import type { ChangePage } from '../store/store.js';

const BUCKET_PATTERN = new RegExp(
  `${POLICY_NAME_PATTERN.source.slice(0, -1)}/${IDENTIFIER_PATTERN.source.slice(1)}`,
);

/**
 * Checks a peer's change page before it reaches the store: a peer is trusted to speak the protocol, but a bad
 * deployment must not be able to write odd keys or non-numbers into the CRDT state. Throws naming the problem.
 */
export function parseChangePage(value: unknown): ChangePage {
  const page = record(value, 'page');
  const epoch = text(page.epoch, 'epoch', REPLICA_PATTERN);
  const cursor = count(page.cursor, 'cursor');
  if (typeof page.more !== 'boolean') throw new Error('more must be a boolean');
  return {
    epoch,
    cursor,
    more: page.more,
    subjects: list(page.subjects, 'subjects').map((item, i) => {
      const entry = record(item, `subjects[${i}]`);
      return {
        subject: text(entry.subject, `subjects[${i}].subject`, IDENTIFIER_PATTERN),
        state: state(entry.state, `subjects[${i}].state`),
      };
    }),
    buckets: list(page.buckets, 'buckets').map((item, i) => {
      const entry = record(item, `buckets[${i}]`);
      return {
        bucket: text(entry.bucket, `buckets[${i}].bucket`, BUCKET_PATTERN),
        state: state(entry.state, `buckets[${i}].state`),
      };
    }),
    events: list(page.events, 'events').map((item, i) => event(item, `events[${i}]`)),
  };
}

function event(value: unknown, where: string): RatingEvent {
  const entry = record(value, where);
  const stars = count(entry.stars, `${where}.stars`);
  if (stars < 1 || stars > 5) throw new Error(`${where}.stars must be 1 to 5`);
  return {
    id: text(entry.id, `${where}.id`, IDENTIFIER_PATTERN),
    subject: text(entry.subject, `${where}.subject`, IDENTIFIER_PATTERN),
    actor: text(entry.actor, `${where}.actor`, IDENTIFIER_PATTERN),
    stars,
    replica: text(entry.replica, `${where}.replica`, REPLICA_PATTERN),
    at: count(entry.at, `${where}.at`),
    snapshot: state(entry.snapshot, `${where}.snapshot`),
  };
}

function state(value: unknown, where: string): CrdtState {
  const result: CrdtState = {};
  for (const [field, number] of Object.entries(record(value, where))) {
    if (!FIELD_PATTERN.test(field))
      throw new Error(`${where} has an unexpected field ${JSON.stringify(field.slice(0, 100))}`);
    if (typeof number !== 'number' || !Number.isFinite(number))
      throw new Error(`${where}.${field} must be a finite number`);
    result[field] = number;
  }
  return result;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array`);
  return value;
}

function text(value: unknown, where: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new Error(`${where} must match ${pattern.source}`);
  return value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new Error(`${where} must be a whole number`);
  return value;
}
