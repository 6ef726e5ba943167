/**
 * The rules every workflow of this repository keeps (templates/workflows and .github/workflows), as plain
 * functions over the parsed YAML: each returns the violations it finds, named by rule and place, so a test can
 * assert both that our workflows keep them and that a bad workflow breaks them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, visit } from 'yaml';
import { TEMPLATE } from '../support/template.js';

/** The repository of our own actions, as templates reference it (templates/template.json, which adoption rewrites). */
export const OUR_ACTIONS_REPOSITORY = TEMPLATE.repository;

export type RuleName =
  | 'yaml'
  | 'top-level-permissions'
  | 'job-permissions'
  | 'aws-oidc-only'
  | 'pinned-actions'
  | 'no-pull-request-target'
  | 'no-untrusted-expressions-in-scripts'
  | 'declared-inputs'
  | 'declared-outputs'
  | 'timeout-minutes'
  | 'apply-concurrency';

export interface Violation {
  rule: RuleName;
  /** job and step, e.g. `jobs.plan.steps[3]` */
  at: string;
  message: string;
}

export interface ActionMetadata {
  inputs: Set<string>;
  required: Set<string>;
  outputs: Set<string>;
}

type Json = Record<string, unknown>;

/** inputs and outputs of every action under actions/<name>/action.yml */
export function loadOurActions(root: string): Map<string, ActionMetadata> {
  const actions = new Map<string, ActionMetadata>();
  for (const name of readdirSync(join(root, 'actions'))) {
    const meta = parseDocument(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')).toJS() as {
      inputs?: Record<string, { required?: boolean }>;
      outputs?: Record<string, unknown>;
    };
    const inputs = meta.inputs ?? {};
    actions.set(name, {
      inputs: new Set(Object.keys(inputs)),
      required: new Set(Object.keys(inputs).filter((k) => inputs[k]?.required === true)),
      outputs: new Set(Object.keys(meta.outputs ?? {})),
    });
  }
  return actions;
}

