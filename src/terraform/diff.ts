/**
 * Per-attribute diffs computed from the plan JSON (`before`, `after`, `after_unknown`, `before_sensitive`,
 * `after_sensitive`, `replace_paths`), drawn the way `terraform plan` draws them, with the change marker moved
 * to the first column so GitHub's `diff` highlighting colours it:
 *
 *     # aws_instance.web will be updated in-place
 *     ! resource "aws_instance" "web" {
 *           id            = "i-0abc"
 *     !     instance_type = "t3.micro" -> "t3.small"
 *           # (31 unchanged attributes hidden)
 *       }
 *
 * Nested objects, lists (longest-common-subsequence), sets, JSON strings (`jsonencode(...)`) and multi-line
 * strings (line diff) are diffed structurally; unchanged attributes and elements are hidden with a count;
 * unknown values show `(known after apply)`; sensitive values show `(sensitive value)`.
 */
import { formatPath } from './changes.js';
import type { ResourceChange } from './model.js';
import { deepEqual } from './equal.js';
import type { MarkTree, RawChange } from './plan.js';
import { childMark, isMarked, SENSITIVE_PLACEHOLDER, type SensitiveValues } from './sensitive.js';
import { revealInvisible, truncateCodeUnits } from '../common/text.js';

type Marker = '+' | '-' | '!' | ' ';
/** How entries are drawn: created, destroyed, changed, or shown unchanged as the old side of a value. */
type Mode = 'create' | 'delete' | 'update' | 'context';
const UNKNOWN = '(known after apply)';
/** Attributes always shown for context on updates and replacements, as Terraform shows them. */
const IDENTIFYING = new Set(['id', 'name']);
/** Beyond this many cells the list diff trims common ends and shows the middle as removed and added. */
const LCS_CELL_LIMIT = 1_000_000;
/** JSON strings larger than this are diffed as text, not parsed. */
const JSON_PARSE_LIMIT = 256 * 1024;

export interface DiffOptions {
  sensitive: SensitiveValues;
  /** Longest string value shown before it is cut (a note says how much was cut). */
  maxStringLength: number;
}

interface Marks {
  unknown: MarkTree;
  beforeSensitive: MarkTree;
  afterSensitive: MarkTree;
}

type Path = (string | number)[];

/** Lines of a diff; `lines` are complete rows without a newline. */
class DiffWriter {
  readonly lines: string[] = [];
  constructor(
    private readonly options: DiffOptions,
    private readonly replacePaths: Set<string>,
  ) {}

  line(marker: Marker, depth: number, text: string): void {
    this.lines.push(`${marker} ${'    '.repeat(depth)}${text}`);
  }

  comment(depth: number, text: string): void {
    this.line(' ', depth, `# ${text}`);
  }

  forcesReplacement(path: Path): boolean {
    return this.replacePaths.size > 0 && this.replacePaths.has(JSON.stringify(path));
  }

  /** A scalar as Terraform shows it: strings quoted and escaped, invisible characters revealed, secrets cut out. */
  scalar(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'string') {
      if (this.options.sensitive.isSensitive(value)) return SENSITIVE_PLACEHOLDER;
      return quote(this.clip(this.options.sensitive.redact(value)));
    }
    if (typeof value === 'number') {
      const text = String(value);
      return this.options.sensitive.isSensitive(text) ? SENSITIVE_PLACEHOLDER : text;
    }
    if (typeof value === 'boolean') return String(value);
    return quote(JSON.stringify(value));
  }

  /** An object key (or output name) as shown: like a value, a sensitive one is masked and one inside cut out. */
  key(key: string): string {
    if (this.options.sensitive.isSensitive(key)) return keyText(SENSITIVE_PLACEHOLDER);
    return keyText(this.options.sensitive.redact(key));
  }

  /** True when a whole string is a sensitive value. */
  isSensitiveText(text: string): boolean {
    return this.options.sensitive.isSensitive(text);
  }

  /**
   * A whole string with every sensitive value inside it cut out. Done before a string is split into lines or
   * parsed as JSON, so a value that spans lines or JSON fields is still found.
   */
  redact(text: string): string {
    return this.options.sensitive.redact(text);
  }

  /** A line of a multi-line string (heredoc body): not quoted, but escaped and redacted the same way. */
  heredocLine(value: string): string {
    if (this.options.sensitive.isSensitive(value)) return SENSITIVE_PLACEHOLDER;
    return revealInvisible(this.clip(this.options.sensitive.redact(value)));
  }

  private clip(text: string): string {
    const max = this.options.maxStringLength;
    if (text.length <= max) return text;
    return `${truncateCodeUnits(text, max)}… (${text.length - max} more characters)`;
  }
}

