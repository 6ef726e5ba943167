/**
 * Sensitive values: where the plan marks them, and every value so marked, so that nothing derived from the plan
 * can show one.
 *
 * Masking works on two levels. Structurally, a value at a path that `before_sensitive`/`after_sensitive` (or a
 * sensitive output or variable) marks is never rendered. By value, every marked leaf is collected: a leaf shown
 * anywhere else that equals one is masked, and a longer string that contains one has it cut out. The second
 * level matters: Terraform does not always carry the mark along (a `terraform_data.output` echoes its sensitive
 * `input` unmarked; providers echo secrets in computed attributes such as connection strings).
 */
import type { MarkTree, RawPlan, RawStateModule } from './plan.js';

/** Values shorter than this are only masked where they stand whole, not cut out of longer strings. */
export const MIN_REDACT_LENGTH = 3;
export const SENSITIVE_PLACEHOLDER = '(sensitive value)';
const REDACTED = '(sensitive)';

export function isMarked(tree: MarkTree): boolean {
  return tree === true;
}

/** The subtree of a mark tree for an object key or list index; `true` covers its whole subtree. */
export function childMark(tree: MarkTree, key: string | number): MarkTree {
  if (tree === true) return true;
  if (tree === null || tree === undefined || typeof tree !== 'object') return undefined;
  if (Array.isArray(tree)) return typeof key === 'number' ? tree[key] : undefined;
  return typeof key === 'string' ? tree[key] : undefined;
}

export class SensitiveValues {
  /** Every marked leaf, as the string it would render as. */
  readonly exact = new Set<string>();
  private patterns: PatternSet | undefined;
  private jsonPatterns: PatternSet | undefined;
  private jsonDirty = false;
  private dirty = false;

  add(value: unknown): void {
    if (typeof value === 'string') {
      if (value !== '') this.addString(value);
    } else if (typeof value === 'number') {
      this.addString(String(value));
    } else if (Array.isArray(value)) {
      for (const item of value) this.add(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) this.add(item);
    }
    // booleans and null are masked where they stand (structurally), never searched for: "true" is everywhere.
  }

  private addString(text: string): void {
    if (this.exact.has(text)) return;
    this.exact.add(text);
    this.dirty = true;
    this.jsonDirty = true;
  }

  /** Add every leaf of `value` that `marks` marks sensitive. */
  addMarked(value: unknown, marks: MarkTree): void {
    if (marks === true) {
      this.add(value);
      return;
    }
    if (marks === null || marks === undefined || typeof marks !== 'object') return;
    // walk the marks, not the value: a mark tree is sparse (mostly `{}`), a value can be large
    if (Array.isArray(value)) {
      if (!Array.isArray(marks)) return;
      const n = Math.min(marks.length, value.length);
      for (let i = 0; i < n; i++) this.addMarked(value[i], marks[i]);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(marks)) {
      for (const key of Object.keys(marks)) {
        if (Object.hasOwn(value, key)) this.addMarked((value as Record<string, unknown>)[key], marks[key]);
      }
    }
  }

  get size(): number {
    return this.exact.size;
  }

  /** True when a leaf, rendered as `text`, is itself a sensitive value. */
  isSensitive(text: string): boolean {
    return this.exact.has(text);
  }

  private matcher(): PatternSet {
    if (this.dirty || !this.patterns) {
      this.patterns = new PatternSet([...this.exact].filter((s) => s.length >= MIN_REDACT_LENGTH));
      this.dirty = false;
    }
    return this.patterns;
  }

  /** `text` with every sensitive value of at least MIN_REDACT_LENGTH characters inside it replaced. */
  redact(text: string): string {
    if (this.exact.size === 0) return text;
    return this.matcher().replaceAll(text, REDACTED);
  }

  /**
   * True when JSON text may hold a sensitive value: one of at least MIN_REDACT_LENGTH characters, as it is or
   * as JSON escapes it. A quick check before a value is walked leaf by leaf.
   */
  foundInJson(json: string): boolean {
    if (this.exact.size === 0) return false;
    if (this.jsonDirty || !this.jsonPatterns) {
      const forms = new Set<string>();
      for (const s of this.exact) {
        if (s.length < MIN_REDACT_LENGTH) continue;
        forms.add(s);
        const escaped = JSON.stringify(s).slice(1, -1);
        if (escaped !== s) forms.add(escaped);
      }
      this.jsonPatterns = new PatternSet([...forms]);
      this.jsonDirty = false;
    }
    return this.jsonPatterns.found(json);
  }

