/**
 * The JSON plan as `terraform show -json <planfile>` (and `tofu show -json`) writes it, format_version 0.x and 1.x,
 * and the parse that turns a file's text into it or into an error that says what the file really is.
 *
 * Reference: https://developer.hashicorp.com/terraform/internals/json-format
 */
import { ActionError } from '../common/errors.js';

/** A sensitivity or unknown-ness tree: `true` marks a whole value, objects and arrays mirror the value's shape. */
export type MarkTree = boolean | MarkTree[] | { [key: string]: MarkTree } | null | undefined;

export interface RawChange {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: MarkTree;
  before_sensitive?: MarkTree;
  after_sensitive?: MarkTree;
  replace_paths?: (string | number)[][];
  importing?: { id?: string; identity?: unknown; unknown?: boolean } | null;
  generated_config?: string;
}

export interface RawResourceChange {
  address: string;
  previous_address?: string;
  module_address?: string;
  mode?: 'managed' | 'data';
  type?: string;
  name?: string;
  index?: string | number;
  index_unknown?: boolean;
  deposed?: string;
  provider_name?: string;
  change: RawChange;
  action_reason?: string;
}

export interface RawDeferredChange {
  reason?: string;
  resource_change: RawResourceChange;
}

export type RawOutputChange = RawChange;

export interface RawCheckResult {
  address?: { kind?: string; to_display?: string; name?: string; module?: string };
  status?: 'pass' | 'fail' | 'error' | 'unknown';
  instances?: { address?: { to_display?: string }; status?: string; problems?: { message?: string }[] }[];
}

export interface RawConfigModule {
  outputs?: Record<string, { sensitive?: boolean }>;
  variables?: Record<string, { sensitive?: boolean }>;
  module_calls?: Record<string, { module?: RawConfigModule }>;
}

export interface RawStateModule {
  resources?: { address?: string; values?: unknown; sensitive_values?: MarkTree }[];
  child_modules?: RawStateModule[];
}

export interface RawPlan {
  /** Absent only in a plan a tool trimmed (read by its structure, with a warning). */
  format_version?: string;
  terraform_version?: string;
  variables?: Record<string, { value?: unknown }>;
  planned_values?: {
    outputs?: Record<string, { sensitive?: boolean; value?: unknown }>;
    root_module?: RawStateModule;
  };
  resource_drift?: RawResourceChange[];
  resource_changes?: RawResourceChange[];
  deferred_changes?: RawDeferredChange[];
  output_changes?: Record<string, RawOutputChange>;
  action_invocations?: { address?: string; type?: string; name?: string }[];
  prior_state?: {
    values?: {
      outputs?: Record<string, { sensitive?: boolean; value?: unknown }>;
      root_module?: RawStateModule;
    };
  };
  configuration?: { root_module?: RawConfigModule };
  checks?: RawCheckResult[];
  applyable?: boolean;
  complete?: boolean;
  errored?: boolean;
  timestamp?: string;
}

/** Major versions of the plan format this code understands (0.x from Terraform 0.12, 1.x since 1.1). */
const SUPPORTED_MAJORS = new Set(['0', '1']);

/** Where a plan's text came from, for error messages: the input name and the file or command. */
export interface PlanSource {
  input: string;
  description: string;
}

/** A parsed plan, and what the reader should know about how it was read. */
export interface ParsedPlan {
  plan: RawPlan;
  /** Warnings for the log (e.g. no format_version: read by its structure). */
  warnings: string[];
}

/**
 * Parse `terraform show -json` output into a plan. Tolerates text printed before the JSON (the
 * hashicorp/setup-terraform wrapper prints a `[command]...` line) and a plan without `format_version` whose
 * structure is a plan's (with a warning), and otherwise fails with an error that says what the text is instead
 * (not JSON, a state file, the streaming `terraform plan -json` log, a newer format).
 */
export function parsePlanJson(text: string, source: PlanSource): ParsedPlan {
  const where = `${source.description} (from input '${source.input}')`;
  const json = stripLeadingNoise(text);
  if (json.trim() === '') {
    throw new ActionError(`${where} is empty: expected the output of \`terraform show -json <planfile>\`.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    if (looksLikeStreamingLog(json)) throw streamingLogError(where);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ActionError(
      `${where} is not JSON (${reason}): expected the output of \`terraform show -json <planfile>\`.`,
    );
  }
  return validatePlan(value, where);
}