/** The name of our action a `uses:` refers to (`actions/<name>` or the root action with `command`), else undefined. */
export function ourActionName(uses: string, withInputs: Json | undefined): string | undefined {
  const at = uses.indexOf('@');
  const path = at < 0 ? uses : uses.slice(0, at);
  if (path === OUR_ACTIONS_REPOSITORY) {
    const command = withInputs?.['command'];
    return typeof command === 'string' ? command : '(root action without command)';
  }
  const prefix = `${OUR_ACTIONS_REPOSITORY}/actions/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

const FULL_SHA = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+\.\d+\.\d+\b/;
/** `${{ ... }}` expressions (no nesting in the Actions expression language) */
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
/** what must reach a script only through env: the event payload, the head ref, inputs, step and job outputs */
const UNTRUSTED: [RegExp, string][] = [
  [/\bgithub\s*\.\s*event\b|\bgithub\s*\[\s*['"]event['"]\s*\]/, 'github.event'],
  [/\bgithub\s*\.\s*head_ref\b/, 'github.head_ref'],
  [/\binputs\s*[.[]/, 'inputs'],
  [/\bsteps\s*\.\s*[\w-]+\s*\.\s*outputs\b/, 'a step output'],
  [/\bneeds\s*\.\s*[\w-]+\s*\.\s*outputs\b/, 'a job output'],
];
/** inputs of actions that are shell scripts too */
const SCRIPT_INPUTS: Record<string, string[]> = {
  'failover-check': ['drill-inject', 'drill-recover'],
  'actions/github-script': ['script'],
};
const STEP_OUTPUT = /\bsteps\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
const JOB_OUTPUT = /\bneeds\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
const AWS_KEY_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
const AWS_KEY_INPUTS = ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'];
const APPLIES = /\b(terraform|tofu)\s+(-chdir=\S+\s+)?apply\b/;

interface Step extends Json {
  id?: string;
  uses?: string;
  run?: string;
  with?: Json;
  env?: Json;
}

function asRecord(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** every string in a value, with its path */
function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
  return out;
}

/** The expressions of a string: those in `${{ }}`, or all of it for an `if:` (implicitly an expression). */
function expressions(path: string, text: string): string[] {
  const found = [...text.matchAll(EXPRESSION)].map((m) => m[1]!);
  if (found.length === 0 && /\.if$/.test(path)) return [text];
  return found;
}

function eventNames(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(asRecord(on));
}

/** The comment after each `uses:` value, keyed by its position in the file (YAML source offset). */
function usesComments(text: string): Map<string, string | undefined> {
  const comments = new Map<string, string | undefined>();
  visit(parseDocument(text), {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'uses' && isScalar(pair.value)) {
        const value = String(pair.value.value);
        // the same action can be used several times: every use needs its comment, so keep the worst
        const comment = pair.value.comment ?? undefined;
        if (!comments.has(value) || comment === undefined || !VERSION_COMMENT.test(comment))
          comments.set(value, comment);
      }
    },
  });
  return comments;
}

/** Check one workflow file's text against every rule. */
export function checkWorkflow(text: string, actions: Map<string, ActionMetadata>): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: RuleName, at: string, message: string) => violations.push({ rule, at, message });
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    add('yaml', '', doc.errors.map((e) => e.message).join('; ') || 'not a YAML mapping');
    return violations;
  }
  const workflow = doc.toJS() as Json;
  const comments = usesComments(text);

  // no pull_request_target: it runs with the base repository's secrets on the pull request's code
  if (eventNames(workflow['on']).includes('pull_request_target'))
    add(
      'no-pull-request-target',
      'on',
      'pull_request_target runs untrusted code with secrets: use pull_request',
    );

  // top-level permissions: least privilege, widened per job only
  const top = workflow['permissions'];
  if (top === undefined)
    add('top-level-permissions', 'permissions', 'no top-level permissions: set `contents: read` or `{}`');
  else if (typeof top === 'string')
    add('top-level-permissions', 'permissions', `'${top}' is not least privilege`);
  else
    for (const [scope, level] of Object.entries(asRecord(top)))
      if (!(level === 'none' || (scope === 'contents' && level === 'read')))
        add(
          'top-level-permissions',
          `permissions.${scope}`,
          `${scope}: ${String(level)} at the top level: widen it in the job that needs it`,
        );

  // AWS keys never: not as secrets, not in env
  for (const [path, value] of strings(workflow, '')) {
    if (/\bsecrets\.\w*AWS\w*(ACCESS_KEY|SECRET|SESSION_TOKEN)\w*/i.test(value))
      add('aws-oidc-only', path.slice(1), `AWS keys from secrets (${value.trim()}): assume a role with OIDC`);
  }
  const envBlocks: [string, unknown][] = [['env', workflow['env']]];

  const jobs = asRecord(workflow['jobs']);
  for (const [jobId, jobValue] of Object.entries(jobs)) {
    const job = asRecord(jobValue);
    const at = `jobs.${jobId}`;
    const steps = (Array.isArray(job['steps']) ? job['steps'] : []) as Step[];
    const permissions = job['permissions'];
    envBlocks.push([`${at}.env`, job['env']]);
    steps.forEach((s, i) => envBlocks.push([`${at}.steps[${i}].env`, s.env]));

    if (typeof permissions === 'string')
      add('job-permissions', `${at}.permissions`, `'${permissions}': list the scopes the job needs`);
    const jobPermissions = asRecord(permissions);

    if (job['uses'] === undefined && job['timeout-minutes'] === undefined)
      add('timeout-minutes', at, 'no timeout-minutes (the default is 6 hours)');

    // the ids of the job's steps, and which of them use our actions
    const stepIds = new Map<string, string | undefined>();
    steps.forEach((s) => {
      if (typeof s.id === 'string') stepIds.set(s.id, s.uses ? ourActionName(s.uses, s.with) : undefined);
    });

    let assumesRole = false;
    steps.forEach((step, i) => {
      const stepAt = `${at}.steps[${i}]`;
      const uses = step.uses;
      if (typeof uses === 'string') {
        const ours = ourActionName(uses, step.with);
        // pinned: a full commit SHA with the version in a comment (our own actions and local ones excepted)
        if (ours === undefined && !uses.startsWith('./')) {
          if (uses.startsWith('docker://')) {
            if (!/@sha256:[0-9a-f]{64}$/.test(uses))
              add('pinned-actions', stepAt, `${uses}: pin the image by digest`);
          } else if (!FULL_SHA.test(uses))
            add('pinned-actions', stepAt, `${uses}: pin it to a full 40-character commit SHA`);
          else if (!VERSION_COMMENT.test(comments.get(uses) ?? ''))
            add('pinned-actions', stepAt, `${uses}: add the version it pins as a comment (# vX.Y.Z)`);
        }
        if (ours !== undefined) {
          const meta = actions.get(ours);
          if (!meta) add('declared-inputs', stepAt, `${uses}: no action '${ours}' in actions/`);
          else {
            const given = Object.keys(asRecord(step.with)).filter(
              (k) => !(k === 'command' && uses.indexOf('/actions/') < 0),
            );
            for (const input of given)
              if (!meta.inputs.has(input))
                add('declared-inputs', `${stepAt}.with.${input}`, `${ours} declares no input '${input}'`);
            for (const input of meta.required)
              if (!given.includes(input))
                add('declared-inputs', stepAt, `${ours} needs the input '${input}'`);
          }
        }
        if (/^aws-actions\/configure-aws-credentials@/.test(uses)) {
          assumesRole = true;
          const w = asRecord(step.with);
          if (!w['role-to-assume'])
            add('aws-oidc-only', stepAt, 'configure-aws-credentials without role-to-assume');
          for (const key of AWS_KEY_INPUTS)
            if (key in w)
              add('aws-oidc-only', `${stepAt}.with.${key}`, `${key}: assume a role with OIDC instead`);
          if (jobPermissions['id-token'] !== 'write')
            add(
              'aws-oidc-only',
              `${at}.permissions`,
              'assumes an AWS role without `id-token: write` in the job',
            );
        }
      }
      // scripts get untrusted values through env only
      const scripts: [string, string][] = [];
      if (typeof step.run === 'string') scripts.push([`${stepAt}.run`, step.run]);
      if (typeof uses === 'string') {
        const key = ourActionName(uses, step.with) ?? uses.split('@')[0]!;
        for (const input of SCRIPT_INPUTS[key] ?? []) {
          const value = asRecord(step.with)[input];
          if (typeof value === 'string') scripts.push([`${stepAt}.with.${input}`, value]);
        }
      }
      for (const [path, script] of scripts)
        for (const expression of [...script.matchAll(EXPRESSION)].map((m) => m[1]!))
          for (const [pattern, what] of UNTRUSTED)
            if (pattern.test(expression))
              add(
                'no-untrusted-expressions-in-scripts',
                path,
                `\${{${expression}}} puts ${what} into a script: pass it through env`,
              );
    });

    if (jobPermissions['id-token'] === 'write' && !assumesRole)
      add('job-permissions', `${at}.permissions`, '`id-token: write` in a job that assumes no AWS role');

    // outputs: only what our actions declare, of steps and jobs that exist
    const needs =
      job['needs'] === undefined ? [] : ([] as string[]).concat(job['needs'] as string | string[]);
    for (const [path, value] of strings(job, at)) {
      for (const expression of expressions(path, value)) {
        for (const m of expression.matchAll(STEP_OUTPUT)) {
          const [id, output] = [m[1]!, (m[2] ?? m[3])!];
          if (!stepIds.has(id))
            add('declared-outputs', path, `steps.${id}: no step with that id in ${jobId}`);
          const ours = stepIds.get(id);
          const meta = ours === undefined ? undefined : actions.get(ours);
          if (meta && !meta.outputs.has(output))
            add(
              'declared-outputs',
              path,
              `steps.${id}.outputs.${output}: ${ours} declares no output '${output}'`,
            );
        }
        for (const m of expression.matchAll(JOB_OUTPUT)) {
          const [need, output] = [m[1]!, (m[2] ?? m[3])!];
          if (!needs.includes(need))
            add('declared-outputs', path, `needs.${need}: ${jobId} does not need ${need}`);
          else if (!(output in asRecord(asRecord(jobs[need])['outputs'])))
            add(
              'declared-outputs',
              path,
              `needs.${need}.outputs.${output}: job ${need} declares no output '${output}'`,
            );
        }
      }
    }

    // a job that applies holds its stack's lock: concurrency terraform-<stack>, never cancelled mid-apply
    const applies = steps.some((s) => typeof s.run === 'string' && APPLIES.test(s.run));
    if (applies) {
      const concurrency = job['concurrency'];
      const group = typeof concurrency === 'string' ? concurrency : asRecord(concurrency)['group'];
      if (typeof group !== 'string' || !/^terraform-/.test(group))
        add('apply-concurrency', at, 'runs terraform apply without a concurrency group terraform-<stack>');
      else if (asRecord(concurrency)['cancel-in-progress'] !== false)
        add(
          'apply-concurrency',
          `${at}.concurrency`,
          'cancel-in-progress must be false: cancelling an apply leaves a half-applied stack',
        );
    }
  }

  for (const [path, env] of envBlocks)
    for (const key of Object.keys(asRecord(env)))
      if (AWS_KEY_NAMES.includes(key))
        add('aws-oidc-only', `${path}.${key}`, `${key} in env: assume a role with OIDC`);

  return violations;
}
