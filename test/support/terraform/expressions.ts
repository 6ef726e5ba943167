/**
 * References in Terraform expressions. hcl2json gives every expression as a string template (`${...}`,
 * `%{ for }`); each such string is parsed again by hcl2json's expression parser (as a heredoc template, so quotes
 * need no escaping and `$${` stays a literal) and the traversals of its syntax tree become references.
 * Names bound by `for` expressions are not references.
 */
import { hcl2json, type AstNode } from './hcl.js';

/** One step after the root: `.name`, or an index (`[0]`, `["k"]`, `[var.i]`, `[*]`). */
export type Segment = { name: string } | { index: true };

export interface Reference {
  /** The first name: `var`, `local`, `aws_vpc`, `data`, `module`, ... */
  root: string;
  /** Everything after the root, in order. */
  segments: Segment[];
  /** The reference up to its first index, to find its line: `aws_vpc.main` for `aws_vpc.main[0].id`. */
  text: string;
  /** The whole chain for messages, indexes shown as `[…]`: `aws_vpc.main[…].id`. */
  display: string;
  /** Keys from the block body down to the string the reference is in (`['lifecycle', 'ignore_changes']`). */
  path: string[];
  /** Set when the reference is written through a `for` variable: `s` in `[for s in aws_subnet.private : s.id]`. */
  via?: string;
}

export interface ExpressionError {
  path: string[];
  expression: string;
  message: string;
}

const END = 'TFCHECK_END_OF_TEMPLATE';
const cache = new Map<string, Promise<AstNode | null>>();

/** Whether a string from hcl2json holds an expression (an interpolation or a template directive). */
export function isTemplate(value: string): boolean {
  return /(^|[^$])\$\{/.test(value) || /(^|[^%])%\{/.test(value);
}

function parseTemplate(value: string): Promise<AstNode | null> {
  let ast = cache.get(value);
  if (!ast) {
    ast = hcl2json.getExpressionAst('expression.tf', `<<${END}\n${value}\n${END}\n`);
    cache.set(value, ast);
  }
  return ast;
}

interface Chain {
  segments: Array<{ name: string } | { index: true }>;
  rest: AstNode[];
}

function traversalSegments(node: AstNode): Segment[] {
  return (node.meta?.traversal ?? []).map((part) =>
    part.type === 'nameTraversal' ? { name: part.segment } : { index: true as const },
  );
}

/** Flattens `a.b[x].c`, `a.b[*].c` and `a.b.*.c` into one chain of segments (plus the index expressions). */
function chainOf(node: AstNode | undefined): Chain | null {
  if (!node) return null;
  const children = node.children ?? [];
  switch (node.type) {
    case 'scopeTraversal':
      return { segments: traversalSegments(node), rest: [] };
    case 'relativeTraversal': {
      const source = chainOf(children[0]);
      if (!source) return null;
      return { segments: [...source.segments, ...traversalSegments(node)], rest: source.rest };
    }
    case 'index': {
      const source = chainOf(children[0]);
      if (!source) return null;
      return {
        segments: [...source.segments, { index: true }],
        rest: [...source.rest, ...children.slice(1)],
      };
    }
    case 'splat': {
      const source = chainOf(children[0]);
      if (!source) return null;
      const each = children[1];
      const after = each && each.type === 'relativeTraversal' ? traversalSegments(each) : [];
      return { segments: [...source.segments, { index: true }, ...after], rest: source.rest };
    }
    default:
      return null;
  }
}

function displayOf(segments: Segment[]): string {
  return segments.map((s, i) => ('name' in s ? `${i === 0 ? '' : '.'}${s.name}` : '[…]')).join('');
}

function textOf(segments: Segment[]): string {
  const names: string[] = [];
  for (const segment of segments) {
    if (!('name' in segment)) break;
    names.push(segment.name);
  }
  return names.join('.');
}

/**
 * Names bound by enclosing `for` expressions. A value variable iterating over a reference (`for s in
 * aws_subnet.private`) stands for an element of it, so `s.id` is checked as `aws_subnet.private[…].id`;
 * anything else (keys, values of computed collections) is null: not a reference.
 */
type Bindings = ReadonlyMap<string, Segment[] | null>;

function resolveChain(segments: Segment[], bound: Bindings): { segments: Segment[]; via?: string } | null {
  const [first, ...rest] = segments;
  if (!first || !('name' in first)) return null;
  if (!bound.has(first.name)) return { segments };
  const target = bound.get(first.name);
  return target ? { segments: [...target, ...rest], via: first.name } : null;
}

function collect(node: AstNode, bound: Bindings, path: string[], out: Reference[]): void {
  const chain = ['scopeTraversal', 'relativeTraversal', 'index', 'splat'].includes(node.type)
    ? chainOf(node)
    : null;
  if (chain) {
    const resolved = resolveChain(chain.segments, bound);
    const [first, ...segments] = resolved?.segments ?? [];
    if (resolved && first && 'name' in first) {
      out.push({
        root: first.name,
        segments,
        text: textOf(chain.segments),
        display: displayOf(resolved.segments),
        path,
        ...(resolved.via ? { via: resolved.via } : {}),
      });
    }
    for (const child of chain.rest) collect(child, bound, path, out);
    return;
  }
  const children = node.children ?? [];
  if (node.type !== 'for') {
    for (const child of children) collect(child, bound, path, out);
    return;
  }
  const meta = node.meta ?? {};
  const collection = children.find((c) => c.meta?.value === meta.collectionExpression) ?? children[0];
  if (collection) collect(collection, bound, path, out);
  const source = chainOf(collection);
  const element = source ? resolveChain(source.segments, bound) : null;
  const inner = new Map(bound);
  if (meta.keyVar) inner.set(meta.keyVar, null);
  if (meta.valVar) inner.set(meta.valVar, element ? [...element.segments, { index: true }] : null);
  for (const child of children) if (child !== collection) collect(child, inner, path, out);
}

/**
 * Every reference in a value from hcl2json (string, list, object: walked whole, keys included), with the key
 * path to it. `skip(path)` leaves out subtrees (for example `lifecycle.ignore_changes`, which names arguments).
 */
export async function collectReferences(
  value: unknown,
  options: { path?: string[]; skip?: (path: string[]) => boolean } = {},
): Promise<{ references: Reference[]; errors: ExpressionError[] }> {
  const references: Reference[] = [];
  const errors: ExpressionError[] = [];
  const visit = async (node: unknown, path: string[]): Promise<void> => {
    if (options.skip?.(path)) return;
    if (typeof node === 'string') {
      if (!isTemplate(node)) return;
      try {
        const ast = await parseTemplate(node);
        if (ast) collect(ast, new Map(), path, references);
      } catch (error) {
        errors.push({
          path,
          expression: node,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) await visit(item, path);
      return;
    }
    if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (isTemplate(key)) await visit(key, path);
        await visit(child, [...path, key]);
      }
    }
  };
  await visit(value, options.path ?? []);
  return { references, errors };
}

/** The names in `ignore_changes = [tags, tags["Name"], all]` as written (first segment of each). */
export async function traversalNames(value: unknown): Promise<string[]> {
  const { references } = await collectReferences(value);
  return references.map((reference) => reference.root);
}
