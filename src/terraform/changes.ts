/**
 * The plan model: every resource change classified the way Terraform itself counts it, drift, deferred changes,
 * output changes and failing checks, and the one-line summary (`2 to add, 1 to change, 1 to destroy (1 replaced)`).
 */
import type { RawCheckResult, RawChange, RawPlan, RawResourceChange } from './plan.js';
import { deepEqual } from './equal.js';

export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'read' | 'no-op';
export type ReplaceOrder = 'delete-then-create' | 'create-then-delete' | 'create-then-forget';

/** Display groups, in the order the comment shows them: the most dangerous first. */
export const GROUP_ORDER = [
  'replace',
  'delete',
  'update',
  'create',
  'import',
  'move',
  'forget',
  'read',
] as const;
export type ChangeGroup = (typeof GROUP_ORDER)[number];

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
  formatVersion: string;
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

export function classifyActions(actions: readonly string[]): {
  kind: ChangeKind;
  replaceOrder?: ReplaceOrder;
} {
  const key = actions.join(',');
  switch (key) {
    case 'create':
      return { kind: 'create' };
    case 'update':
      return { kind: 'update' };
    case 'delete':
      return { kind: 'delete' };
    case 'read':
      return { kind: 'read' };
    case 'forget':
      return { kind: 'forget' };
    case 'no-op':
    case '':
      return { kind: 'no-op' };
    case 'delete,create':
      return { kind: 'replace', replaceOrder: 'delete-then-create' };
    case 'create,delete':
      return { kind: 'replace', replaceOrder: 'create-then-delete' };
    case 'create,forget':
      return { kind: 'replace', replaceOrder: 'create-then-forget' };
    default:
      // A combination a future Terraform might add: the format promises that scanning for "delete" finds every
      // destruction, so classify conservatively.
      if (actions.includes('delete'))
        return actions.includes('create')
          ? { kind: 'replace', replaceOrder: 'delete-then-create' }
          : { kind: 'delete' };
      if (actions.includes('create')) return { kind: 'create' };
      return { kind: 'update' };
  }
}

/** The address of a change; format 0.x omits it on drift entries, so it is rebuilt from its parts. */
function addressOf(raw: RawResourceChange): string {
  if (typeof raw.address === 'string' && raw.address !== '') return raw.address;
  const index =
    raw.index === undefined
      ? ''
      : typeof raw.index === 'number'
        ? `[${raw.index}]`
        : `[${JSON.stringify(raw.index)}]`;
  const module = raw.module_address ? `${raw.module_address}.` : '';
  return `${module}${raw.mode === 'data' ? 'data.' : ''}${raw.type ?? 'unknown'}.${raw.name ?? 'unknown'}${index}`;
}

export function toResourceChange(raw: RawResourceChange): ResourceChange {
  const { kind, replaceOrder } = classifyActions(raw.change.actions);
  const address = addressOf(raw);
  const change: ResourceChange = {
    address,
    kind,
    mode: raw.mode === 'data' ? 'data' : 'managed',
    type: raw.type ?? address.split('.').at(-2) ?? '',
    name: raw.name ?? '',
    change: raw.change,
  };
  if (replaceOrder) change.replaceOrder = replaceOrder;
  if (raw.previous_address && raw.previous_address !== address) change.previousAddress = raw.previous_address;
  if (raw.change.importing) change.importing = raw.change.importing;
  if (raw.action_reason) change.reason = raw.action_reason;
  if (raw.deposed) change.deposed = raw.deposed;
  return change;
}

/** The group a change is shown in; undefined for a plain no-op. */
export function groupOf(change: ResourceChange): ChangeGroup | undefined {
  switch (change.kind) {
    case 'replace':
    case 'delete':
    case 'update':
    case 'create':
    case 'forget':
    case 'read':
      return change.kind;
    case 'no-op':
      if (change.importing) return 'import';
      if (change.previousAddress) return 'move';
      return undefined;
  }
}

export function isDestructive(change: ResourceChange): boolean {
  return (
    change.kind === 'delete' || (change.kind === 'replace' && change.replaceOrder !== 'create-then-forget')
  );
}

