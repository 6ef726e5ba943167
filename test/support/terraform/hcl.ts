/**
 * Loads Terraform directories into plain data: every .tf file parsed by `@cdktf/hcl2json` (the HCL parser of
 * Terraform compiled to wasm), split into typed blocks that remember the file and line they come from.
 *
 * hcl2json's JSON follows Terraform's JSON syntax: a block is an array of bodies (`nested { }` twice gives two
 * entries), an expression is a string `${...}` and a string literal is a plain string. Line numbers are not in
 * the JSON, so they are found in the source text (the templates are `terraform fmt`-formatted, which keeps block
 * headers and arguments at the start of a line).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

export type Body = Record<string, unknown>;

interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<AstNode | null>;
}

/** A node of the expression syntax tree hcl2json returns (see @cdktf/hcl2json/lib/syntax-tree.d.ts). */
export interface AstNode {
  type: string;
  children?: AstNode[];
  meta?: {
    traversal?: Array<{ type: 'nameTraversal' | 'indexTraversal'; segment: string }>;
    keyVar?: string;
    valVar?: string;
    value?: string;
    collectionExpression?: string;
    name?: string;
  };
}

// hcl2json is CommonJS; loading it through require keeps one wasm instance per process.
const require = createRequire(import.meta.url);
export const hcl2json = require('@cdktf/hcl2json') as Hcl2Json;

export type BlockKind =
  | 'resource'
  | 'data'
  | 'module'
  | 'variable'
  | 'output'
  | 'locals'
  | 'terraform'
  | 'provider'
  | 'moved'
  | 'removed'
  | 'import'
  | 'check'
  | 'ephemeral';

/** One top-level block. `type` is the first label of resource/data/ephemeral blocks, `name` the last label. */
export interface Block {
  kind: BlockKind | string;
  type: string;
  name: string;
  body: Body;
  file: TfFile;
  line: number | undefined;
}

export interface TfFile {
  /** Path relative to the checked root, with forward slashes. */
  path: string;
  absolute: string;
  text: string;
  lines: string[];
}

export interface ParseProblem {
  file: TfFile;
  line: number | undefined;
  message: string;
}

/** A directory with at least one .tf file: a module or a stack. */
export interface TfDirectory {
  /** Path relative to the checked root ('' for the root itself), forward slashes. */
  path: string;
  absolute: string;
  files: TfFile[];
  blocks: Block[];
  parseProblems: ParseProblem[];
}