  /** True when `text` is a sensitive value or holds one (of at least MIN_REDACT_LENGTH characters). */
  contains(text: string): boolean {
    if (this.exact.size === 0) return false;
    if (text.length < MIN_REDACT_LENGTH) return this.exact.has(text);
    return this.matcher().found(text);
  }

  /** Strings to register with the runner's log masking (`core.setSecret`): each line of each value. */
  secretsForLog(): string[] {
    const out = new Set<string>();
    for (const value of this.exact) {
      for (const line of value.split(/\r?\n/)) {
        if (line.trim().length >= MIN_REDACT_LENGTH) out.add(line);
      }
    }
    return [...out];
  }
}

/** Collect every sensitive value a plan holds, from all the places Terraform marks one. */
export function collectSensitiveValues(plan: RawPlan): SensitiveValues {
  const values = new SensitiveValues();
  for (const list of [plan.resource_changes, plan.resource_drift]) {
    for (const rc of list ?? []) {
      values.addMarked(rc.change.before, rc.change.before_sensitive);
      values.addMarked(rc.change.after, rc.change.after_sensitive);
    }
  }
  for (const deferred of plan.deferred_changes ?? []) {
    const change = deferred.resource_change.change;
    values.addMarked(change.before, change.before_sensitive);
    values.addMarked(change.after, change.after_sensitive);
  }
  for (const change of Object.values(plan.output_changes ?? {})) {
    values.addMarked(change.before, change.before_sensitive);
    values.addMarked(change.after, change.after_sensitive);
  }
  const sensitiveOutputs = new Set<string>();
  const configOutputs = plan.configuration?.root_module?.outputs ?? {};
  for (const [name, output] of Object.entries(configOutputs))
    if (output.sensitive) sensitiveOutputs.add(name);
  for (const outputs of [plan.planned_values?.outputs, plan.prior_state?.values?.outputs]) {
    for (const [name, output] of Object.entries(outputs ?? {})) {
      if (output.sensitive || sensitiveOutputs.has(name)) values.add(output.value);
    }
  }
  for (const name of sensitiveOutputs) {
    const change = plan.output_changes?.[name];
    if (change) {
      values.add(change.before);
      values.add(change.after);
    }
  }
  const configVariables = plan.configuration?.root_module?.variables ?? {};
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (configVariables[name]?.sensitive) values.add(variable.value);
  }
  collectFromModule(values, plan.planned_values?.root_module);
  collectFromModule(values, plan.prior_state?.values?.root_module);
  return values;
}

function collectFromModule(values: SensitiveValues, module: RawStateModule | undefined): void {
  if (!module) return;
  for (const resource of module.resources ?? []) values.addMarked(resource.values, resource.sensitive_values);
  for (const child of module.child_modules ?? []) collectFromModule(values, child);
}

/**
 * Finds any of many patterns (all at least MIN_REDACT_LENGTH code units long) in a text in about one pass: a
 * 64 Ki-entry table of the patterns' first three code units (hashed) rules out almost every position at the cost
 * of one array read, and a trie of the patterns is walked only from the positions that pass. Plans hold many
 * megabytes of values and can hold thousands of secrets; a scan per secret, or an patterns that looks up a map
 * at every character, is too slow for that.
 */
class PatternSet {
  private readonly heads = new Uint8Array(65536);
  /** Trie: per node, transitions by code unit and the length of a pattern ending there (0: none). */
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly end: number[] = [0];
  private readonly empty: boolean;
  /**
   * When every pattern is at least STRIDE_MIN_LENGTH long, `found` reads only every `stride`-th position: any
   * occurrence covers one of them, at an offset below `stride`, so a 2^20-entry table of every pattern's
   * four-code-unit grams at offsets 0 to stride-1 rules out almost all sampled positions. 0: no stride.
   */
  private readonly stride: number;
  private readonly grams: Uint8Array | undefined;

