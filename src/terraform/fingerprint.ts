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
 * 32 MiB of memory.
 */
import { createHash, scryptSync, type Hash } from 'node:crypto';
import type { MarkTree, RawChange, RawPlan } from './plan.js';
import { childMark } from './sensitive.js';

export const FINGERPRINT_PREFIX = 'sha256:';
const SCRYPT_SALT = 'openclaw-plan-fingerprint/v1';
const SCRYPT_OPTIONS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Writes canonical JSON into a hash in 64 KiB pieces, never building the whole document in memory. */
class CanonicalWriter {
  readonly secrets: unknown[] = [];
  private buffer = '';
  constructor(private readonly hash: Hash) {}

  raw(text: string): void {
    this.buffer += text;
    if (this.buffer.length > 65536) this.flush();
  }

  flush(): void {
    this.hash.update(this.buffer);
    this.buffer = '';
  }

  /** Canonical JSON of `value`; leaves marked by `sensitive` are replaced and collected. */
  value(value: unknown, sensitive: MarkTree = undefined): void {
    if (sensitive === true) {
      this.secrets.push(value ?? null);
      this.raw('{"$sensitive":' + String(this.secrets.length) + '}');
      return;
    }
    if (value === null || value === undefined) {
      this.raw('null');
    } else if (Array.isArray(value)) {
      this.raw('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.raw(',');
        this.value(value[i], childMark(sensitive, i));
      }
      this.raw(']');
    } else if (typeof value === 'object') {
      const keys = Object.keys(value).sort();
      this.raw('{');
      let first = true;
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (!first) this.raw(',');
        first = false;
        this.raw(JSON.stringify(key) + ':');
        this.value(item, childMark(sensitive, key));
      }
      this.raw('}');
    } else {
      this.raw(JSON.stringify(value));
    }
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

export function planFingerprint(plan: RawPlan): string {
  const hash = createHash('sha256');
  const w = new CanonicalWriter(hash);
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