const LABELS: Record<string, number> = {
  resource: 2,
  data: 2,
  ephemeral: 2,
  module: 1,
  variable: 1,
  output: 1,
  provider: 1,
  check: 1,
};

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The bodies of a block value as hcl2json gives it (an array of bodies, or one body for an object attribute). */
export function bodiesOf(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter(isBody);
  if (isBody(value)) return [value];
  return [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** 1-based line of the first line at or after `from` (1-based) matching the pattern. */
export function findLine(
  file: TfFile,
  pattern: RegExp,
  from = 1,
  to = file.lines.length,
): number | undefined {
  for (let i = Math.max(0, from - 1); i < Math.min(file.lines.length, to); i++) {
    if (pattern.test(file.lines[i] ?? '')) return i + 1;
  }
  return undefined;
}

/** Line of a block header such as `resource "aws_vpc" "main" {`. */
function headerLine(file: TfFile, kind: string, labels: string[]): number | undefined {
  const quoted = labels.map((label) => `"?${escapeRegExp(label)}"?`).join('\\s+');
  return findLine(file, new RegExp(`^\\s*${escapeRegExp(kind)}${quoted ? `\\s+${quoted}` : ''}\\s*\\{`));
}

/** The last line of a top-level block that starts at `line`: the line before the next top-level header. */
export function blockEnd(file: TfFile, line: number | undefined): number {
  if (line === undefined) return file.lines.length;
  for (let i = line; i < file.lines.length; i++) {
    if (/^[a-z_]+(\s+"[^"]*")*\s*\{/.test(file.lines[i] ?? '')) return i;
  }
  return file.lines.length;
}

/** Line of the argument or nested block `key` inside the block that starts at `line`. */
export function argumentLine(block: Pick<Block, 'file' | 'line'>, key: string): number | undefined {
  return (
    findLine(
      block.file,
      new RegExp(`^\\s*(${escapeRegExp(key)}\\s*(=|\\{)|dynamic\\s+"${escapeRegExp(key)}")`),
      block.line,
      blockEnd(block.file, block.line),
    ) ?? block.line
  );
}

/** Line of the first occurrence of `text` (not followed by more of a name) inside the block at `line`. */
export function textLine(block: Pick<Block, 'file' | 'line'>, text: string): number | undefined {
  const pattern = new RegExp(`(^|[^\\w.])${escapeRegExp(text)}(?![\\w-])`);
  return findLine(block.file, pattern, block.line, blockEnd(block.file, block.line)) ?? block.line;
}

function splitBlocks(file: TfFile, parsed: Record<string, unknown>): Block[] {
  const blocks: Block[] = [];
  for (const [kind, value] of Object.entries(parsed)) {
    const depth = LABELS[kind] ?? 0;
    if (depth === 0) {
      for (const body of bodiesOf(value)) {
        blocks.push({ kind, type: '', name: '', body, file, line: headerLine(file, kind, []) });
      }
      continue;
    }
    const walk = (node: unknown, labels: string[]): void => {
      if (labels.length === depth) {
        for (const body of bodiesOf(node)) {
          blocks.push({
            kind,
            type: depth === 2 ? (labels[0] ?? '') : '',
            name: labels[labels.length - 1] ?? '',
            body,
            file,
            line: headerLine(file, kind, labels),
          });
        }
        return;
      }
      if (!isBody(node)) return;
      for (const [label, child] of Object.entries(node)) walk(child, [...labels, label]);
    };
    walk(value, []);
  }
  // `locals` and `terraform` can repeat in a file: give each its own header line, in order.
  for (const kind of ['locals', 'terraform']) {
    const same = blocks.filter((b) => b.kind === kind);
    let from = 1;
    for (const block of same) {
      block.line = findLine(file, new RegExp(`^${kind}\\s*\\{`), from);
      if (block.line !== undefined) from = block.line + 1;
    }
  }
  return blocks;
}

/**
 * hcl2json's error lists every diagnostic: `parse config: [main.tf:2,7-3,1: Invalid expression; Expected ...
 * main.tf:5,3-4: ...]`. One entry per diagnostic, with its line.
 */
function describeParseError(
  filename: string,
  error: unknown,
): Array<{ line: number | undefined; message: string }> {
  const text = (error instanceof Error ? error.message : String(error)).trim();
  const inner = /^parse config: \[([\s\S]*)\]$/.exec(text)?.[1] ?? text;
  const marker = new RegExp(`(?:^|\\s)${escapeRegExp(filename)}:(\\d+),\\d+(?:-\\d+(?:,\\d+)?)?: `, 'g');
  const starts = [...inner.matchAll(marker)];
  if (starts.length === 0) return [{ line: undefined, message: text }];
  return starts.map((match, i) => {
    const from = (match.index ?? 0) + match[0].length;
    const to = starts[i + 1]?.index ?? inner.length;
    return { line: Number(match[1]), message: inner.slice(from, to).trim() };
  });
}

/** Parses every .tf file of one directory (not its subdirectories). */
export async function loadDirectory(root: string, absolute: string): Promise<TfDirectory> {
  const names = readdirSync(absolute)
    .filter((name) => name.endsWith('.tf') && statSync(join(absolute, name)).isFile())
    .sort();
  const directory: TfDirectory = {
    path: toPosix(relative(root, absolute)),
    absolute,
    files: [],
    blocks: [],
    parseProblems: [],
  };
  for (const name of names) {
    const path = join(absolute, name);
    const text = readFileSync(path, 'utf8');
    const file: TfFile = {
      path: toPosix(relative(root, path)),
      absolute: path,
      text,
      lines: text.split('\n'),
    };
    directory.files.push(file);
    try {
      const parsed = await hcl2json.parse(file.path, text);
      directory.blocks.push(...splitBlocks(file, parsed));
    } catch (error) {
      for (const { line, message } of describeParseError(file.path, error)) {
        directory.parseProblems.push({ file, line, message });
      }
    }
  }
  return directory;
}

/** Every directory under root (root included) that holds a .tf file, skipping .terraform and dot folders. */
export function findTerraformDirectories(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.tf'))) found.push(dir);
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
        walk(join(dir, entry.name));
      }
    }
  };
  if (existsSync(root)) walk(root);
  return found.sort();
}

/** Loads every Terraform directory under root, keyed by absolute path. */
export async function loadTree(root: string): Promise<Map<string, TfDirectory>> {
  const tree = new Map<string, TfDirectory>();
  for (const dir of findTerraformDirectories(root)) tree.set(dir, await loadDirectory(root, dir));
  return tree;
}