  constructor(patterns: string[]) {
    this.empty = patterns.length === 0;
    const shortest = patterns.reduce((min, pattern) => Math.min(min, pattern.length), Infinity);
    this.stride = !this.empty && shortest >= STRIDE_MIN_LENGTH ? shortest - 3 : 0;
    if (this.stride > 0) {
      const grams = new Uint8Array(GRAM_TABLE_SIZE);
      for (const pattern of patterns)
        for (let offset = 0; offset < this.stride; offset++) grams[gram4(pattern, offset)] = 1;
      this.grams = grams;
    }
    for (const pattern of patterns) {
      this.heads[trigram(pattern, 0)] = 1;
      let node = 0;
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i);
        let to = this.next[node]!.get(c);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.end.push(0);
          this.next[node]!.set(c, to);
        }
        node = to;
      }
      this.end[node] = pattern.length;
    }
  }

  /** Length of the longest pattern that starts at `at`, 0 when none does. */
  private longestAt(text: string, at: number): number {
    let node = 0;
    let longest = 0;
    for (let i = at; i < text.length; i++) {
      const to = this.next[node]!.get(text.charCodeAt(i));
      if (to === undefined) break;
      node = to;
      if (this.end[node]! > 0) longest = this.end[node]!;
    }
    return longest;
  }

  /** True when any pattern occurs in `text`. */
  found(text: string): boolean {
    if (this.empty) return false;
    if (this.grams !== undefined) return this.foundStrided(text, this.grams);
    const heads = this.heads;
    const n = text.length;
    if (n < MIN_REDACT_LENGTH) return false;
    // a rolling trigram: one new code unit per position
    let c0 = text.charCodeAt(0);
    let c1 = text.charCodeAt(1);
    for (let i = 0; i + 2 < n; i++) {
      const c2 = text.charCodeAt(i + 2);
      if (heads[(c0 * 961 + c1 * 31 + c2) & 0xffff] === 1 && this.longestAt(text, i) > 0) return true;
      c0 = c1;
      c1 = c2;
    }
    return false;
  }

  /**
   * `found` for long patterns: an occurrence at p, of length L >= stride + 3, holds the sampled position i (a
   * multiple of the stride) in [p, p + stride - 1], and the gram at i lies inside it (i + 4 <= p + L), so the
   * gram is in the table; on a hit, the trie is walked from each start that could have put it there.
   */
  private foundStrided(text: string, grams: Uint8Array): boolean {
    const stride = this.stride;
    for (let i = 0; i + 4 <= text.length; i += stride) {
      if (grams[gram4(text, i)] !== 1) continue;
      for (let start = Math.max(0, i - stride + 1); start <= i; start++)
        if (this.longestAt(text, start) > 0) return true;
    }
    return false;
  }

  /** Replace every occurrence (overlapping or touching ones merged into one) with `replacement`. */
  replaceAll(text: string, replacement: string): string {
    if (this.empty) return text;
    let result = '';
    let copied = 0;
    let rangeStart = -1;
    let rangeEnd = -1;
    for (let i = 0; i + MIN_REDACT_LENGTH <= text.length; i++) {
      if (this.heads[trigram(text, i)] !== 1) continue;
      const length = this.longestAt(text, i);
      if (length === 0) continue;
      if (rangeStart >= 0 && i <= rangeEnd) {
        rangeEnd = Math.max(rangeEnd, i + length);
      } else {
        if (rangeStart >= 0) {
          result += text.slice(copied, rangeStart) + replacement;
          copied = rangeEnd;
        }
        rangeStart = i;
        rangeEnd = i + length;
      }
    }
    if (rangeStart < 0) return text;
    return result + text.slice(copied, rangeStart) + replacement + text.slice(rangeEnd);
  }
}

/** Patterns this long or longer let `found` skip positions (see PatternSet). */
const STRIDE_MIN_LENGTH = 8;
const GRAM_TABLE_SIZE = 1 << 20;

function gram4(text: string, at: number): number {
  return (
    (Math.imul(text.charCodeAt(at), 0x9e3779b1) ^
      Math.imul(text.charCodeAt(at + 1), 0x85ebca77) ^
      Math.imul(text.charCodeAt(at + 2), 0xc2b2ae3d) ^
      Math.imul(text.charCodeAt(at + 3), 0x27d4eb2f)) >>>
    12
  );
}

function trigram(text: string, at: number): number {
  return (text.charCodeAt(at) * 961 + text.charCodeAt(at + 1) * 31 + text.charCodeAt(at + 2)) & 0xffff;
}