function quote(text: string): string {
  return revealInvisible(JSON.stringify(text));
}

/** An object key as Terraform shows it: bare when it is an identifier, quoted otherwise. */
function keyText(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : quote(key);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

function isComposite(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function hasMarks(tree: MarkTree): boolean {
  if (tree === true) return true;
  if (tree === null || tree === undefined || typeof tree !== 'object') return false;
  const values = Array.isArray(tree) ? tree : Object.values(tree);
  for (const v of values) if (hasMarks(v)) return true;
  return false;
}

function childMarks(
  marks: Marks,
  beforeKey: string | number | undefined,
  afterKey: string | number | undefined,
): Marks {
  return {
    unknown: afterKey === undefined ? undefined : childMark(marks.unknown, afterKey),
    beforeSensitive: beforeKey === undefined ? undefined : childMark(marks.beforeSensitive, beforeKey),
    afterSensitive: afterKey === undefined ? undefined : childMark(marks.afterSensitive, afterKey),
  };
}

/** A value is absent on a side when it is missing or null (and, after, not unknown). */
function absentBefore(value: unknown): boolean {
  return value === undefined || value === null;
}
function absentAfter(value: unknown, marks: Marks): boolean {
  return (value === undefined || value === null) && !hasMarks(marks.unknown);
}

function isUnchanged(before: unknown, after: unknown, marks: Marks): boolean {
  if (hasMarks(marks.unknown)) return false;
  if (isMarked(marks.beforeSensitive) !== isMarked(marks.afterSensitive)) return false;
  return deepEqual(before, after);
}

/** One attribute (or list element) to draw: what it was and becomes, and where it stands. */
interface Entry {
  /** The attribute's name; undefined for a list element. */
  key?: string | undefined;
  /** Width the name is padded to, so the `=` of a block's attributes align (0: none). */
  keyWidth?: number;
  before: unknown;
  after: unknown;
  marks: Marks;
  depth: number;
  /** Attribute path from the resource, for `# forces replacement`. */
  path: Path;
  mode: Mode;
}

/** Render the change of one entry (`key = value`, or a list element when key is undefined). */
function renderEntry(w: DiffWriter, entry: Entry): void {
  const { key, keyWidth = 0, before, after, marks, depth, path, mode } = entry;
  const label = key === undefined ? '' : `${w.key(key).padEnd(keyWidth)} = `;
  const comma = key === undefined ? ',' : '';
  const forces = w.forcesReplacement(path) ? ' # forces replacement' : '';
  const wasAbsent = mode === 'create' || absentBefore(before);
  const nowAbsent = mode === 'delete' || mode === 'context' || absentAfter(after, marks);
  if (wasAbsent && nowAbsent) return;
  const sensitive = isMarked(marks.beforeSensitive) || isMarked(marks.afterSensitive);
  const unknown = isMarked(marks.unknown);

  if (wasAbsent) {
    if (sensitive) return w.line('+', depth, `${label}${SENSITIVE_PLACEHOLDER}${comma}${forces}`);
    if (unknown) return w.line('+', depth, `${label}${UNKNOWN}${comma}${forces}`);
    return renderWhole(w, {
      marker: '+',
      label,
      suffix: comma + forces,
      value: after,
      marks,
      depth,
      path,
      mode: 'create',
    });
  }
  if (nowAbsent) {
    // a removed attribute reads `- key = "x" -> null`; a removed list element just `- "x",`
    const marker = mode === 'context' ? ' ' : '-';
    const gone = mode === 'context' || key === undefined ? '' : ' -> null';
    if (sensitive) return w.line(marker, depth, `${label}${SENSITIVE_PLACEHOLDER}${gone}${comma}${forces}`);
    return renderWhole(w, {
      marker,
      label,
      suffix: `${gone}${comma}${forces}`,
      value: before,
      marks,
      depth,
      path,
      mode: mode === 'context' ? 'context' : 'delete',
    });
  }
  if (sensitive) {
    const note =
      isMarked(marks.beforeSensitive) !== isMarked(marks.afterSensitive) ? ' # (sensitivity changed)' : '';
    return w.line('!', depth, `${label}${SENSITIVE_PLACEHOLDER}${comma}${forces}${note}`);
  }
  if (unknown) {
    if (!isComposite(before))
      return w.line('!', depth, `${label}${w.scalar(before)} -> ${UNKNOWN}${comma}${forces}`);
    return renderWhole(w, {
      marker: '!',
      label,
      suffix: ` -> ${UNKNOWN}${comma}${forces}`,
      value: before,
      marks,
      depth,
      path,
      mode: 'context',
    });
  }
  // both sides present, known and not sensitive
  if (isObject(before) && isObject(after)) {
    w.line('!', depth, `${label}{${forces}`);
    renderObjectBody(w, before, after, marks, depth + 1, path, 'update');
    return w.line(' ', depth, `}${comma}`);
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    w.line('!', depth, `${label}[${forces}`);
    renderListBody(w, before, after, marks, depth + 1, path);
    return w.line(' ', depth, `]${comma}`);
  }
  if (
    typeof before === 'string' &&
    typeof after === 'string' &&
    !w.isSensitiveText(before) &&
    !w.isSensitiveText(after)
  ) {
    // secrets are cut out of the whole strings first: one can span lines, or JSON keys and values
    const shownBefore = w.redact(before);
    const shownAfter = w.redact(after);
    const clean = shownBefore === before && shownAfter === after;
    const jsonBefore = clean ? parseJsonDocument(before) : undefined;
    const jsonAfter = jsonBefore === undefined ? undefined : parseJsonDocument(after);
    if (jsonBefore !== undefined && jsonAfter !== undefined) {
      w.line('!', depth, `${label}jsonencode(${forces}`);
      renderEntry(w, {
        before: jsonBefore,
        after: jsonAfter,
        marks: NO_MARKS,
        depth: depth + 1,
        path: [],
        mode: 'update',
      });
      dropTrailingComma(w);
      return w.line(' ', depth, `)${comma}`);
    }
    if (shownBefore.includes('\n') || shownAfter.includes('\n')) {
      w.line('!', depth, `${label}<<-EOT${forces}`);
      renderTextLines(w, shownBefore.split('\n'), shownAfter.split('\n'), depth + 1);
      return w.line(' ', depth, `EOT${comma}`);
    }
  }
  if (!isComposite(before) && !isComposite(after)) {
    return w.line('!', depth, `${label}${w.scalar(before)} -> ${w.scalar(after)}${comma}${forces}`);
  }
  // the type changed (e.g. a string became a list): show the old value removed and the new one added
  renderWhole(w, {
    marker: '-',
    label,
    suffix: `${key === undefined ? '' : ' -> null'}${comma}`,
    value: before,
    marks,
    depth,
    path,
    mode: 'delete',
  });
  renderWhole(w, {
    marker: '+',
    label,
    suffix: comma + forces,
    value: after,
    marks,
    depth,
    path,
    mode: 'create',
  });
}

const NO_MARKS: Marks = { unknown: undefined, beforeSensitive: undefined, afterSensitive: undefined };

function dropTrailingComma(w: DiffWriter): void {
  const last = w.lines.length - 1;
  const line = w.lines[last];
  if (line !== undefined && line.endsWith(',')) w.lines[last] = line.slice(0, -1);
}

/** A whole value drawn on one side, as `renderWhole` takes it. */
interface WholeValue {
  /** The first line's marker; nested lines take the mode's own. */
  marker: Marker;
  /** `name = ` before the value ('' for a list element). */
  label: string;
  /** What follows the value on its last line (` -> null`, a comma, `# forces replacement`). */
  suffix: string;
  value: unknown;
  marks: Marks;
  depth: number;
  path: Path;
  mode: 'create' | 'delete' | 'context';
}

/**
 * Render a whole value on one side: created (`after`), destroyed (`before`), or shown as context (the old side
 * of a value that becomes unknown). `marker` is for the first line; nested lines take the mode's own marker.
 */
function renderWhole(w: DiffWriter, whole: WholeValue): void {
  const { marker, label, suffix, value, marks, depth, path, mode } = whole;
  const sideMarks: Marks =
    mode === 'create'
      ? marks
      : { unknown: undefined, beforeSensitive: marks.beforeSensitive, afterSensitive: undefined };
  if (isObject(value)) {
    if (Object.keys(value).length === 0) return w.line(marker, depth, `${label}{}${suffix}`);
    w.line(marker, depth, `${label}{`);
    renderObjectBody(
      w,
      mode === 'create' ? {} : value,
      mode === 'create' ? value : {},
      sideMarks,
      depth + 1,
      path,
      mode,
    );
    return w.line(' ', depth, `}${suffix}`);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return w.line(marker, depth, `${label}[]${suffix}`);
    w.line(marker, depth, `${label}[`);
    value.forEach((item, i) => {
      const m = mode === 'create' ? childMarks(sideMarks, undefined, i) : childMarks(sideMarks, i, undefined);
      renderEntry(w, {
        before: mode === 'create' ? undefined : item,
        after: mode === 'create' ? item : undefined,
        marks: m,
        depth: depth + 1,
        path: [...path, i],
        mode,
      });
    });
    return w.line(' ', depth, `]${suffix}`);
  }
  const text = typeof value === 'string' && !w.isSensitiveText(value) ? w.redact(value) : undefined;
  if (text !== undefined && text.includes('\n')) {
    const inner: Marker = mode === 'create' ? '+' : mode === 'delete' ? '-' : ' ';
    w.line(marker, depth, `${label}<<-EOT`);
    for (const l of text.split('\n')) w.line(inner, depth + 1, w.heredocLine(l));
    return w.line(' ', depth, `EOT${suffix}`);
  }
  w.line(marker, depth, `${label}${w.scalar(value)}${suffix}`);
}

/** The attributes of an object: changed ones shown, unchanged ones counted (identifying ones kept for context). */
function renderObjectBody(
  w: DiffWriter,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  marks: Marks,
  depth: number,
  path: Path,
  mode: Mode,
  showIdentifying = false,
): void {
  const keys = new Set<string>(Object.keys(before));
  for (const k of Object.keys(after)) keys.add(k);
  // attributes that will be known only after apply may be missing from both sides
  if ((mode === 'create' || mode === 'update') && isObject(marks.unknown))
    for (const k of Object.keys(marks.unknown)) keys.add(k);
  const shown: { key: string; b: unknown; a: unknown; m: Marks; context: boolean }[] = [];
  let hidden = 0;
  for (const key of [...keys].sort()) {
    const b = before[key];
    const a = after[key];
    const m = childMarks(marks, key, key);
    if (mode === 'update' && isUnchanged(b, a, m)) {
      const sensitive = isMarked(m.beforeSensitive) || isMarked(m.afterSensitive);
      if (showIdentifying && IDENTIFYING.has(key) && !absentBefore(b) && (!isComposite(b) || sensitive)) {
        shown.push({ key, b, a, m, context: true });
      } else if (!absentBefore(b)) hidden++;
      continue;
    }
    if (mode !== 'update' && (mode === 'create' ? absentAfter(a, m) : absentBefore(b))) continue;
    // like Terraform, a created or destroyed object does not list its empty blocks and collections
    if (
      (mode === 'create' || mode === 'delete') &&
      isEmptyCollection(mode === 'create' ? a : b) &&
      !hasMarks(m.unknown)
    )
      continue;
    shown.push({ key, b, a, m, context: false });
  }
  const width = Math.min(
    40,
    shown.reduce((max, e) => Math.max(max, w.key(e.key).length), 0),
  );
  for (const entry of shown) {
    if (entry.context) {
      const sensitive = isMarked(entry.m.beforeSensitive) || isMarked(entry.m.afterSensitive);
      w.line(
        ' ',
        depth,
        `${w.key(entry.key).padEnd(width)} = ${sensitive ? SENSITIVE_PLACEHOLDER : w.scalar(entry.b)}`,
      );
    } else {
      renderEntry(w, {
        key: entry.key,
        keyWidth: width,
        before: entry.b,
        after: entry.a,
        marks: entry.m,
        depth,
        path: [...path, entry.key],
        mode,
      });
    }
  }
  if (hidden > 0) w.comment(depth, `(${hidden} unchanged attribute${hidden === 1 ? '' : 's'} hidden)`);
}

/** Elements of a list (or set, which the JSON gives as a list): LCS diff, unchanged elements counted. */
function renderListBody(
  w: DiffWriter,
  before: unknown[],
  after: unknown[],
  marks: Marks,
  depth: number,
  path: Path,
): void {
  const afterUnknown = (j: number): boolean => hasMarks(childMark(marks.unknown, j));
  const same = (i: number, j: number): boolean =>
    !afterUnknown(j) &&
    isMarked(childMark(marks.beforeSensitive, i)) === isMarked(childMark(marks.afterSensitive, j)) &&
    deepEqual(before[i], after[j]);
  const ops = alignSequences(before.length, after.length, same);
  let hidden = 0;
  const flushHidden = (): void => {
    if (hidden > 0) w.comment(depth, `(${hidden} unchanged element${hidden === 1 ? '' : 's'} hidden)`);
    hidden = 0;
  };
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k]!;
    if (op.kind === 'same') {
      hidden++;
      continue;
    }
    flushHidden();
    // a removed object followed by an added object at the same place: show it as an in-place update, unless
    // either is sensitive as a whole (then even its attribute names are not shown)
    const next = ops[k + 1];
    if (
      op.kind === 'delete' &&
      next?.kind === 'insert' &&
      isObject(before[op.i]) &&
      isObject(after[next.j]) &&
      !isMarked(childMark(marks.beforeSensitive, op.i)) &&
      !isMarked(childMark(marks.afterSensitive, next.j))
    ) {
      const m = childMarks(marks, op.i, next.j);
      w.line('!', depth, '{');
      renderObjectBody(
        w,
        before[op.i] as Record<string, unknown>,
        after[next.j] as Record<string, unknown>,
        m,
        depth + 1,
        [...path, next.j],
        'update',
      );
      w.line(' ', depth, '},');
      k++;
      continue;
    }
    if (op.kind === 'delete') {
      renderEntry(w, {
        before: before[op.i],
        after: undefined,
        marks: childMarks(marks, op.i, undefined),
        depth,
        path: [...path, op.i],
        mode: 'delete',
      });
    } else {
      renderEntry(w, {
        before: undefined,
        after: after[op.j],
        marks: childMarks(marks, undefined, op.j),
        depth,
        path: [...path, op.j],
        mode: 'create',
      });
    }
  }
  flushHidden();
}