/** Replacements that destroy the old object (all but create-then-forget): the "replaced" among the destroys. */
export function destroyingReplacements(model: PlanModel): number {
  return model.changes.filter((c) => c.kind === 'replace' && isDestructive(c)).length;
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

/** Terraform's plan line, extended: `1 to import, 2 to add, 1 to change, 1 to destroy (1 replaced), 1 to forget, 1 moved`. */
export function summaryLine(model: PlanModel): string {
  const { counts } = model;
  const parts: string[] = [];
  if (counts.import) parts.push(`${counts.import} to import`);
  parts.push(`${counts.add} to add`, `${counts.change} to change`);
  // "(n replaced)" qualifies the destroys: a create-then-forget replacement destroys nothing
  const replaced = destroyingReplacements(model);
  parts.push(`${counts.destroy} to destroy${replaced ? ` (${replaced} replaced)` : ''}`);
  if (counts.forget) parts.push(`${counts.forget} to forget`);
  if (counts.move) parts.push(`${counts.move} moved`);
  let line: string;
  if (model.errored) {
    line = model.changes.length ? `plan errored (incomplete: ${parts.join(', ')})` : 'plan errored';
  } else if (!model.hasChanges) {
    line = 'no changes';
  } else if (
    counts.add + counts.change + counts.destroy + counts.import + counts.move + counts.forget ===
    0
  ) {
    line = `${counts.outputs} output${counts.outputs === 1 ? '' : 's'} to change, no resource changes`;
  } else {
    line = parts.join(', ');
  }
  if (counts.deferred) line += `, ${counts.deferred} deferred`;
  return line;
}

const REASONS: Record<string, string> = {
  replace_because_cannot_update: 'an attribute that cannot be updated in place changed',
  replace_because_tainted: 'the object is tainted (a previous apply failed partway)',
  replace_by_request: 'replacement was requested (`-replace`)',
  replace_by_triggers: 'a `replace_triggered_by` reference changed',
  delete_because_no_resource_config: 'its resource block is no longer in the configuration',
  delete_because_wrong_repetition: 'its `count`/`for_each` mode changed',
  delete_because_count_index: 'its index is beyond the new `count`',
  delete_because_each_key: 'its key is no longer in `for_each`',
  delete_because_no_module: 'its module call is no longer in the configuration',
  delete_because_no_move_target: 'it was moved to an address that is not in the configuration',
  read_because_config_unknown: 'its configuration depends on values known only after apply',
  read_because_dependency_pending: 'it depends on changes not yet applied',
  read_because_check_nested: 'a check block reads it',
};

/** True for the `action_reason` codes this module describes in its own words (markdown of ours). */
export function isKnownReason(reason: string | undefined): reason is string {
  return reason !== undefined && Object.prototype.hasOwnProperty.call(REASONS, reason);
}

/** Plain-language reason for Terraform's `action_reason` code (the code itself is kept alongside). */
export function describeReason(reason: string | undefined): string | undefined {
  if (!reason) return undefined;
  return REASONS[reason] ?? reason.replace(/_/g, ' ');
}

const DEFERRED_REASONS: Record<string, string> = {
  instance_count_unknown: 'its `count`/`for_each` is not known yet',
  resource_config_unknown: 'its configuration is not known yet',
  provider_config_unknown: "its provider's configuration is not known yet",
  absent_prereq: 'a prerequisite does not exist yet',
  deferred_prereq: 'a prerequisite was deferred',
  excluded: 'it was excluded from this plan',
  not_included: 'it was not included in this plan',
};

export function describeDeferredReason(reason: string): string {
  return DEFERRED_REASONS[reason] ?? reason.replace(/_/g, ' ');
}

/**
 * `["rule", 0, "port"]` → `rule[0].port`, `["tags", "kubernetes.io/role"]` → `tags["kubernetes.io/role"]`. A path
 * does not say whether a step is an attribute or a map key, so a key that is an identifier reads as an attribute
 * (`["tags", "Name"]` → `tags.Name`).
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
