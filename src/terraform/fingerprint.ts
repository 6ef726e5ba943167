/**
 * The plan fingerprint: sha256 over a canonical form of what applying the plan would do. `apply-gate` compares
 * the fingerprint of the plan about to be applied with the one recorded in the approved plan comment.
 *
 * Canonical form: resource changes sorted by address (and deposed key), each with its actions, addresses
 * (current and previous), import target, before, after, after_unknown, before_sensitive, after_sensitive and
 * replace_paths; output changes sorted by name with the same fields; and the plan's errored/complete flags.
 * Object keys are sorted at every depth. Nothing that varies between two plans of the same change is included
 * (timestamp, terraform_version, format_version, prior_state, configuration, drift).
 *
 * Sensitive values are part of what would be applied (rotating a password is a change), but the fingerprint is
 * shown in the comment, so hashing them directly would let anyone who reads the PR test guesses of a weak
 * secret at sha256 speed. Each sensitive leaf is therefore replaced by a placeholder and all of them together
 * enter the hash only through scrypt (N=2^15, r=8), which makes each guess cost tens of milliseconds and some
 * 32 MiB of memory. A sensitive leaf is one the changes mark, and also any leaf that is or contains a value the
 * changes mark elsewhere (Terraform and providers echo secrets unmarked, e.g. `terraform_data.output`). Only the
 * changes' own marks count, so the fingerprint still depends on nothing but the fields listed above.
 */
import { createHash, scryptSync, type Hash } from 'node:crypto';
import type { MarkTree, RawChange, RawPlan } from './plan.js';
import { childMark, SensitiveValues } from './sensitive.js';

export const FINGERPRINT_PREFIX = 'sha256:';
const SCRYPT_SALT = 'openclaw-plan-fingerprint/v1';
const SCRYPT_OPTIONS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Writes canonical JSON into a hash in 64 KiB pieces, never building the whole document in memory. */
class CanonicalWriter {
  readonly secrets: unknown[] = [];
  private buffer = '';
  constructor(
    private readonly hash: Hash,
    private readonly known: SensitiveValues,
  ) {}

  /** JSON of object keys, cached: the same attribute names recur in every resource. */
  private readonly keyJson = new Map<string, string>();

  raw(text: string): void {
    this.buffer += text;
    if (this.buffer.length > 65536) this.flush();
  }

  flush(): void {
    this.hash.update(this.buffer);
    this.buffer = '';
  }

  private secret(value: unknown): void {
    this.secrets.push(value ?? null);
    this.raw('{"$sensitive":' + String(this.secrets.length) + '}');
  }

  /**
   * Canonical JSON of `value`. A leaf is replaced and collected when `sensitive` marks it, or when it is, or
   * holds, a value the plan marks sensitive somewhere (Terraform and providers echo secrets unmarked); an object
   * keyed by such a value is a secret as a whole.
   */
  value(value: unknown, sensitive: MarkTree = undefined): void {
    if (sensitive === true) return this.secret(value);
    const known = this.known;
    switch (typeof value) {
      case 'string':
        if (value !== '' && known.size > 0 && known.contains(value)) return this.secret(value);
        return this.raw(JSON.stringify(value));
      case 'number':
        if (known.size > 0 && known.isSensitive(String(value))) return this.secret(value);
        return this.raw(JSON.stringify(value));
      case 'boolean':
        return this.raw(value ? 'true' : 'false');
      case 'object':
        break;
      default:
        return this.raw('null');
    }
    if (value === null) return this.raw('null');
    const marks =
      sensitive !== null && sensitive !== undefined && sensitive !== false ? sensitive : undefined;
    if (known.size === 0 && marks === undefined) {
      // nothing secret can be inside: let the engine write it, with keys sorted where they are not already
      return this.raw(JSON.stringify(value, sortedKeys));
    }
    if (Array.isArray(value)) {
      this.raw('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.raw(',');
        this.value(value[i], marks === undefined ? undefined : childMark(marks, i));
      }
      this.raw(']');
      return;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compare);
    if (known.size > 0) {
      for (const key of keys) if (key.length > 0 && known.contains(key)) return this.secret(value);
    }
    this.raw('{');
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      let json = this.keyJson.get(key);
      if (json === undefined) this.keyJson.set(key, (json = JSON.stringify(key) + ':'));
      this.raw(first ? json : ',' + json);
      first = false;
      this.value(item, marks === undefined ? undefined : childMark(marks, key));
    }
    this.raw('}');
  }

  field(name: string, write: () => void, first = false): void {
    this.raw(`${first ? '' : ','}${JSON.stringify(name)}:`);
    write();
  }

  change(change: RawChange): void {
    this.field('actions', () => this.value(change.actions), true);
    this.field('before', () => this.value(change.before ?? null, change.before_sensitive));
    this.field('after', () => this.value(change.after ?? null, change.after_sensitive));
    this.field('after_unknown', () => this.value(change.after_unknown ?? null));
    this.field('before_sensitive', () => this.value(change.before_sensitive ?? null));
    this.field('after_sensitive', () => this.value(change.after_sensitive ?? null));
    this.field('replace_paths', () => this.value(change.replace_paths ?? null));
    this.field('importing', () => this.value(change.importing ?? null));
  }
}

