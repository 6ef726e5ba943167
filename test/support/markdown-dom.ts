/**
 * Test support: render markdown the way GitHub does (CommonMark + GFM, raw HTML kept) and walk the resulting DOM,
 * so tests can check structure (closed `<details>`, no stray comments or scripts) and where text ends up (inside
 * `<code>`/`<pre>` or not) instead of matching markdown strings.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { parseFragment, type DefaultTreeAdapterTypes } from 'parse5';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;
type Fragment = DefaultTreeAdapterTypes.DocumentFragment;

export function markdownToHtml(markdown: string): string {
  return micromark(markdown, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  });
}

export function parseHtml(html: string): Fragment {
  return parseFragment(html, { sourceCodeLocationInfo: true });
}

export function markdownToDom(markdown: string): Fragment {
  return parseHtml(markdownToHtml(markdown));
}

function childrenOf(node: Node): Node[] {
  return 'childNodes' in node ? (node.childNodes as Node[]) : [];
}

export function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

/** Every node below `root`, depth first, with its ancestors' tag names. */
export function* walk(root: Node, ancestors: string[] = []): Generator<{ node: Node; ancestors: string[] }> {
  for (const child of childrenOf(root)) {
    yield { node: child, ancestors };
    yield* walk(child, isElement(child) ? [...ancestors, child.tagName] : ancestors);
  }
}

export function elements(root: Node, tag?: string): Element[] {
  const out: Element[] = [];
  for (const { node } of walk(root))
    if (isElement(node) && (tag === undefined || node.tagName === tag)) out.push(node);
  return out;
}

export function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterTypes.TextNode).value;
  return childrenOf(node).map(textOf).join('');
}

/** Text of the DOM split by where it stands: inside a `<code>` or `<pre>` element, or not. Nodes are joined by NUL. */
export function textByPlace(root: Node): { inCode: string; outsideCode: string } {
  const inCode: string[] = [];
  const outside: string[] = [];
  for (const { node, ancestors } of walk(root)) {
    if (node.nodeName !== '#text') continue;
    const value = (node as DefaultTreeAdapterTypes.TextNode).value;
    (ancestors.includes('code') || ancestors.includes('pre') ? inCode : outside).push(value);
  }
  return { inCode: inCode.join('\0'), outsideCode: outside.join('\0') };
}

const VOID = new Set(['br', 'hr', 'img', 'input', 'wbr', 'col', 'meta', 'link']);
/** What GitHub keeps and what our report may produce; anything else came from content that escaped as markup. */
export const ALLOWED_TAGS = new Set([
  'h3',
  'p',
  'strong',
  'em',
  'b',
  'code',
  'pre',
  'sub',
  'a',
  'details',
  'summary',
  'blockquote',
  'ul',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
]);

/**
 * Structural problems of a rendered report, as a list of readable strings (empty when all is well):
 * - a `<details>` (or any other non-void element) without its own end tag in the source;
 * - a `<details>` whose first element child is not its `<summary>`;
 * - any `<script>` element, or any element outside ALLOWED_TAGS;
 * - an HTML comment other than `marker` as the very first node;
 * - a fenced code block left open in the markdown.
 */
export function structuralProblems(markdown: string, marker?: string): string[] {
  const problems: string[] = [];
  const fence = openFenceAtEnd(markdown);
  if (fence) problems.push(`fenced code block opened with ${fence} is never closed`);
  const root = markdownToDom(markdown);
  for (const { node } of walk(root)) {
    if (node.nodeName === '#comment') {
      const first = root.childNodes[0];
      const data = (node as DefaultTreeAdapterTypes.CommentNode).data;
      if (!(marker !== undefined && node === first && `<!--${data}-->` === marker))
        problems.push(`unexpected HTML comment <!--${data.slice(0, 80)}-->`);
      continue;
    }
    if (!isElement(node)) continue;
    if (node.tagName === 'script') problems.push('a <script> element');
    if (!ALLOWED_TAGS.has(node.tagName)) problems.push(`unexpected element <${node.tagName}>`);
    if (!VOID.has(node.tagName) && !node.sourceCodeLocation?.endTag)
      problems.push(`<${node.tagName}> at offset ${node.sourceCodeLocation?.startOffset} is not closed`);
    if (node.tagName === 'details') {
      const firstElement = node.childNodes.find(isElement);
      if (firstElement?.tagName !== 'summary') problems.push('<details> whose first child is not <summary>');
    }
  }
  if (marker !== undefined) {
    if (!markdown.startsWith(marker + '\n') && markdown !== marker)
      problems.push('the marker is not the first line');
    if (root.childNodes[0]?.nodeName !== '#comment') problems.push('the marker is not the first node');
  }
  return problems;
}

/**
 * A fence scanner independent of micromark, for top-level fenced code blocks (the report never nests them):
 * returns the opening fence of a block still open at the end of the document, if any.
 */
export function openFenceAtEnd(markdown: string): string | undefined {
  let open: string | undefined;
  for (const line of markdown.split('\n')) {
    if (open === undefined) {
      const m = /^ {0,3}(`{3,})[^`]*$/.exec(line);
      if (m) open = m[1];
    } else {
      const m = /^ {0,3}(`{3,})[ \t]*$/.exec(line);
      if (m && m[1]!.length >= open.length) open = undefined;
    }
  }
  return open;
}

/** Text of every `<code>` element directly inside a `<p>`/`<h3>`/`<li>` (inline code spans), in document order. */
export function inlineCodeTexts(root: Node): string[] {
  const out: string[] = [];
  for (const { node, ancestors } of walk(root)) {
    if (isElement(node) && node.tagName === 'code' && !ancestors.includes('pre')) out.push(textOf(node));
  }
  return out;
}

/** True when the string has an unpaired UTF-16 surrogate. */
export function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
