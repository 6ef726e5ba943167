/**
 * A static stand-in for `terraform validate` (which needs the provider plugins, out of reach here) plus the house
 * conventions of templates/terraform/. `checkTree(root)` returns every problem; each problem names its rule:
 *
 *   parse         every .tf file parses
 *   format        every .tf file is as `terraform fmt` writes it (the terraform binary, else @cdktf/hcl-tools)
 *   schema        aws_* resource/data types, their arguments and nested blocks (dynamic ones too) exist;
 *                 required ones are set; literal values fit the argument's type; an argument is not written as
 *                 a block; lifecycle.ignore_changes names arguments
 *   references    aws_x.name.attr / data.aws_x.name.attr (also through `for` variables) name a declared block and
 *                 an argument/attribute of its type; each./count. only where for_each/count is set;
 *                 provider = aws.alias names a configured provider
 *   variables     var.x is declared, local.x is defined, every declared variable is used (warning); every
 *                 value in a .tfvars / .tfvars.json file sets a declared variable (of its type, for primitives)
 *   modules       module calls: local source only, arguments are variables of the module, required variables
 *                 set, module.m.out names an output of the module
 *   conventions   main.tf/variables.tf/outputs.tf/versions.tf/README.md, typed and described variables,
 *                 described outputs, versions pinned, stacks have a backend (bootstrap: says local state)
 *   remote-state  data.terraform_remote_state.x.outputs.y names an output of the stack whose backend key it reads
 *   sensitive     an output derived from a sensitive variable, local or module output is marked sensitive
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { collectReferences, traversalNames, type Reference } from './expressions.js';
import {
  argumentLine,
  blockEnd,
  bodiesOf,
  findLine,
  hcl2json,
  loadDirectory,
  loadTree,
  textLine,
  type Block,
  type Body,
  type TfDirectory,
} from './hcl.js';
import { hasAttribute, isBlock, loadSchema, type Argument, type ProviderSchema } from './schema.js';

export const RULES = [
  'parse',
  'format',
  'schema',
  'references',
  'variables',
  'modules',
  'conventions',
  'remote-state',
  'sensitive',
] as const;
export type Rule = (typeof RULES)[number];

export interface Problem {
  rule: Rule;
  severity: 'error' | 'warning';
  /** Relative to the checked root, forward slashes. */
  file: string;
  line?: number;
  message: string;
  /** Extra text shown under the message (a formatting diff). */
  detail?: string;
}

export type Formatter = 'terraform' | 'hcl-tools';

export interface CheckOptions {
  /** Which formatter judges rule `format`: 'auto' (default) is terraform when on PATH, else hcl-tools. */
  formatter?: Formatter | 'auto';
  schema?: ProviderSchema;
  /** Only these rules (default: all). */
  rules?: readonly Rule[];
}

export interface CheckResult {
  root: string;
  problems: Problem[];
  formatter: Formatter | undefined;
  directories: string[];
}

/** Arguments Terraform itself gives every resource and data block. */
const RESOURCE_META = new Set([
  'count',
  'for_each',
  'depends_on',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);
const MODULE_META = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);
const DYNAMIC_KEYS = new Set(['for_each', 'iterator', 'labels', 'content']);
const REQUIRED_FILES = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md'];
const AWS_VERSION = '~> 6.25';
const TERRAFORM_VERSION = '>= 1.10';
const ALLOWED_PROVIDERS = new Set(['hashicorp/aws', 'hashicorp/random']);

const NOT_FORMATTED = 'not formatted as `terraform fmt` writes it (run `terraform fmt -recursive`)';
const toPosix = (path: string): string => path.split(sep).join('/');

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain string (not an expression), or undefined. */
function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !value.includes('${') ? value : undefined;
}

function firstName(segments: Reference['segments'], from = 0): { name: string; at: number } | undefined {
  for (let i = from; i < segments.length; i++) {
    const segment = segments[i];
    if (segment && 'name' in segment) return { name: segment.name, at: i };
  }
  return undefined;
}

function nameAt(segments: Reference['segments'], at: number): string | undefined {
  const segment = segments[at];
  return segment && 'name' in segment ? segment.name : undefined;
}

function address(block: Block): string {
  if (block.kind === 'resource') return `${block.type}.${block.name}`;
  if (block.kind === 'data') return `data.${block.type}.${block.name}`;
  if (block.kind === 'ephemeral') return `ephemeral.${block.type}.${block.name}`;
  return block.name ? `${block.kind} "${block.name}"` : block.kind;
}

class Reporter {
  readonly problems: Problem[] = [];
  constructor(private readonly rules: ReadonlySet<Rule>) {}
  add(
    rule: Rule,
    file: string,
    line: number | undefined,
    message: string,
    extra: Partial<Problem> = {},
  ): void {
    if (!this.rules.has(rule)) return;
    this.problems.push({
      rule,
      severity: 'error',
      file,
      ...(line === undefined ? {} : { line }),
      message,
      ...extra,
    });
  }
  at(
    rule: Rule,
    block: Block,
    line: number | undefined,
    message: string,
    extra: Partial<Problem> = {},
  ): void {
    this.add(rule, block.file.path, line ?? block.line, message, extra);
  }
}