/** A JSON.stringify replacer that writes every object with its keys in code-unit order (as `value` does). */
function sortedKeys(this: unknown, _key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      const sorted: Record<string, unknown> = {};
      for (const k of keys.sort(compare)) sorted[k] = (value as Record<string, unknown>)[k];
      return sorted;
    }
  }
  return value;
}

/** Every value the hashed changes mark sensitive (not prior_state, planned_values or the configuration). */
function markedInChanges(plan: RawPlan): SensitiveValues {
  const values = new SensitiveValues();
  const changes = [
    ...(plan.resource_changes ?? []).map((rc) => rc.change),
    ...Object.values(plan.output_changes ?? {}),
  ];
  for (const change of changes) {
    values.addMarked(change.before, change.before_sensitive);
    values.addMarked(change.after, change.after_sensitive);
  }
  return values;
}

export function planFingerprint(plan: RawPlan): string {
  const hash = createHash('sha256');
  const w = new CanonicalWriter(hash, markedInChanges(plan));
  w.raw('{"openclaw_plan_fingerprint":1');
  w.field('errored', () => w.value(plan.errored === true));
  w.field('complete', () => w.value(plan.complete !== false));
  w.field('resource_changes', () => {
    const sorted = [...(plan.resource_changes ?? [])].sort((a, b) =>
      a.address === b.address ? compare(a.deposed ?? '', b.deposed ?? '') : compare(a.address, b.address),
    );
    w.raw('[');
    sorted.forEach((rc, i) => {
      w.raw(i === 0 ? '{' : ',{');
      w.field('address', () => w.value(rc.address), true);
      w.field('previous_address', () => w.value(rc.previous_address ?? null));
      w.field('deposed', () => w.value(rc.deposed ?? null));
      w.raw(',');
      w.change(rc.change);
      w.raw('}');
    });
    w.raw(']');
  });
  w.field('output_changes', () => {
    const names = Object.keys(plan.output_changes ?? {}).sort(compare);
    w.raw('[');
    names.forEach((name, i) => {
      w.raw(i === 0 ? '{' : ',{');
      w.field('name', () => w.value(name), true);
      w.raw(',');
      w.change(plan.output_changes![name]!);
      w.raw('}');
    });
    w.raw(']');
  });
  w.raw('}');
  w.flush();
  if (w.secrets.length > 0) {
    const material = JSON.stringify(w.secrets.map(canonicalJson));
    hash.update('\n' + scryptSync(material, SCRYPT_SALT, 32, SCRYPT_OPTIONS).toString('hex'));
  }
  return FINGERPRINT_PREFIX + hash.digest('hex');
}

/** Canonical JSON (sorted keys) as a string, for small values. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(compare);
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
