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
  private automaton: Automaton | undefined;
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
  }

  /** Add every leaf of `value` that `marks` marks sensitive. */
  addMarked(value: unknown, marks: MarkTree): void {
    if (marks === true) {
      this.add(value);
      return;
    }
    if (marks === null || marks === undefined || typeof marks !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.addMarked(item, childMark(marks, i)));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) this.addMarked(item, childMark(marks, key));
    }
  }

  get size(): number {
    return this.exact.size;
  }

  /** True when a leaf, rendered as `text`, is itself a sensitive value. */
  isSensitive(text: string): boolean {
    return this.exact.has(text);
  }

  /** `text` with every sensitive value of at least MIN_REDACT_LENGTH characters inside it replaced. */
  redact(text: string): string {
    if (this.exact.size === 0) return text;
    if (this.dirty || !this.automaton) {
      this.automaton = new Automaton([...this.exact].filter((s) => s.length >= MIN_REDACT_LENGTH));
      this.dirty = false;
    }
    return this.automaton.replaceAll(text, REDACTED);
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

/** Aho-Corasick over UTF-16 code units: finds every pattern in one pass, whatever the number of patterns. */
class Automaton {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Length of the longest pattern ending at each state (0: none). */
  private readonly out: number[] = [0];

  constructor(patterns: string[]) {
    for (const pattern of patterns) {
      let state = 0;
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i);
        let to = this.next[state]!.get(c);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push(0);
          this.next[state]!.set(c, to);
        }
        state = to;
      }
      this.out[state] = Math.max(this.out[state]!, pattern.length);
    }
    const queue: number[] = [];
    for (const to of this.next[0]!.values()) queue.push(to);
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [c, to] of this.next[state]!) {
        let f = this.fail[state]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        this.fail[to] = this.next[f]!.get(c) ?? 0;
        this.out[to] = Math.max(this.out[to]!, this.out[this.fail[to]!]!);
        queue.push(to);
      }
    }
  }

  /** Replace every match (leftmost, longest at each end position, overlaps merged) with `replacement`. */
  replaceAll(text: string, replacement: string): string {
    if (this.next.length === 1) return text;
    const ranges: [number, number][] = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      while (state !== 0 && !this.next[state]!.has(c)) state = this.fail[state]!;
      state = this.next[state]!.get(c) ?? 0;
      const length = this.out[state]!;
      if (length > 0) {
        // merge with every earlier range this match overlaps or touches (a longer match can start before them)
        let start = i + 1 - length;
        let end = i + 1;
        while (ranges.length > 0 && ranges[ranges.length - 1]![1] >= start) {
          const [s, e] = ranges.pop()!;
          start = Math.min(start, s);
          end = Math.max(end, e);
        }
        ranges.push([start, end]);
      }
    }
    if (ranges.length === 0) return text;
    let result = '';
    let at = 0;
    for (const [start, end] of ranges) {
      result += text.slice(at, start) + replacement;
      at = end;
    }
    return result + text.slice(at);
  }
}