/** Declarations of one directory, by name. */
interface Declarations {
  resources: Map<string, Block>;
  data: Map<string, Block>;
  ephemeral: Map<string, Block>;
  modules: Map<string, Block>;
  variables: Map<string, Block>;
  outputs: Map<string, Block>;
  locals: Map<string, Block>;
  resourceTypes: Set<string>;
}

function declarations(dir: TfDirectory): Declarations {
  const d: Declarations = {
    resources: new Map(),
    data: new Map(),
    ephemeral: new Map(),
    modules: new Map(),
    variables: new Map(),
    outputs: new Map(),
    locals: new Map(),
    resourceTypes: new Set(),
  };
  for (const block of dir.blocks) {
    switch (block.kind) {
      case 'resource':
        d.resources.set(`${block.type}.${block.name}`, block);
        d.resourceTypes.add(block.type);
        break;
      case 'data':
        d.data.set(`${block.type}.${block.name}`, block);
        break;
      case 'ephemeral':
        d.ephemeral.set(`${block.type}.${block.name}`, block);
        break;
      case 'module':
        d.modules.set(block.name, block);
        break;
      case 'variable':
        d.variables.set(block.name, block);
        break;
      case 'output':
        d.outputs.set(block.name, block);
        break;
      case 'locals':
        for (const name of Object.keys(block.body)) d.locals.set(name, block);
        break;
      case 'check':
        // A check block may declare scoped data sources: data "type" "name" { } inside it.
        for (const [type, named] of Object.entries(isBody(block.body.data) ? block.body.data : {})) {
          for (const name of Object.keys(isBody(named) ? named : {})) d.data.set(`${type}.${name}`, block);
        }
        break;
    }
  }
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule: format

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

export function availableFormatter(): Formatter {
  return onPath('terraform') ? 'terraform' : 'hcl-tools';
}

/** The files `terraform fmt` would judge: .tf files that parse (fmt stops at the first that does not) and .tfvars. */
function formattableFiles(tree: Map<string, TfDirectory>): string[] {
  const files: string[] = [];
  for (const dir of tree.values()) {
    for (const file of dir.files) {
      if (!dir.parseProblems.some((p) => p.file === file)) files.push(file.path);
    }
    for (const name of readdirSync(dir.absolute)) {
      if (name.endsWith('.tfvars')) files.push(dir.path === '' ? name : `${dir.path}/${name}`);
    }
  }
  return files.sort();
}

/** The first line of the original file a unified diff changes (from its first hunk). */
function firstChangedLine(diff: string[]): number | undefined {
  let line: number | undefined;
  for (const text of diff) {
    const hunk = /^@@ -(\d+)/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (line === undefined || text.startsWith('---') || text.startsWith('+++')) continue;
    if (text.startsWith('-') || text.startsWith('+')) return line;
    line++;
  }
  return line;
}

function checkFormatWithTerraform(root: string, tree: Map<string, TfDirectory>, report: Reporter): void {
  const files = formattableFiles(tree);
  if (files.length === 0) return;
  const result = spawnSync('terraform', ['fmt', '-check', '-diff', '-no-color', ...files], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
  });
  if (result.error) throw result.error;
  if (result.status === 0) return;
  // With -diff, stdout is per file: its name on a line, then its unified diff.
  const wanted = new Set(files);
  const diffs = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of result.stdout.split('\n')) {
    if (wanted.has(line.trim())) {
      current = [];
      diffs.set(line.trim(), current);
    } else if (current && line !== '') current.push(line);
  }
  if (diffs.size === 0) {
    const output = (
      result.stderr.replace(/There are some problems with the CLI configuration:[\s\S]*?╵/, '') +
      result.stdout
    ).trim();
    report.add('format', '.', undefined, `terraform fmt -check failed (exit ${result.status}): ${output}`);
  }
  for (const [file, diff] of diffs) {
    report.add('format', toPosix(file), firstChangedLine(diff), NOT_FORMATTED, { detail: diff.join('\n') });
  }
}

