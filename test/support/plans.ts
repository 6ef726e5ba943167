/**
 * Test support for the Terraform domain: the vendored fixtures, what a plan's counts and sensitive values are
 * (computed here independently of the code under test, straight from the JSON) and a deep key shuffle. Generated
 * plans are in plan-generator.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanCounts } from '../../src/terraform/model.js';
import type { RawPlan, RawResourceChange } from '../../src/terraform/plan.js';
import { mulberry32 } from './random.js';

export const FIXTURE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/terraform-plans');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), 'utf8');
}

/** A fixture as plain JSON (no parsing by the code under test). */
export function fixture(name: string): RawPlan {
  return JSON.parse(fixtureText(name)) as RawPlan;
}

/** Plain JSON deep copy. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Expected counts, following Terraform's own counting (internal/command/views: a replace is one add and one
// destroy, create-then-forget one add and one forget; imports and moves are counted beside the action).

export type ExpectedCounts = Pick<
  PlanCounts,
  'add' | 'change' | 'destroy' | 'replace' | 'import' | 'move' | 'forget' | 'outputs'
>;

export function expectedCounts(plan: RawPlan): ExpectedCounts {
  const counts: ExpectedCounts = {
    add: 0,
    change: 0,
    destroy: 0,
    replace: 0,
    import: 0,
    move: 0,
    forget: 0,
    outputs: 0,
  };
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions;
    if (rc.change.importing) counts.import++;
    if (rc.previous_address !== undefined && rc.previous_address !== rc.address) counts.move++;
    const has = (a: string): boolean => actions.includes(a);
    if (has('create') && has('delete')) {
      counts.add++;
      counts.destroy++;
      counts.replace++;
    } else if (has('create') && has('forget')) {
      counts.add++;
      counts.forget++;
      counts.replace++;
    } else if (actions.length === 1) {
      if (has('create')) counts.add++;
      else if (has('update')) counts.change++;
      else if (has('delete')) counts.destroy++;
      else if (has('forget')) counts.forget++;
    }
  }
  for (const change of Object.values(plan.output_changes ?? {})) {
    if (!(change.actions.length === 1 && change.actions[0] === 'no-op')) counts.outputs++;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// Expected sensitive values: every leaf marked by before_sensitive/after_sensitive (resource changes, drift,
// deferred changes, outputs, state values), every sensitive output, every variable declared sensitive.

export function expectedSecrets(plan: RawPlan): Set<string> {
  const out = new Set<string>();
  const leaves = (value: unknown): void => {
    if (typeof value === 'string') out.add(value);
    else if (typeof value === 'number') out.add(String(value));
    else if (Array.isArray(value)) value.forEach(leaves);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(leaves);
  };
  const marked = (value: unknown, marks: unknown): void => {
    if (marks === true) return leaves(value);
    if (marks === null || typeof marks !== 'object' || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      if (Array.isArray(marks)) value.forEach((v, i) => marked(v, marks[i]));
      return;
    }
    if (Array.isArray(marks)) return;
    for (const [k, v] of Object.entries(value)) marked(v, (marks as Record<string, unknown>)[k]);
  };
  const changes: RawResourceChange[] = [
    ...(plan.resource_changes ?? []),
    ...(plan.resource_drift ?? []),
    ...(plan.deferred_changes ?? []).map((d) => d.resource_change),
  ];
  for (const rc of changes) {
    marked(rc.change.before, rc.change.before_sensitive);
    marked(rc.change.after, rc.change.after_sensitive);
  }
  const config = plan.configuration?.root_module;
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    marked(change.before, change.before_sensitive);
    marked(change.after, change.after_sensitive);
    if (config?.outputs?.[name]?.sensitive) {
      leaves(change.before);
      leaves(change.after);
    }
  }
  for (const outputs of [plan.planned_values?.outputs, plan.prior_state?.values?.outputs]) {
    for (const [name, output] of Object.entries(outputs ?? {})) {
      if (output.sensitive || config?.outputs?.[name]?.sensitive) leaves(output.value);
    }
  }
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (config?.variables?.[name]?.sensitive) leaves(variable.value);
  }
  type Module = { resources?: { values?: unknown; sensitive_values?: unknown }[]; child_modules?: Module[] };
  const moduleValues = (module: Module | undefined): void => {
    for (const r of module?.resources ?? []) marked(r.values, r.sensitive_values);
    for (const child of module?.child_modules ?? []) moduleValues(child);
  };
  moduleValues(plan.planned_values?.root_module as Module | undefined);
  moduleValues(plan.prior_state?.values?.root_module as Module | undefined);
  out.delete('');
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Shuffling

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same plan with object keys in another order at every depth, and resource_changes in another order. */
export function deepShuffle(plan: RawPlan, seed: number): RawPlan {
  const random = mulberry32(seed);
  const visit = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) {
      const items = value.map((v) => visit(v));
      return key === 'resource_changes' ? shuffled(items, random) : items;
    }
    if (value !== null && typeof value === 'object') {
      // fromEntries defines own properties, so a "__proto__" key stays a key
      return Object.fromEntries(
        shuffled(Object.keys(value), random).map((k) => [k, visit((value as Record<string, unknown>)[k], k)]),
      );
    }
    return value;
  };
  return visit(plan) as RawPlan;
}
