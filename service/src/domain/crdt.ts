/**
 * The replicated state of one subject or one bucket, as plain data: a flat map from field name to number in
 * which every entry is a max-register. A G-counter is one such entry per replica (each replica only ever
 * increments its own entry), a "latest time" or "highest level" is a single entry; merging two states takes
 * the per-field maximum, which is commutative, associative and idempotent, so replicas converge whatever the
 * order, repetition or grouping in which they exchange states.
 *
 * Field names are `<replica>|<counter>` for per-replica entries (see `replicaField`) and a bare name for shared
 * max-registers. The Redis store's Lua scripts use the same layout.
 */
export type CrdtState = Record<string, number>;

export function replicaField(replica: string, counter: string): string {
  return `${replica}|${counter}`;
}

/** Splits `<replica>|<counter>` into its parts; undefined for a shared register. */
export function parseReplicaField(field: string): { replica: string; counter: string } | undefined {
  const bar = field.lastIndexOf('|');
  if (bar < 0) return undefined;
  return { replica: field.slice(0, bar), counter: field.slice(bar + 1) };
}

/** The join of two states: every field at its maximum. Neither input is modified. */
export function mergeStates(a: Readonly<CrdtState>, b: Readonly<CrdtState>): CrdtState {
  const merged: CrdtState = { ...a };
  mergeInto(merged, b);
  return merged;
}

/** Joins `source` into `target` in place; true when `target` changed. */
export function mergeInto(target: CrdtState, source: Readonly<CrdtState>): boolean {
  let changed = false;
  for (const [field, value] of Object.entries(source)) {
    const current = target[field];
    if (current === undefined || value > current) {
      target[field] = value;
      changed = true;
    }
  }
  return changed;
}

/** Sum over replicas of the per-replica entries named `counter`. */
export function sumCounter(state: Readonly<CrdtState>, counter: string): number {
  let total = 0;
  for (const [field, value] of Object.entries(state)) {
    if (parseReplicaField(field)?.counter === counter) total += value;
  }
  return total;
}