async function checkFormatWithHclTools(
  root: string,
  tree: Map<string, TfDirectory>,
  report: Reporter,
): Promise<void> {
  const require = createRequire(import.meta.url);
  const { format } = require('@cdktf/hcl-tools') as { format(text: string): Promise<string> };
  for (const path of formattableFiles(tree)) {
    const text = readFileSync(join(root, path), 'utf8');
    const formatted = await format(text);
    if (formatted === text) continue;
    const original = text.split('\n');
    const wanted = formatted.split('\n');
    const first = original.findIndex((line, i) => line !== wanted[i]);
    const line = first < 0 ? original.length : first + 1;
    report.add('format', path, line, NOT_FORMATTED, {
      detail: `- ${original[line - 1] ?? ''}\n+ ${wanted[line - 1] ?? ''}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rule: schema

function checkBlockBody(
  body: Body,
  args: Record<string, Argument>,
  where: string,
  block: Block,
  top: boolean,
  report: Reporter,
): void {
  const present = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (top && RESOURCE_META.has(key)) continue;
    if (key === 'dynamic' && !('dynamic' in args)) {
      for (const [name, dynamics] of Object.entries(isBody(value) ? value : {})) {
        present.add(name);
        const argument = args[name];
        const line = argumentLine(block, name);
        if (!argument) {
          report.at('schema', block, line, `${where}: unsupported block "${name}" (dynamic)`);
          continue;
        }
        if (!isBlock(argument)) {
          report.at('schema', block, line, `${where}: "${name}" is an argument, not a block (dynamic)`);
          continue;
        }
        for (const dynamic of bodiesOf(dynamics)) {
          for (const own of Object.keys(dynamic)) {
            if (!DYNAMIC_KEYS.has(own)) {
              report.at(
                'schema',
                block,
                line,
                `${where}: dynamic "${name}" has unsupported argument "${own}"`,
              );
            }
          }
          const contents = bodiesOf(dynamic.content);
          if (contents.length === 0)
            report.at('schema', block, line, `${where}: dynamic "${name}" has no content`);
          for (const content of contents)
            checkBlockBody(content, argument.block, `${where}.${name}`, block, false, report);
        }
      }
      continue;
    }
    present.add(key);
    const argument = args[key];
    const line = argumentLine(block, key);
    if (!argument) {
      const what = Array.isArray(value) && value.length > 0 && value.every(isBody) ? 'block' : 'argument';
      report.at('schema', block, line, `${where}: unsupported ${what} "${key}"`);
      continue;
    }
    if (isBlock(argument)) {
      for (const nested of bodiesOf(value))
        checkBlockBody(nested, argument.block, `${where}.${key}`, block, false, report);
    } else if (!(Array.isArray(value) && value.length > 0 && value.every(isBody))) {
      const mismatch = literalMismatch(argument.type, value);
      if (mismatch) {
        report.at(
          'schema',
          block,
          line,
          `${where}: "${key}" must be ${typeName(argument.type)}, not ${mismatch}`,
        );
      }
    } else if (writtenAsBlock(block, key)) {
      report.at(
        'schema',
        block,
        line,
        `${where}: "${key}" is an argument (${argument.type}): write ${key} = ..., not a ${key} { } block`,
      );
    }
  }
  for (const [name, argument] of Object.entries(args)) {
    if (argument.required && !present.has(name)) {
      report.at(
        'schema',
        block,
        block.line,
        `${where}: missing required ${isBlock(argument) ? 'block' : 'argument'} "${name}"`,
      );
    }
  }
}

/** `array<string>` → `a list of string`, as Terraform names types. */
function typeName(type: string): string {
  const inner = /^(array|map)<(.*)>$/.exec(type);
  if (inner)
    return `a ${inner[1] === 'array' ? 'list' : 'map'} of ${typeName(inner[2] ?? 'any').replace(/^an? /, '')}`;
  return type === 'boolean' ? 'a bool' : type === 'any' ? 'any value' : `a ${type}`;
}

/**
 * What is wrong with a literal value (not an expression) for a schema type, the way Terraform converts values:
 * numbers and bools convert to strings, "12"/"true" to numbers and bools; nothing converts to or from a list or
 * an object. Expressions are not judged.
 */
function literalMismatch(type: string, value: unknown): string | undefined {
  if (value === null || value === undefined || type === 'any') return undefined;
  if (typeof value === 'string' && value.includes('${')) return undefined;
  const shown = (v: unknown): string =>
    Array.isArray(v)
      ? 'a list'
      : isBody(v)
        ? 'an object'
        : `${typeof v === 'string' ? 'the string' : 'the value'} ${JSON.stringify(v)}`;
  const container = /^(array|map)<(.*)>$/.exec(type);
  if (container) {
    const [, kind, element = 'any'] = container;
    if (kind === 'array' && Array.isArray(value)) {
      return value.map((v) => literalMismatch(element, v)).find((m) => m !== undefined);
    }
    if (kind === 'map' && isBody(value)) {
      return Object.values(value)
        .map((v) => literalMismatch(element, v))
        .find((m) => m !== undefined);
    }
    return shown(value);
  }
  if (Array.isArray(value) || isBody(value)) return shown(value);
  if (type === 'number' && typeof value !== 'number') {
    return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
      ? undefined
      : shown(value);
  }
  if (type === 'boolean' && typeof value !== 'boolean') {
    return value === 'true' || value === 'false' ? undefined : shown(value);
  }
  return undefined;
}

/** Whether the source writes `key { ... }` (a block) and never `key = ...` inside the block. */
function writtenAsBlock(block: Block, key: string): boolean {
  const from = block.line ?? 1;
  const to = blockEnd(block.file, block.line);
  const name = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (
    findLine(block.file, new RegExp(`^\\s*${name}\\s*\\{`), from, to) !== undefined &&
    findLine(block.file, new RegExp(`^\\s*${name}\\s*=`), from, to) === undefined
  );
}

async function checkSchema(dir: TfDirectory, schema: ProviderSchema, report: Reporter): Promise<void> {
  for (const block of dir.blocks) {
    if ((block.kind !== 'resource' && block.kind !== 'data') || !block.type.startsWith('aws_')) continue;
    const types = block.kind === 'resource' ? schema.resources : schema.data;
    const type = types[block.type];
    const kind = block.kind === 'resource' ? 'resource' : 'data source';
    if (!type) {
      report.at(
        'schema',
        block,
        block.line,
        `${address(block)}: unknown ${kind} type "${block.type}" in ${schema.provider} ${schema.version}`,
      );
      continue;
    }
    checkBlockBody(block.body, type.args, address(block), block, true, report);
    for (const lifecycle of bodiesOf(block.body.lifecycle)) {
      if (!('ignore_changes' in lifecycle)) continue;
      const ignored = lifecycle.ignore_changes;
      if (ignored === 'all' || ignored === '${all}') continue;
      for (const name of await traversalNames(ignored)) {
        if (name === 'all' || name in type.args) continue;
        report.at(
          'schema',
          block,
          argumentLine(block, 'ignore_changes'),
          `${address(block)}: lifecycle.ignore_changes names "${name}", which is not an argument of ${block.type}`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Module calls and remote state: what other directories offer

interface Context {
  root: string;
  tree: Map<string, TfDirectory>;
  schema: ProviderSchema;
  report: Reporter;
  /** Loaded lazily: directories outside the root a module call points at. */
  outside: Map<string, TfDirectory>;
  /** s3 backend key → stack directory (absolute). */
  stacksByKey: Map<string, string>;
}

async function directoryAt(context: Context, absolute: string): Promise<TfDirectory | undefined> {
  const inside = context.tree.get(absolute);
  if (inside) return inside;
  if (context.outside.has(absolute)) return context.outside.get(absolute);
  if (!existsSync(absolute) || !readdirSync(absolute).some((n) => n.endsWith('.tf'))) return undefined;
  const loaded = await loadDirectory(context.root, absolute);
  context.outside.set(absolute, loaded);
  return loaded;
}

/**
 * A remote state key as a pattern over backend keys: its literal text, with each `${each.key}`/`${each.value}`
 * matching anything (a for_each over stacks). Any other interpolation picks one stack by a value not known
 * statically: no pattern.
 */
function keyPattern(key: string): RegExp | undefined {
  const interpolations = key.match(/\$\{[^}]*\}/g) ?? [];
  if (interpolations.some((i) => !/^\$\{\s*each\.(key|value)\s*\}$/.test(i))) return undefined;
  const parts = key.split(/\$\{[^}]*\}/);
  if (parts.join('').replace(/[/._-]/g, '') === '') return undefined; // nothing literal to match on
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
}

function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../');
}

async function checkModuleCalls(
  dir: TfDirectory,
  decl: Declarations,
  context: Context,
): Promise<Map<string, Declarations | undefined>> {
  const called = new Map<string, Declarations | undefined>();
  for (const block of decl.modules.values()) {
    const source = literal(block.body.source);
    const where = `module "${block.name}"`;
    if (source === undefined) {
      context.report.at(
        'modules',
        block,
        argumentLine(block, 'source'),
        `${where}: source must be a literal path`,
      );
      called.set(block.name, undefined);
      continue;
    }
    if (!isLocalSource(source)) {
      context.report.at(
        'modules',
        block,
        argumentLine(block, 'source'),
        `${where}: source "${source}" is not a local path (./ or ../): the templates must not download modules`,
      );
      called.set(block.name, undefined);
      continue;
    }
    const target = resolve(dir.absolute, source);
    const module = await directoryAt(context, target);
    if (!module) {
      context.report.at(
        'modules',
        block,
        argumentLine(block, 'source'),
        `${where}: source "${source}" is not a directory with .tf files (${toPosix(relative(context.root, target))})`,
      );
      called.set(block.name, undefined);
      continue;
    }
    if (module.parseProblems.length > 0) {
      called.set(block.name, undefined);
      continue;
    }
    const inner = declarations(module);
    called.set(block.name, inner);
    for (const key of Object.keys(block.body)) {
      if (MODULE_META.has(key) || inner.variables.has(key)) continue;
      context.report.at(
        'modules',
        block,
        argumentLine(block, key),
        `${where}: argument "${key}" is not a variable of ${source} (it has: ${[...inner.variables.keys()].join(', ') || 'none'})`,
      );
    }
    for (const [name, variable] of inner.variables) {
      if ('default' in variable.body || name in block.body) continue;
      context.report.at(
        'modules',
        block,
        block.line,
        `${where}: required variable "${name}" of ${source} is not set`,
      );
    }
  }
  return called;
}

function backendKeyOf(dir: TfDirectory): string | undefined {
  for (const block of dir.blocks) {
    if (block.kind !== 'terraform') continue;
    for (const backends of bodiesOf(block.body.backend)) {
      for (const s3 of bodiesOf(backends.s3)) {
        const key = literal(s3.key);
        if (key) return key;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules: references, variables, modules (module.x.y), remote-state

async function checkReferences(dir: TfDirectory, decl: Declarations, context: Context): Promise<void> {
  const { report, schema } = context;
  const called = await checkModuleCalls(dir, decl, context);
  const used = new Set<string>();
  // The stacks each terraform_remote_state data source can read: the one whose backend key is its key, or, for a
  // key built from each.key and the like ("rating/${each.key}/terraform.tfstate"), every other stack it matches.
  const remoteStacks = new Map<string, Array<{ stack: string; outputs: Set<string> }>>();
  for (const [key, block] of decl.data) {
    if (block.type !== 'terraform_remote_state') continue;
    const config = bodiesOf(block.body.config)[0];
    const stateKey = config && typeof config.key === 'string' ? config.key : undefined;
    const pattern = stateKey === undefined ? undefined : keyPattern(stateKey);
    if (stateKey === undefined || pattern === undefined) continue;
    const stacks = [...context.stacksByKey]
      .filter(([backendKey, stack]) => pattern.test(backendKey) && stack !== dir.absolute)
      .map(([, stack]) => stack);
    if (stacks.length === 0 && context.stacksByKey.size > 0) {
      report.at(
        'remote-state',
        block,
        argumentLine(block, 'key'),
        `${address(block)}: key "${stateKey}" is not the backend key of any other stack here (${[...context.stacksByKey.keys()].join(', ')})`,
        { severity: 'warning' },
      );
    }
    remoteStacks.set(
      key.slice('terraform_remote_state.'.length),
      stacks.flatMap((stack) => {
        const stackDir = context.tree.get(stack);
        if (!stackDir) return [];
        return [
          {
            stack: toPosix(relative(context.root, stack)),
            outputs: new Set(declarations(stackDir).outputs.keys()),
          },
        ];
      }),
    );
  }

  // Provider configurations a block can pick with provider = aws.<alias>.
  const providerAliases = new Set<string>();
  for (const block of dir.blocks) {
    const alias = block.kind === 'provider' ? literal(block.body.alias) : undefined;
    if (alias) providerAliases.add(`${block.name}.${alias}`);
    if (block.kind !== 'terraform') continue;
    for (const providers of bodiesOf(block.body.required_providers)) {
      for (const spec of Object.values(providers)) {
        if (!isBody(spec)) continue;
        for (const entry of (await collectReferences(spec.configuration_aliases)).references) {
          providerAliases.add(entry.display);
        }
      }
    }
  }

  const gathered: Array<{ block: Block; references: Reference[] }> = [];
  for (const block of dir.blocks) {
    if (['terraform', 'moved', 'removed', 'import'].includes(block.kind)) continue;
    const { references, errors } = await collectReferences(block.body, {
      skip: (path) => path[0] === 'lifecycle' && path[1] === 'ignore_changes',
    });
    gathered.push({ block, references });
    for (const error of errors) {
      report.at('parse', block, block.line, `${address(block)}: expression does not parse: ${error.message}`);
    }
    for (const reference of references) {
      const line = textLine(block, reference.text);
      const { root, segments } = reference;
      // Through a for variable: the collection itself was checked (declared, used), only what follows is new.
      const derived = reference.via !== undefined;
      if (derived && ['var', 'local', 'each', 'count', 'self', 'path', 'terraform'].includes(root)) continue;
      const providerRef =
        (reference.path.length === 1 && reference.path[0] === 'provider' && block.kind !== 'module') ||
        (reference.path[0] === 'providers' && block.kind === 'module');
      if (providerRef) {
        const alias = nameAt(segments, 0);
        if (alias !== undefined && !providerAliases.has(`${root}.${alias}`)) {
          report.at(
            'references',
            block,
            line,
            `${address(block)}: provider ${root}.${alias} is not configured in ${dir.path || '.'} (no provider "${root}" with alias = "${alias}", no configuration_aliases entry)`,
          );
        }
        continue;
      }
      if (
        (root === 'each' && !('for_each' in block.body)) ||
        (root === 'count' && !('count' in block.body))
      ) {
        if (
          block.kind === 'resource' ||
          block.kind === 'data' ||
          block.kind === 'module' ||
          block.kind === 'ephemeral'
        ) {
          report.at(
            'references',
            block,
            line,
            `${address(block)}: ${reference.display} is used but the block has no ${root === 'each' ? 'for_each' : 'count'}`,
          );
        } else {
          report.at(
            'references',
            block,
            line,
            `${address(block)}: ${reference.display} only exists in a resource, data or module block`,
          );
        }
        continue;
      }
      if (root === 'var') {
        const name = nameAt(segments, 0);
        if (name === undefined) continue;
        if (!(block.kind === 'variable' && block.name === name)) used.add(name);
        if (!decl.variables.has(name)) {
          report.at(
            'variables',
            block,
            line,
            `${address(block)}: var.${name} is not declared in ${dir.path || '.'}`,
          );
        }
        continue;
      }
      if (root === 'local') {
        const name = nameAt(segments, 0);
        if (name !== undefined && !decl.locals.has(name)) {
          report.at(
            'variables',
            block,
            line,
            `${address(block)}: local.${name} is not defined in ${dir.path || '.'}`,
          );
        }
        continue;
      }
      if (root === 'module') {
        const name = nameAt(segments, 0);
        if (name === undefined) continue;
        if (!decl.modules.has(name)) {
          if (!derived)
            report.at(
              'modules',
              block,
              line,
              `${address(block)}: module.${name} is not a module call in ${dir.path || '.'}`,
            );
          continue;
        }
        const inner = called.get(name);
        const output = firstName(segments, 1);
        if (inner && output && !inner.outputs.has(output.name)) {
          const source = literal(decl.modules.get(name)?.body.source) ?? '?';
          report.at(
            'modules',
            block,
            line,
            `${address(block)}: ${reference.display}: ${source} has no output "${output.name}"`,
          );
        }
        continue;
      }
      if (root === 'data' || root === 'ephemeral') {
        const type = nameAt(segments, 0);
        const name = nameAt(segments, 1);
        if (type === undefined || name === undefined) continue;
        const declared = (root === 'data' ? decl.data : decl.ephemeral).get(`${type}.${name}`);
        if (!declared) {
          if (!derived)
            report.at(
              'references',
              block,
              line,
              `${address(block)}: ${root}.${type}.${name} is not declared in ${dir.path || '.'}`,
            );
          continue;
        }
        const attribute = firstName(segments, 2);
        if (root === 'data' && type.startsWith('aws_') && attribute) {
          const typeSchema = schema.data[type];
          if (typeSchema && !hasAttribute(typeSchema, attribute.name)) {
            report.at(
              'references',
              block,
              line,
              `${address(block)}: ${reference.display}: ${type} has no argument or attribute "${attribute.name}"`,
            );
          }
        }
        if (root === 'data' && type === 'terraform_remote_state' && attribute?.name === 'outputs') {
          const output = firstName(segments, attribute.at + 1);
          const lacking = (remoteStacks.get(name) ?? []).filter((r) => output && !r.outputs.has(output.name));
          if (output && lacking.length > 0) {
            report.at(
              'remote-state',
              block,
              line,
              `${address(block)}: ${reference.display}: ${lacking.length === 1 ? 'stack' : 'stacks'} ${lacking.map((r) => r.stack).join(', ')} ${lacking.length === 1 ? 'has' : 'have'} no output "${output.name}"`,
            );
          }
        }
        continue;
      }
      if (root.startsWith('aws_') || decl.resourceTypes.has(root)) {
        const name = nameAt(segments, 0);
        if (name === undefined) continue;
        if (!decl.resources.has(`${root}.${name}`)) {
          if (!derived)
            report.at(
              'references',
              block,
              line,
              `${address(block)}: ${root}.${name} is not declared in ${dir.path || '.'}`,
            );
          continue;
        }
        const attribute = firstName(segments, 1);
        const typeSchema = schema.resources[root];
        if (attribute && typeSchema && !hasAttribute(typeSchema, attribute.name)) {
          report.at(
            'references',
            block,
            line,
            `${address(block)}: ${reference.display}: ${root} has no argument or attribute "${attribute.name}"`,
          );
        }
      }
    }
  }
  for (const [name, block] of decl.variables) {
    if (used.has(name)) continue;
    report.at('variables', block, block.line, `variable "${name}" is declared but never used`, {
      severity: 'warning',
    });
  }
  checkSensitiveOutputs(decl, called, gathered, report);
}

/**
 * Terraform refuses an output whose value derives from a sensitive value unless the output says
 * `sensitive = true`: a sensitive variable, a local built from one, a sensitive output of a called module.
 * (Sensitive resource attributes are not in the schema file, so they are not followed.)
 */
function checkSensitiveOutputs(
  decl: Declarations,
  called: Map<string, Declarations | undefined>,
  gathered: Array<{ block: Block; references: Reference[] }>,
  report: Reporter,
): void {
  const sensitiveLocals = new Set<string>();
  const source = (reference: Reference): string | undefined => {
    const name = nameAt(reference.segments, 0);
    if (name === undefined || reference.via !== undefined) return undefined;
    if (reference.root === 'var' && decl.variables.get(name)?.body.sensitive === true) return `var.${name}`;
    if (reference.root === 'local' && sensitiveLocals.has(name)) return `local.${name}`;
    if (reference.root === 'module') {
      const output = firstName(reference.segments, 1);
      if (output && called.get(name)?.outputs.get(output.name)?.body.sensitive === true) {
        return `module.${name}.${output.name}`;
      }
    }
    return undefined;
  };
  const locals = gathered.filter(({ block }) => block.kind === 'locals');
  for (let changed = true; changed;) {
    changed = false;
    for (const { block, references } of locals) {
      for (const reference of references) {
        const local = reference.path[0];
        if (local === undefined || sensitiveLocals.has(local) || !source(reference)) continue;
        if (String(JSON.stringify(block.body[local])).includes('nonsensitive(')) continue;
        sensitiveLocals.add(local);
        changed = true;
      }
    }
  }
  for (const { block, references } of gathered) {
    if (block.kind !== 'output' || block.body.sensitive === true) continue;
    if (String(JSON.stringify(block.body.value)).includes('nonsensitive(')) continue;
    const from = references
      .filter((r) => r.path[0] === 'value')
      .map(source)
      .find((s) => s !== undefined);
    if (from === undefined) continue;
    report.at(
      'sensitive',
      block,
      argumentLine(block, 'value'),
      `output "${block.name}" derives from the sensitive ${from}: set sensitive = true (or wrap it in nonsensitive())`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rule: variables (variable files)

const VARIABLE_FILE = /\.tfvars(\.json|\.example)?$/;

/** The type a variable declares, when it is a plain string, number or bool. */
function primitiveType(block: Block): 'string' | 'number' | 'bool' | undefined {
  const type =
    typeof block.body.type === 'string' ? block.body.type.replace(/^\$\{(.*)\}$/s, '$1').trim() : '';
  return type === 'string' || type === 'number' || type === 'bool' ? type : undefined;
}

/** Every value in the directory's .tfvars / .tfvars.json (and .tfvars.example) files sets a declared variable. */
async function checkVariableFiles(dir: TfDirectory, decl: Declarations, report: Reporter): Promise<void> {
  for (const name of readdirSync(dir.absolute)
    .filter((n) => VARIABLE_FILE.test(n))
    .sort()) {
    const path = dir.path === '' ? name : `${dir.path}/${name}`;
    const text = readFileSync(join(dir.absolute, name), 'utf8');
    const lines = text.split('\n');
    let values: Record<string, unknown>;
    try {
      values = name.endsWith('.json')
        ? (JSON.parse(text) as Record<string, unknown>)
        : await hcl2json.parse(path, text);
    } catch (error) {
      report.add(
        'parse',
        path,
        undefined,
        `does not parse: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    if (!isBody(values)) {
      report.add('variables', path, 1, 'expected an object of variable values');
      continue;
    }
    for (const [key, value] of Object.entries(values)) {
      const index = lines.findIndex((l) => new RegExp(`^\\s*("${key}"\\s*:|${key}\\s*=)`).test(l));
      const line = index < 0 ? undefined : index + 1;
      const variable = decl.variables.get(key);
      if (!variable) {
        report.add('variables', path, line, `sets "${key}", which is not a variable of ${dir.path || '.'}`);
        continue;
      }
      const type = primitiveType(variable);
      const mismatch = type && literalMismatch(type === 'bool' ? 'boolean' : type, value);
      if (mismatch) report.add('variables', path, line, `"${key}" must be a ${type}, not ${mismatch}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rule: conventions

function stackKind(path: string): 'environment' | 'bootstrap' | undefined {
  if (/^environments\/[^/]+$/.test(path)) return 'environment';
  if (path === 'bootstrap') return 'bootstrap';
  return undefined;
}

function checkConventions(dir: TfDirectory, decl: Declarations, report: Reporter): void {
  const here = dir.path === '' ? '' : `${dir.path}/`;
  for (const name of REQUIRED_FILES) {
    if (!existsSync(join(dir.absolute, name))) {
      report.add(
        'conventions',
        `${here}${name}`,
        undefined,
        `${dir.path || '.'} has no ${name} (every module and stack has ${REQUIRED_FILES.join(', ')})`,
      );
    }
  }
  for (const [name, block] of decl.variables) {
    if (!('type' in block.body))
      report.at('conventions', block, block.line, `variable "${name}" has no type`);
    if (!literal(block.body.description))
      report.at('conventions', block, block.line, `variable "${name}" has no description`);
  }
  for (const [name, block] of decl.outputs) {
    if (!literal(block.body.description))
      report.at('conventions', block, block.line, `output "${name}" has no description`);
  }
  const terraformBlocks = dir.blocks.filter((b) => b.kind === 'terraform');
  const versions = terraformBlocks.filter(
    (b) => b.file.path.endsWith('/versions.tf') || b.file.path === 'versions.tf',
  );
  const versionsFile = `${here}versions.tf`;
  if (versions.length === 0 && existsSync(join(dir.absolute, 'versions.tf'))) {
    report.add('conventions', versionsFile, 1, 'versions.tf has no terraform { } block');
  }
  let requiredVersion: unknown;
  let aws: Body | undefined;
  for (const block of versions) {
    if ('required_version' in block.body) requiredVersion = block.body.required_version;
    for (const providers of bodiesOf(block.body.required_providers)) {
      for (const [local, spec] of Object.entries(providers)) {
        const source = isBody(spec) ? literal(spec.source) : undefined;
        if (!source || !ALLOWED_PROVIDERS.has(source)) {
          report.at(
            'conventions',
            block,
            argumentLine(block, local),
            `provider "${local}" (${source ?? 'no source'}) is not allowed: only ${[...ALLOWED_PROVIDERS].join(', ')}`,
          );
        }
        if (source === 'hashicorp/aws' && isBody(spec)) aws = spec;
      }
    }
  }
  if (versions.length > 0) {
    const block = versions[0] as Block;
    if (requiredVersion !== TERRAFORM_VERSION) {
      report.at(
        'conventions',
        block,
        argumentLine(block, 'required_version'),
        `required_version is ${JSON.stringify(requiredVersion ?? null)}, expected "${TERRAFORM_VERSION}"`,
      );
    }
    if (!aws) {
      report.at('conventions', block, block.line, 'required_providers does not declare hashicorp/aws');
    } else if (aws.version !== AWS_VERSION) {
      report.at(
        'conventions',
        block,
        argumentLine(block, 'version'),
        `hashicorp/aws version is ${JSON.stringify(aws.version ?? null)}, expected "${AWS_VERSION}"`,
      );
    }
  }
  const kind = stackKind(dir.path);
  if (kind) {
    const backends = terraformBlocks.flatMap((b) => bodiesOf(b.body.backend).flatMap((x) => Object.keys(x)));
    const saysLocal = dir.files.some((f) => /(#|\/\/|\/\*).*\blocal (state|backend)\b/i.test(f.text));
    if (kind === 'environment' && (backends.length === 0 || backends.includes('local'))) {
      report.add(
        'conventions',
        versionsFile,
        undefined,
        `stack ${dir.path} has no remote backend (terraform { backend "s3" { ... } })`,
      );
    }
    if (kind === 'bootstrap' && backends.length === 0 && !saysLocal) {
      report.add(
        'conventions',
        versionsFile,
        undefined,
        'bootstrap has no backend and does not say it keeps local state (a comment "local state")',
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Checks every Terraform directory under root. */
export async function checkTree(rootDir: string, options: CheckOptions = {}): Promise<CheckResult> {
  const root = isAbsolute(rootDir) ? rootDir : resolve(rootDir);
  if (!existsSync(root))
    throw new Error(`${rootDir}: no such directory (expected a tree of Terraform modules)`);
  const rules = new Set<Rule>(options.rules ?? RULES);
  const report = new Reporter(rules);
  const tree = await loadTree(root);
  const schema = options.schema ?? loadSchema();

  for (const dir of tree.values()) {
    for (const problem of dir.parseProblems)
      report.add('parse', problem.file.path, problem.line, problem.message);
  }

  let formatter: Formatter | undefined;
  if (rules.has('format')) {
    formatter = !options.formatter || options.formatter === 'auto' ? availableFormatter() : options.formatter;
    if (formatter === 'terraform') checkFormatWithTerraform(root, tree, report);
    else await checkFormatWithHclTools(root, tree, report);
  }

  const stacksByKey = new Map<string, string>();
  for (const [absolute, dir] of tree) {
    const key = stackKind(dir.path) ? backendKeyOf(dir) : undefined;
    if (key) stacksByKey.set(key, absolute);
  }
  const context: Context = { root, tree, schema, report, outside: new Map(), stacksByKey };
  for (const dir of tree.values()) {
    // A file that does not parse leaves its directory half-read: the other rules would only echo that.
    if (dir.parseProblems.length > 0) continue;
    const decl = declarations(dir);
    await checkSchema(dir, schema, report);
    await checkReferences(dir, decl, context);
    await checkVariableFiles(dir, decl, report);
    checkConventions(dir, decl, report);
  }
  const order = (p: Problem): string => `${p.file}\u0000${String(p.line ?? 0).padStart(6, '0')}`;
  report.problems.sort((a, b) => order(a).localeCompare(order(b)));
  return { root, problems: report.problems, formatter, directories: [...tree.values()].map((d) => d.path) };
}

/** `file:line: message [rule]`, one problem per line (plus its detail, indented). */
export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const level = problem.severity === 'warning' ? 'warning: ' : '';
  const head = `${where}: ${level}${problem.message} [${problem.rule}]`;
  if (!problem.detail) return head;
  return `${head}\n${problem.detail
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}`;
}