/** Lines of a multi-line string: line diff, unchanged lines kept as context. */
function renderTextLines(w: DiffWriter, before: string[], after: string[], depth: number): void {
  const ops = alignSequences(before.length, after.length, (i, j) => before[i] === after[j]);
  for (const op of ops) {
    if (op.kind === 'same') w.line(' ', depth, w.heredocLine(after[op.j]!));
    else if (op.kind === 'delete') w.line('-', depth, w.heredocLine(before[op.i]!));
    else w.line('+', depth, w.heredocLine(after[op.j]!));
  }
}

type AlignOp =
  { kind: 'same'; i: number; j: number } | { kind: 'delete'; i: number } | { kind: 'insert'; j: number };

/**
 * Align two sequences by their longest common subsequence. Common prefix and suffix are matched first; a middle
 * larger than LCS_CELL_LIMIT cells is shown as all removed then all added rather than spending quadratic time.
 */
export function alignSequences(n: number, m: number, same: (i: number, j: number) => boolean): AlignOp[] {
  let start = 0;
  while (start < n && start < m && same(start, start)) start++;
  let endN = n;
  let endM = m;
  while (endN > start && endM > start && same(endN - 1, endM - 1)) {
    endN--;
    endM--;
  }
  const ops: AlignOp[] = [];
  for (let k = 0; k < start; k++) ops.push({ kind: 'same', i: k, j: k });
  const rows = endN - start;
  const cols = endM - start;
  if (rows > 0 && cols > 0 && rows * cols <= LCS_CELL_LIMIT) {
    // table[r][c] = LCS length of before[start+r..endN) and after[start+c..endM)
    const width = cols + 1;
    const table = new Uint32Array((rows + 1) * width);
    for (let r = rows - 1; r >= 0; r--) {
      for (let c = cols - 1; c >= 0; c--) {
        table[r * width + c] = same(start + r, start + c)
          ? table[(r + 1) * width + c + 1]! + 1
          : Math.max(table[(r + 1) * width + c]!, table[r * width + c + 1]!);
      }
    }
    let r = 0;
    let c = 0;
    while (r < rows && c < cols) {
      if (same(start + r, start + c)) {
        ops.push({ kind: 'same', i: start + r, j: start + c });
        r++;
        c++;
      } else if (table[(r + 1) * width + c]! >= table[r * width + c + 1]!) {
        ops.push({ kind: 'delete', i: start + r++ });
      } else {
        ops.push({ kind: 'insert', j: start + c++ });
      }
    }
    while (r < rows) ops.push({ kind: 'delete', i: start + r++ });
    while (c < cols) ops.push({ kind: 'insert', j: start + c++ });
  } else {
    for (let i = start; i < endN; i++) ops.push({ kind: 'delete', i });
    for (let j = start; j < endM; j++) ops.push({ kind: 'insert', j });
  }
  for (let k = 0; k < n - endN; k++) ops.push({ kind: 'same', i: endN + k, j: endM + k });
  return ops;
}

