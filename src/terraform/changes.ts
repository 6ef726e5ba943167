/**
 * Resource changes classified the way Terraform itself counts them (the plan model, built from them, is in
 * model.ts), their display groups, and the one-line summary (`2 to add, 1 to change, 1 to destroy (1 replaced)`).
 */
import type { ChangeKind, PlanModel, ReplaceOrder, ResourceChange } from './model.js';
import type { RawResourceChange } from './plan.js';

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