function streamingLogError(where: string): ActionError {
  return new ActionError(
    `${where} is the streaming log of \`terraform plan -json\`, not a plan: save the plan with \`terraform plan -out=tfplan\` and pass \`terraform show -json tfplan\` (or pass the binary plan as 'plan-file').`,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The plan fields a plan without `format_version` is read by, when each has a plan's shape: `resource_changes` a
 * list, `output_changes` an object of changes (each with an `actions` list), `planned_values` an object with a
 * `root_module` or `outputs` object. Undefined when a field is there with another shape (not a plan, or a
 * malformed one), or none is there.
 */
export function planStructure(plan: Record<string, unknown>): string[] | undefined {
  const found: string[] = [];
  const changes = plan['resource_changes'];
  if (changes !== undefined) {
    if (!Array.isArray(changes)) return undefined;
    found.push('resource_changes');
  }
  const outputs = plan['output_changes'];
  if (outputs !== undefined) {
    if (!isObject(outputs)) return undefined;
    if (!Object.values(outputs).every((c) => isObject(c) && Array.isArray(c['actions']))) return undefined;
    found.push('output_changes');
  }
  const planned = plan['planned_values'];
  if (planned !== undefined) {
    if (!isObject(planned)) return undefined;
    if (!isObject(planned['root_module']) && !isObject(planned['outputs'])) return undefined;
    found.push('planned_values');
  }
  return found.length > 0 ? found : undefined;
}

function validatePlan(value: unknown, where: string): ParsedPlan {
  if (!isObject(value)) {
    throw new ActionError(`${where} is JSON but not an object: expected a Terraform JSON plan.`);
  }
  const plan = value;
  const version = plan['format_version'];
  const warnings: string[] = [];
  const isPlanShaped =
    'resource_changes' in plan || 'planned_values' in plan || 'output_changes' in plan || 'errored' in plan;
  if (!isPlanShaped) {
    if ('values' in plan && typeof version === 'string') {
      throw new ActionError(
        `${where} is a Terraform state (\`terraform show -json\` without a plan file), not a plan: run \`terraform plan -out=tfplan\` and pass \`terraform show -json tfplan\`.`,
      );
    }
    // one line of the log parses as JSON on its own
    if ('@level' in plan && '@message' in plan) throw streamingLogError(where);
    if ('provider_schemas' in plan) {
      throw new ActionError(
        `${where} is a provider schema (\`terraform providers schema -json\`), not a plan.`,
      );
    }
    throw new ActionError(
      `${where} is JSON but not a Terraform plan (no format_version, resource_changes or planned_values): expected the output of \`terraform show -json <planfile>\`.`,
    );
  }
  if (version === undefined) {
    const structure = planStructure(plan);
    if (!structure) {
      throw new ActionError(
        `${where} has no format_version, and no resource_changes, output_changes or planned_values shaped as a plan's: expected the output of \`terraform show -json <planfile>\`.`,
      );
    }
    warnings.push(
      `${where} has no format_version: it was read as a Terraform plan by its ${structure.join(', ')} (a tool may have trimmed it). Pass the untouched output of \`terraform show -json <planfile>\` to have it read as Terraform wrote it.`,
    );
  } else if (typeof version !== 'string' || !/^\d+\.\d+/.test(version)) {
    throw new ActionError(
      `${where} has no valid format_version (found ${JSON.stringify(version)}): expected "1.x".`,
    );
  } else {
    const major = version.split('.')[0] ?? '';
    if (!SUPPORTED_MAJORS.has(major)) {
      throw new ActionError(
        `${where} has format_version ${version}, a major version this action does not support (supported: 0.x and 1.x). Upgrade the action, or plan with a Terraform release that writes format 1.x.`,
      );
    }
  }
  if (plan['resource_changes'] !== undefined && !Array.isArray(plan['resource_changes'])) {
    throw new ActionError(`${where} has a resource_changes field that is not a list: the plan is malformed.`);
  }
  for (const change of (plan['resource_changes'] as unknown[] | undefined) ?? []) {
    const c = change as RawResourceChange | null;
    if (!c || typeof c.address !== 'string' || !c.change || !Array.isArray(c.change.actions)) {
      throw new ActionError(
        `${where} has a resource change without an address or actions: the plan is malformed.`,
      );
    }
  }
  return { plan: plan as unknown as RawPlan, warnings };
}

/** Drop lines before the JSON document (e.g. `[command]/usr/bin/terraform show -json tfplan` from a wrapper). */
function stripLeadingNoise(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed === '') return trimmed;
  const match = /^\{"format_version"/m.exec(text) ?? /^\{/m.exec(text);
  return match ? text.slice(match.index) : text;
}

function looksLikeStreamingLog(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  return first.includes('"@level"') && first.includes('"@message"');
}