/** A string holding a JSON object or array (an IAM policy, say), parsed; undefined for anything else. */
function parseJsonDocument(text: string): unknown {
  const t = text.trimStart();
  if (text.length > JSON_PARSE_LIMIT || (!t.startsWith('{') && !t.startsWith('['))) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isComposite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function headerFor(change: ResourceChange): string[] {
  const addr = change.deposed ? `${change.address} (deposed object ${change.deposed})` : change.address;
  const lines: string[] = [];
  if (change.previousAddress) lines.push(`# ${change.previousAddress} has moved to ${change.address}`);
  switch (change.kind) {
    case 'create':
      lines.push(`# ${addr} will be created`);
      break;
    case 'update':
      lines.push(`# ${addr} will be updated in-place`);
      break;
    case 'replace':
      lines.push(
        change.replaceOrder === 'create-then-forget'
          ? `# ${addr} will be replaced; the old object will be forgotten, not destroyed`
          : `# ${addr} must be replaced${change.replaceOrder === 'create-then-delete' ? ' (create before destroy)' : ''}`,
      );
      break;
    case 'delete':
      lines.push(`# ${addr} will be destroyed`);
      break;
    case 'forget':
      lines.push(`# ${addr} will be removed from the state, not destroyed`);
      break;
    case 'read':
      lines.push(`# ${addr} will be read during apply`);
      break;
    case 'no-op':
      break;
  }
  if (change.importing) {
    const id = change.importing.id
      ? `id ${JSON.stringify(change.importing.id)}`
      : change.importing.unknown
        ? 'an id known only after apply'
        : `identity ${JSON.stringify(change.importing.identity ?? {})}`;
    lines.push(`# ${addr} will be imported (${id})`);
  }
  return lines;
}

const RESOURCE_MARKERS: Record<ResourceChange['kind'], string> = {
  create: '+',
  update: '!',
  delete: '-',
  forget: '.',
  read: '<=',
  'no-op': ' ',
  replace: '-/+',
};

/**
 * The diff of one resource change as lines for a ```diff block (no fence). `reasonText` is the plain-language
 * reason shown under the header, if any.
 */
export function renderResourceDiff(
  change: ResourceChange,
  options: DiffOptions,
  reasonText?: string,
): string[] {
  const raw: RawChange = change.change;
  const replacePaths = new Set((raw.replace_paths ?? []).map((p) => JSON.stringify(p)));
  const w = new DiffWriter(options, replacePaths);
  for (const h of headerFor(change)) w.lines.push(revealInvisible(h));
  if (reasonText) w.lines.push(revealInvisible(`#   (because ${reasonText})`));
  if (change.kind === 'replace' && replacePaths.size > 0) {
    const paths = (raw.replace_paths ?? []).map((p) => formatPath(p)).join(', ');
    w.lines.push(`#   (forced by ${revealInvisible(paths)})`);
  }
  const block = change.mode === 'data' ? 'data' : 'resource';
  const title = `${block} ${quote(change.type)} ${quote(change.name)} {`;
  const marks: Marks = {
    unknown: raw.after_unknown,
    beforeSensitive: raw.before_sensitive,
    afterSensitive: raw.after_sensitive,
  };
  const before = isObject(raw.before) ? raw.before : {};
  const after = isObject(raw.after) ? raw.after : {};
  let marker = RESOURCE_MARKERS[change.kind];
  if (change.replaceOrder === 'create-then-delete') marker = '+/-';
  if (change.replaceOrder === 'create-then-forget') marker = '+/.';
  w.lines.push(`${marker} ${title}`);
  switch (change.kind) {
    case 'create':
    case 'read':
      renderObjectBody(w, {}, after, marks, 1, [], 'create');
      break;
    case 'delete':
      renderObjectBody(
        w,
        before,
        {},
        { unknown: undefined, beforeSensitive: marks.beforeSensitive, afterSensitive: undefined },
        1,
        [],
        'delete',
      );
      break;
    case 'forget': {
      const count = Object.keys(before).length;
      w.comment(
        1,
        `(${count} attribute${count === 1 ? '' : 's'}; the object stays, Terraform stops managing it)`,
      );
      break;
    }
    default:
      // update, replace, and imports or moves without other changes
      renderObjectBody(w, before, after, marks, 1, [], 'update', true);
  }
  w.lines.push('  }');
  return w.lines;
}

/** A drifted object: what Terraform found changed outside of Terraform since the last apply. */
export function renderDriftDiff(change: ResourceChange, options: DiffOptions): string[] {
  const raw = change.change;
  const w = new DiffWriter(options, new Set());
  const gone = change.kind === 'delete';
  w.lines.push(
    revealInvisible(`# ${change.address} has ${gone ? 'been deleted' : 'changed'} outside of Terraform`),
  );
  const block = change.mode === 'data' ? 'data' : 'resource';
  w.lines.push(`${gone ? '-' : '!'} ${block} ${quote(change.type)} ${quote(change.name)} {`);
  const marks: Marks = {
    unknown: raw.after_unknown,
    beforeSensitive: raw.before_sensitive,
    afterSensitive: raw.after_sensitive,
  };
  renderObjectBody(
    w,
    isObject(raw.before) ? raw.before : {},
    isObject(raw.after) ? raw.after : {},
    marks,
    1,
    [],
    gone ? 'delete' : 'update',
    true,
  );
  w.lines.push('  }');
  return w.lines;
}

/** Output changes as Terraform's "Changes to Outputs" block. */
export function renderOutputDiff(
  outputs: { name: string; change: RawChange }[],
  options: DiffOptions,
): string[] {
  const w = new DiffWriter(options, new Set());
  const width = Math.min(
    40,
    outputs.reduce((max, o) => Math.max(max, w.key(o.name).length), 0),
  );
  for (const { name, change } of outputs) {
    const marks: Marks = {
      unknown: change.after_unknown,
      beforeSensitive: change.before_sensitive,
      afterSensitive: change.after_sensitive,
    };
    const actions = change.actions.join(',');
    const mode = actions === 'create' ? 'create' : actions === 'delete' ? 'delete' : 'update';
    renderEntry(w, {
      key: name,
      keyWidth: width,
      before: change.before,
      after: change.after,
      marks,
      depth: 0,
      path: [name],
      mode,
    });
  }
  return w.lines;
}
