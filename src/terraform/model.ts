/**
 * The plan model: what plan-comment and apply-gate know about a plan, built from its JSON once. Every resource
 * change classified the way Terraform itself counts it (changes.ts), drift, deferred changes, output changes,
 * failing checks and the counts.
 */
import { classifyActions, groupOf, toResourceChange } from './changes.js';
import { deepEqual } from './equal.js';
import type { RawChange, RawCheckResult, RawPlan } from './plan.js';

export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'read' | 'no-op';
export type ReplaceOrder = 'delete-then-create' | 'create-then-delete' | 'create-then-forget';

export interface ResourceChange {
  address: string;
  previousAddress?: string;
  kind: ChangeKind;
  replaceOrder?: ReplaceOrder;
  /** Present when the change also imports an existing object. */
  importing?: { id?: string; identity?: unknown; unknown?: boolean };
  reason?: string;
  deposed?: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  change: RawChange;
}

export interface DeferredChange {
  reason: string;
  change: ResourceChange;
}

export interface OutputChange {
  name: string;
  kind: ChangeKind;
  change: RawChange;
}

export interface FailingCheck {
  address: string;
  status: 'fail' | 'error';
  problems: string[];
}

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  import: number;
  move: number;
  forget: number;
  read: number;
  deferred: number;
  drift: number;
  outputs: number;
}

export interface PlanModel {
  /** Undefined for a plan a tool trimmed of it (read by its structure). */
  formatVersion: string | undefined;
  terraformVersion?: string;
  errored: boolean;
  complete: boolean;
  applyable: boolean;
  /** Every resource change that is not a plain no-op (moves and imports with no other change are kept). */
  changes: ResourceChange[];
  drift: ResourceChange[];
  deferred: DeferredChange[];
  outputs: OutputChange[];
  failingChecks: FailingCheck[];
  counts: PlanCounts;
  hasChanges: boolean;
  hasDestroy: boolean;
}

export function buildPlanModel(plan: RawPlan): PlanModel {
  const changes: ResourceChange[] = [];
  const counts: PlanCounts = {
    add: 0,
    change: 0,
    destroy: 0,
    replace: 0,
    import: 0,
    move: 0,
    forget: 0,
    read: 0,
    deferred: 0,
    drift: 0,
    outputs: 0,
  };
  for (const raw of plan.resource_changes ?? []) {
    const change = toResourceChange(raw);
    if (change.importing) counts.import++;
    if (change.previousAddress) counts.move++;
    switch (change.kind) {
      case 'create':
        counts.add++;
        break;
      case 'update':
        counts.change++;
        break;
      case 'delete':
        counts.destroy++;
        break;
      case 'forget':
        counts.forget++;
        break;
      case 'read':
        counts.read++;
        break;
      case 'replace':
        counts.replace++;
        counts.add++;
        if (change.replaceOrder === 'create-then-forget') counts.forget++;
        else counts.destroy++;
        break;
      case 'no-op':
        break;
    }
    if (groupOf(change) !== undefined) changes.push(change);
  }
  // Terraform 1.0 lists objects as drifted whose values did not change; they tell a reviewer nothing
  const drift = (plan.resource_drift ?? [])
    .map(toResourceChange)
    .filter((c) => (c.kind !== 'no-op' || c.previousAddress) && !isInvisibleDrift(c));
  counts.drift = drift.length;
  const deferred = (plan.deferred_changes ?? []).map((d) => ({
    reason: d.reason ?? 'unknown',
    change: toResourceChange(d.resource_change),
  }));
  counts.deferred = deferred.length;
  const outputs: OutputChange[] = [];
  for (const name of Object.keys(plan.output_changes ?? {}).sort()) {
    const change = plan.output_changes![name]!;
    const { kind } = classifyActions(change.actions ?? []);
    if (kind === 'no-op') continue;
    outputs.push({ name, kind, change });
  }
  counts.outputs = outputs.length;
  const errored = plan.errored === true;
  const hasChanges =
    counts.add +
      counts.change +
      counts.destroy +
      counts.import +
      counts.move +
      counts.forget +
      counts.outputs >
    0;
  return {
    formatVersion: plan.format_version,
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    errored,
    // format 0.x has no `complete`; a plan is complete unless it says otherwise
    complete: plan.complete !== false && !errored,
    applyable: plan.applyable !== false && !errored,
    changes,
    drift,
    deferred,
    outputs,
    failingChecks: failingChecks(plan.checks ?? []),
    counts,
    hasChanges,
    hasDestroy: counts.destroy > 0,
  };
}

function isInvisibleDrift(change: ResourceChange): boolean {
  const c = change.change;
  return (
    change.kind === 'update' &&
    !change.previousAddress &&
    deepEqual(c.before, c.after) &&
    isEmptyMarks(c.after_unknown) &&
    deepEqual(c.before_sensitive ?? null, c.after_sensitive ?? null)
  );
}

function isEmptyMarks(tree: unknown): boolean {
  if (tree === undefined || tree === null || tree === false) return true;
  if (tree === true) return false;
  if (typeof tree !== 'object') return true;
  return Object.values(tree as object).every(isEmptyMarks);
}

function failingChecks(checks: RawCheckResult[]): FailingCheck[] {
  const failing: FailingCheck[] = [];
  for (const check of checks) {
    for (const instance of check.instances ?? []) {
      if (instance.status !== 'fail' && instance.status !== 'error') continue;
      failing.push({
        address: instance.address?.to_display ?? check.address?.to_display ?? '(unknown check)',
        status: instance.status,
        problems: (instance.problems ?? []).map((p) => p.message ?? '').filter((m) => m !== ''),
      });
    }
  }
  return failing;
}
