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
 * secret at sha256 speed. So every value the changes mark sensitive is replaced in the canonical form by its
 * position in the sorted list of all of them (`{"$s":3}`: the same secret in two places gets the same number, and
 * moving secrets between attributes changes the numbers), and the list itself enters the hash only through scrypt
 * (N=2^15, r=8), which makes each guess cost tens of milliseconds and some 32 MiB of memory. Terraform and
 * providers also echo secrets unmarked (`terraform_data.output`, connection strings): an unmarked leaf equal to a
 * marked value gets its number too, and one that merely holds a marked value (or an object keyed by one) is
 * replaced by `{"$e":n}` and goes, in order, into a second list that also enters only through scrypt. Only the
 * changes' own marks count, so the fingerprint still depends on nothing but the fields listed above.
 *
 * The list of marked values is known before the walk, so `planFingerprintAsync` derives its key on libuv's
 * thread pool while the canonical form is hashed.
 */
import { createHash, scrypt, scryptSync, type Hash } from 'node:crypto';
import type { MarkTree, RawChange, RawPlan } from './plan.js';
import { childMark, SensitiveValues } from './sensitive.js';

export const FINGERPRINT_PREFIX = 'sha256:';
const SCRYPT_SALT = 'openclaw-plan-fingerprint/v1';
const SCRYPT_OPTIONS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Writes canonical JSON into a hash in 64 KiB pieces, never building the whole document in memory. */
class CanonicalWriter {
  /** Leaves that hold a marked value without being one, in walk order. */
  readonly echoes: unknown[] = [];
  private buffer = '';
  /** JSON of object keys, cached: the same attribute names recur in every resource. */
  private readonly keyJson = new Map<string, string>();

  constructor(
    private readonly hash: Hash,
    private readonly known: SensitiveValues,
    /** Position of each marked value in their sorted list. */
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  raw(text: string): void {
    this.buffer += text;
    if (this.buffer.length > 65536) this.flush();
  }

  flush(): void {
    this.hash.update(this.buffer);
    this.buffer = '';
  }

  /** A marked value with every string and number leaf replaced by its number in the sorted list. */
  private numbered(value: unknown): unknown {
    if (typeof value === 'string') return value === '' ? '' : (this.index.get(value) ?? value);
    if (typeof value === 'number') return this.index.get(String(value)) ?? value;
    if (value === null || typeof value !== 'object') return value ?? null;
    if (Array.isArray(value)) return value.map((item) => this.numbered(item));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compare))
      out[key] = this.numbered((value as Record<string, unknown>)[key]);
    return out;
  }

  private marked(value: unknown): void {
    this.raw('{"$s":' + JSON.stringify(this.numbered(value)) + '}');
  }

  private echo(value: unknown): void {
    this.echoes.push(typeof value === 'object' && value !== null ? canonicalJson(value) : value);
    this.raw('{"$e":' + String(this.echoes.length) + '}');
  }

  /** Canonical JSON of `value`, with sensitive values replaced as the file's header describes. */
  value(value: unknown, sensitive: MarkTree = undefined): void {
    if (sensitive === true) return this.marked(value);
    const known = this.known;
    switch (typeof value) {
      case 'string':
        if (value === '' || known.size === 0) return this.raw(JSON.stringify(value));
        if (known.isSensitive(value)) return this.marked(value);
        if (known.contains(value)) return this.echo(value);
        return this.raw(JSON.stringify(value));
      case 'number':
        if (known.size > 0 && known.isSensitive(String(value))) return this.marked(value);
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
    // Fast path: replace the marked leaves (a copy along the marked paths only), let the engine write the rest
    // with sorted keys, and keep the text unless a marked value shows up in it anyway: then walk leaf by leaf.
    const masked = marks === undefined ? value : this.maskMarked(value, marks);
    // Terraform writes keys sorted: checking that is much cheaper than a replacer that sorts
    const json = keysSorted(masked) ? JSON.stringify(masked) : JSON.stringify(masked, sortedKeys);
    if (!known.foundInJson(json)) return this.raw(json);
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
    for (const key of keys) if (key.length > 0 && known.contains(key)) return this.echo(value);
    this.raw('{');
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      let keyText = this.keyJson.get(key);
      if (keyText === undefined) this.keyJson.set(key, (keyText = JSON.stringify(key) + ':'));
      this.raw(first ? keyText : ',' + keyText);
      first = false;
      this.value(item, marks === undefined ? undefined : childMark(marks, key));
    }
    this.raw('}');
  }

  /** `value` with the leaves `marks` marks replaced by their placeholders. */
  private maskMarked(value: unknown, marks: MarkTree): unknown {
    if (marks === true) return { $s: this.numbered(value) };
    if (
      marks === null ||
      marks === undefined ||
      typeof marks !== 'object' ||
      value === null ||
      typeof value !== 'object'
    )
      return value;
    if (Array.isArray(value)) return value.map((item, i) => this.maskMarked(item, childMark(marks, i)));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      out[key] = this.maskMarked((value as Record<string, unknown>)[key], childMark(marks, key));
    return out;
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

/** True when every object in `value` has its keys in code-unit order already. */
function keysSorted(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const item of value)
      if (item !== null && typeof item === 'object' && !keysSorted(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && previous > key) return false;
    previous = key;
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object' && !keysSorted(item)) return false;
  }
  return true;
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

/** The marked values in their sorted order, and each one's position. */
function markedList(plan: RawPlan): { known: SensitiveValues; sorted: string[]; index: Map<string, number> } {
  const known = markedInChanges(plan);
  const sorted = [...known.exact].sort(compare);
  return { known, sorted, index: new Map(sorted.map((v, i) => [v, i])) };
}

/** Hash the canonical form; returns the hash (not yet digested) and the echoes found on the way. */
function hashCanonical(
  plan: RawPlan,
  known: SensitiveValues,
  index: ReadonlyMap<string, number>,
): { hash: Hash; echoes: unknown[] } {
  const hash = createHash('sha256');
  const w = new CanonicalWriter(hash, known, index);
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
  return { hash, echoes: w.echoes };
}

function finish(hash: Hash, derived: (Buffer | undefined)[]): string {
  for (const key of derived) if (key) hash.update('\n' + key.toString('hex'));
  return FINGERPRINT_PREFIX + hash.digest('hex');
}

const material = (values: unknown[]): string => JSON.stringify(values);

export function planFingerprint(plan: RawPlan): string {
  const { known, sorted, index } = markedList(plan);
  const { hash, echoes } = hashCanonical(plan, known, index);
  return finish(hash, [
    sorted.length ? scryptSync(material(sorted), SCRYPT_SALT, 32, SCRYPT_OPTIONS) : undefined,
    echoes.length ? scryptSync(material(echoes), SCRYPT_SALT, 32, SCRYPT_OPTIONS) : undefined,
  ]);
}

function scryptAsync(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(text, SCRYPT_SALT, 32, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * The same fingerprint, with the key derivation of the marked values on libuv's thread pool while the canonical
 * form is hashed (and the caller's report renders).
 */
export async function planFingerprintAsync(plan: RawPlan): Promise<string> {
  const { known, sorted, index } = markedList(plan);
  const markedKey = sorted.length ? scryptAsync(material(sorted)) : Promise.resolve(undefined);
  const { hash, echoes } = hashCanonical(plan, known, index);
  const echoKey = echoes.length ? await scryptAsync(material(echoes)) : undefined;
  return finish(hash, [await markedKey, echoKey]);
}

/** The length of every fingerprint: a report can be rendered with a placeholder of this length first. */
export const FINGERPRINT_LENGTH = FINGERPRINT_PREFIX.length + 64;

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
