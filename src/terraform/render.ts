/**
 * The plan report as GitHub markdown, within a size budget.
 *
 * Layout: heading with the label and the one-line summary; the counts; a caution block for an errored or
 * incomplete plan; a caution block listing every destroy and replace with Terraform's reason; failing checks;
 * the resource changes grouped by action, each resource with its attribute diff; outputs; deferred changes;
 * drift; a footer with the fingerprint.
 *
 * Size: the report never exceeds `maxLength` (characters for a comment, UTF-8 bytes for a job summary). It is
 * rendered at the most detailed level that fits: full diffs; diffs trimmed to 80 lines and long strings cut;
 * diffs trimmed to 20 lines; addresses only; and last, as many addresses as fit with a count of the rest. The
 * heading, summary, counts and destroy warnings are always kept (the warnings themselves are shortened only at
 * the last level, and only when they alone would not fit). Nothing is cut inside a tag, a code block or a
 * character: whole items are left out and the report says what was left out.
 */
import {
  GROUP_ORDER,
  describeDeferredReason,
  describeReason,
  destroyingReplacements,
  formatPath,
  isKnownReason,
  groupOf,
  isDestructive,
  summaryLine,
  type ChangeGroup,
} from './changes.js';
import type { PlanModel, ResourceChange } from './model.js';
import { renderDriftDiff, renderOutputDiff, renderResourceDiff, type DiffOptions } from './diff.js';
import { SENSITIVE_PLACEHOLDER, type SensitiveValues } from './sensitive.js';
import { codeBlock, codeSpan, escapeHtml, fenceFor, htmlCode } from '../common/markdown.js';
import { plural, revealInvisible, sizeOf, truncateCodeUnits, type SizeUnit } from '../common/text.js';

export interface ReportContext {
  /** What the plan is for (a region, workspace or directory), named in the heading; without it: "Terraform plan". */
  label?: string;
  fingerprint: string;
  /** First line of the report (the sticky comment's hidden marker); omitted in the job summary. */
  marker?: string;
  detailsUrl?: string;
  runUrl?: string;
  commitSha?: string;
  /** Set after an apply: the report then says whether the plan it shows was applied. */
  applyStatus?: ApplyStatus;
}

export interface ApplyStatus {
  outcome: 'applied' | 'apply-failed';
  at: Date;
  /** The commit the apply ran on (GITHUB_SHA of the applying run). */
  commitSha: string;
  runUrl?: string;
}

export interface ReportBudget {
  maxLength: number;
  unit: SizeUnit;
}

export type DetailLevel = 'full' | 'trimmed' | 'short' | 'addresses' | 'partial';

export interface RenderedReport {
  markdown: string;
  level: DetailLevel;
  /** What was left out, in words, empty when nothing was. */
  omissions: string[];
}

interface LevelSpec {
  level: Exclude<DetailLevel, 'partial'>;
  maxDiffLines: number;
  maxStringLength: number;
}

const LEVELS: LevelSpec[] = [
  { level: 'full', maxDiffLines: Infinity, maxStringLength: 4000 },
  { level: 'trimmed', maxDiffLines: 80, maxStringLength: 1000 },
  { level: 'short', maxDiffLines: 20, maxStringLength: 200 },
  { level: 'addresses', maxDiffLines: 0, maxStringLength: 200 },
];

/** A group is shown open when its diffs have at most this many lines, collapsed otherwise. */
const OPEN_GROUP_LINES = 60;
const MAX_LABEL_LENGTH = 200;

const GROUP_TITLES: Record<ChangeGroup, string> = {
  replace: 'Replace',
  delete: 'Destroy',
  update: 'Update in place',
  create: 'Create',
  import: 'Import',
  move: 'Move',
  forget: 'Forget (remove from state, keep the object)',
  read: 'Read data sources during apply',
};

const ADDRESS_MARKERS: Record<ChangeGroup, string> = {
  replace: '-/+',
  delete: '-',
  update: '!',
  create: '+',
  import: '<-',
  move: '->',
  forget: '.',
  read: '<=',
};

/** The fence reserved for each group's address block in the last level (the count line has no backticks). */
const FENCE_RESERVED = fenceFor('').length;

class Overflow extends Error {}
const OVERFLOW = new Overflow('report over budget');

/** Markdown under construction with a running size; `add` throws OVERFLOW past the limit. */
class Doc {
  readonly parts: string[] = [];
  size = 0;
  constructor(
    readonly limit: number,
    readonly unit: SizeUnit,
  ) {}

  measure(text: string): number {
    return sizeOf(text, this.unit) + 1; // + the newline that joins it
  }

  add(text: string): void {
    const size = this.measure(text);
    if (this.size + size > this.limit) throw OVERFLOW;
    this.size += size;
    this.parts.push(text);
  }

  toString(): string {
    return this.parts.join('\n');
  }
}

interface Grouped {
  group: ChangeGroup;
  changes: ResourceChange[];
}

function groupChanges(model: PlanModel): Grouped[] {
  const byGroup = new Map<ChangeGroup, ResourceChange[]>();
  for (const change of model.changes) {
    const group = groupOf(change);
    if (!group) continue;
    let list = byGroup.get(group);
    if (!list) byGroup.set(group, (list = []));
    list.push(change);
  }
  return GROUP_ORDER.filter((g) => byGroup.has(g)).map((group) => ({ group, changes: byGroup.get(group)! }));
}

export function renderPlanReport(
  model: PlanModel,
  sensitive: SensitiveValues,
  context: ReportContext,
  budget: ReportBudget,
): RenderedReport {
  const groups = groupChanges(model);
  const diffCache = new Map<number, Map<ResourceChange, string[]>>();
  // Skip the levels that cannot fit without rendering them: every resource costs at least its address (twice
  // with a diff: the header comment and the resource line) plus the fences and block lines around it.
  let addressBytes = 0;
  for (const change of model.changes) addressBytes += change.address.length;
  const perResource = model.changes.length;
  const cannotFit = (spec: LevelSpec): boolean =>
    spec.level === 'addresses'
      ? addressBytes + 3 * perResource > budget.maxLength
      : 2 * addressBytes + 40 * perResource > budget.maxLength;
  for (const spec of LEVELS) {
    if (cannotFit(spec)) continue;
    const doc = new Doc(budget.maxLength, budget.unit);
    try {
      const omissions = omissionsFor(spec);
      renderLevel(doc, model, sensitive, context, groups, spec, omissions, diffCache);
      return { markdown: doc.toString(), level: spec.level, omissions };
    } catch (error) {
      if (error !== OVERFLOW) throw error;
    }
  }
  return renderPartial(model, context, groups, budget);
}

function omissionsFor(spec: LevelSpec): string[] {
  switch (spec.level) {
    case 'full':
      return [];
    case 'trimmed':
    case 'short':
      return [
        `diffs longer than ${spec.maxDiffLines} lines were shortened and strings cut to ${spec.maxStringLength} characters`,
      ];
    case 'addresses':
      return ['per-resource diffs were left out: only the addresses are listed'];
  }
}

/** "Terraform plan for `us-east-1`", or "Terraform plan" without a label; the label cut to `maxLabel`. */
function heading(context: ReportContext, maxLabel: number): string {
  if (!context.label) return 'Terraform plan';
  return `Terraform plan for ${codeSpan(truncateCodeUnits(revealInvisible(context.label), maxLabel))}`;
}

function renderHead(doc: Doc, model: PlanModel, context: ReportContext): void {
  if (context.marker) doc.add(context.marker);
  const icon = model.errored ? '❌' : !model.hasChanges ? '✅' : model.hasDestroy ? '⚠️' : '📝';
  doc.add(`### ${icon} ${heading(context, MAX_LABEL_LENGTH)}`);
  doc.add('');
  if (context.applyStatus) {
    for (const line of applyStatusLines(context.applyStatus)) doc.add(line);
    doc.add('');
  }
  doc.add(`**${capitalize(summaryLine(model))}**`);
  doc.add('');
  const c = model.counts;
  const cells: [string, number][] = [
    ['add', c.add],
    ['change', c.change],
    ['destroy', c.destroy],
    ['replace', c.replace],
  ];
  if (c.import) cells.push(['import', c.import]);
  if (c.move) cells.push(['move', c.move]);
  if (c.forget) cells.push(['forget', c.forget]);
  if (c.read) cells.push(['read', c.read]);
  if (c.outputs) cells.push(['outputs', c.outputs]);
  if (c.deferred) cells.push(['deferred', c.deferred]);
  if (c.drift) cells.push(['drift', c.drift]);
  if (model.hasChanges || model.errored || c.drift) {
    doc.add(`| ${cells.map(([name]) => name).join(' | ')} |`);
    doc.add(`|${cells.map(() => '---:').join('|')}|`);
    doc.add(`| ${cells.map(([, n]) => String(n)).join(' | ')} |`);
    doc.add('');
  }
  if (model.errored) {
    doc.add('> [!CAUTION]');
    doc.add(
      "> **The plan errored.** Terraform stopped before it planned every change, so this list is incomplete. Do not apply it: fix the errors shown in the plan step's log and plan again.",
    );
    doc.add('');
  } else if (!model.complete) {
    doc.add('> [!WARNING]');
    doc.add(
      '> **This plan is incomplete** (changes were deferred or targeted): applying it will leave more changes to plan afterwards.',
    );
    doc.add('');
  }
  if (model.formatVersion === undefined) {
    doc.add('> [!WARNING]');
    doc.add(
      '> **This plan has no `format_version`**: it was read as a Terraform plan by its structure (a tool may have trimmed it). Check that it is the output of `terraform show -json` for the plan you mean to apply.',
    );
    doc.add('');
  }
}

/** The alert block that says this plan was applied, or that its apply failed (and must not be retried as is). */
export function applyStatusLines(status: ApplyStatus): string[] {
  const at = status.at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const where = [`commit ${codeSpan(status.commitSha.slice(0, 12))}`];
  if (status.runUrl) where.push(`[workflow run](${status.runUrl})`);
  if (status.outcome === 'applied') {
    return ['> [!NOTE]', `> **Applied** at ${at} (${where.join(', ')}).`];
  }
  return [
    '> [!CAUTION]',
    `> **The apply of this plan failed** at ${at} (${where.join(', ')}). Part of it may have been applied: see the run's log, then plan again; the new plan needs a new approval.`,
  ];
}

/** One line per destroy or replace, with Terraform's reason, for the caution block. */
function destroyWarningLines(model: PlanModel): string[] {
  const lines: string[] = [];
  for (const change of model.changes) {
    if (!isDestructive(change)) continue;
    const what = change.kind === 'replace' ? 'replaced' : 'destroyed';
    const order = change.replaceOrder === 'create-then-delete' ? ' (new object created first)' : '';
    const reasons: string[] = [];
    const paths = change.change.replace_paths ?? [];
    if (change.kind === 'replace' && paths.length > 0) {
      reasons.push(
        `${paths.map((p) => codeSpan(revealInvisible(formatPath(p)))).join(', ')} forces replacement`,
      );
    }
    // the description is markdown of ours only for the reasons we know; an unknown code is shown as code only
    const reason = isKnownReason(change.reason) ? describeReason(change.reason) : undefined;
    if (reason && !(change.reason === 'replace_because_cannot_update' && paths.length > 0))
      reasons.push(reason);
    const code = change.reason ? ` (${codeSpan(revealInvisible(change.reason))})` : '';
    const deposed = change.deposed ? ` deposed object ${codeSpan(revealInvisible(change.deposed))}` : '';
    lines.push(
      `> - ${codeSpan(revealInvisible(change.address))}${deposed} **${what}**${order}${reasons.length ? `: ${reasons.join('; ')}` : ''}${code}`,
    );
  }
  return lines;
}

function destroyWarningTitle(model: PlanModel): string {
  // counted from the changes listed below it (counts.replace also holds create-then-forget, which destroys nothing)
  const replaced = destroyingReplacements(model);
  const destroyed = model.changes.filter((c) => c.kind === 'delete').length;
  const parts: string[] = [];
  if (destroyed > 0) parts.push(`${plural(destroyed, 'resource')} will be destroyed`);
  if (replaced > 0) parts.push(`${plural(replaced, 'resource')} will be replaced`);
  return `> **${parts.join(', ')}**`;
}

function renderWarnings(doc: Doc, model: PlanModel, lines: string[]): void {
  if (lines.length > 0) {
    doc.add('> [!CAUTION]');
    doc.add(destroyWarningTitle(model));
    for (const line of lines) doc.add(line);
    doc.add('');
  }
}

/** Text from the plan outside the diffs (a check's message can quote a value): sensitive values masked. */
function masked(text: string, sensitive: SensitiveValues): string {
  return revealInvisible(sensitive.isSensitive(text) ? SENSITIVE_PLACEHOLDER : sensitive.redact(text));
}

function renderChecks(doc: Doc, model: PlanModel, sensitive: SensitiveValues): void {
  if (model.failingChecks.length === 0) return;
  doc.add('> [!WARNING]');
  doc.add(`> **${plural(model.failingChecks.length, 'check')} failed**`);
  for (const check of model.failingChecks) {
    const problems = check.problems.map((p) => codeSpan(masked(p, sensitive))).join('; ');
    doc.add(
      `> - ${codeSpan(masked(check.address, sensitive))} ${check.status === 'error' ? 'errored' : 'failed'}${problems ? `: ${problems}` : ''}`,
    );
  }
  doc.add('');
}

function renderOmissionNote(
  doc: Doc,
  context: ReportContext,
  omissions: string[],
  budget: number,
  unit: SizeUnit,
): void {
  if (omissions.length === 0) return;
  const size = `${groupThousands(budget)} ${unit === 'chars' ? 'characters' : 'bytes'}`;
  doc.add('> [!NOTE]');
  doc.add(`> This plan was shortened to fit in ${size}: ${omissions.join('; ')}.${detailsLink(context)}`);
  doc.add('');
}

/** `65000` as `65,000` (en-US), without Intl: its first use loads locale data, a noticeable share of a run. */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function detailsLink(context: ReportContext): string {
  if (context.detailsUrl) return ` <a href="${escapeHtml(context.detailsUrl)}">See the full plan.</a>`;
  if (context.runUrl)
    return ` The full plan is in <a href="${escapeHtml(context.runUrl)}">the workflow run</a>.`;
  return '';
}

function diffFor(
  change: ResourceChange,
  spec: LevelSpec,
  sensitive: SensitiveValues,
  cache: Map<number, Map<ResourceChange, string[]>>,
): string[] {
  let byChange = cache.get(spec.maxStringLength);
  if (!byChange) cache.set(spec.maxStringLength, (byChange = new Map()));
  let lines = byChange.get(change);
  if (!lines) {
    const options: DiffOptions = { sensitive, maxStringLength: spec.maxStringLength };
    lines = renderResourceDiff(change, options, describeReason(change.reason));
    byChange.set(change, lines);
  }
  if (lines.length <= spec.maxDiffLines) return lines;
  const keep = Math.max(1, spec.maxDiffLines - 1);
  return [...lines.slice(0, keep), `# … ${lines.length - keep} more lines cut`];
}

function groupSummary(group: ChangeGroup, count: number): string {
  return `<b>${escapeHtml(GROUP_TITLES[group])}</b> · ${count}`;
}

function renderLevel(
  doc: Doc,
  model: PlanModel,
  sensitive: SensitiveValues,
  context: ReportContext,
  groups: Grouped[],
  spec: LevelSpec,
  omissions: string[],
  cache: Map<number, Map<ResourceChange, string[]>>,
): void {
  renderHead(doc, model, context);
  renderWarnings(doc, model, destroyWarningLines(model));
  renderChecks(doc, model, sensitive);
  renderOmissionNote(doc, context, omissions, doc.limit, doc.unit);
  for (const { group, changes } of groups) {
    if (spec.level === 'addresses') {
      const lines = changes.map((c) => addressLine(group, c));
      doc.add(
        `<details${lines.length <= OPEN_GROUP_LINES ? ' open' : ''}><summary>${groupSummary(group, changes.length)}</summary>`,
      );
      doc.add('');
      doc.add(codeBlock(lines.join('\n'), 'diff'));
    } else {
      const blocks: string[] = [];
      let lineCount = 0;
      let size = 0;
      for (const change of changes) {
        const lines = diffFor(change, spec, sensitive, cache);
        lineCount += lines.length;
        const block = codeBlock(lines.join('\n'), 'diff');
        size += doc.measure(block) + 1;
        if (doc.size + size > doc.limit) throw OVERFLOW;
        blocks.push(block);
      }
      doc.add(
        `<details${lineCount <= OPEN_GROUP_LINES ? ' open' : ''}><summary>${groupSummary(group, changes.length)}</summary>`,
      );
      doc.add('');
      for (const block of blocks) {
        doc.add(block);
        doc.add('');
      }
    }
    doc.add('</details>');
    doc.add('');
  }
  renderOutputs(doc, model, sensitive, spec);
  renderDeferred(doc, model);
  renderDrift(doc, model, sensitive, spec, cache);
  renderFooter(doc, model, context);
}

function addressLine(group: ChangeGroup, change: ResourceChange): string {
  const from = change.previousAddress && group !== 'move' ? ` (moved from ${change.previousAddress})` : '';
  const moved = group === 'move' ? `${change.previousAddress} -> ` : '';
  const deposed = change.deposed ? ` (deposed ${change.deposed})` : '';
  return revealInvisible(`${ADDRESS_MARKERS[group]} ${moved}${change.address}${deposed}${from}`);
}

function renderOutputs(doc: Doc, model: PlanModel, sensitive: SensitiveValues, spec: LevelSpec): void {
  if (model.outputs.length === 0) return;
  const lines = renderOutputDiff(model.outputs, { sensitive, maxStringLength: spec.maxStringLength });
  const shown =
    lines.length <= Math.max(spec.maxDiffLines, 2 * model.outputs.length)
      ? lines
      : model.outputs.map((o) =>
          revealInvisible(`${o.kind === 'create' ? '+' : o.kind === 'delete' ? '-' : '!'} ${o.name}`),
        );
  doc.add(
    `<details${shown.length <= OPEN_GROUP_LINES ? ' open' : ''}><summary><b>Outputs</b> · ${model.outputs.length}</summary>`,
  );
  doc.add('');
  doc.add(codeBlock(shown.join('\n'), 'diff'));
  doc.add('');
  doc.add('</details>');
  doc.add('');
}

function renderDeferred(doc: Doc, model: PlanModel): void {
  if (model.deferred.length === 0) return;
  const lines = model.deferred.map((d) =>
    revealInvisible(
      `~ ${d.change.address} (${d.change.kind}, deferred because ${describeDeferredReason(d.reason)})`,
    ),
  );
  doc.add(`<details><summary><b>Deferred to a later plan</b> · ${model.deferred.length}</summary>`);
  doc.add('');
  doc.add(codeBlock(lines.join('\n'), 'diff'));
  doc.add('');
  doc.add('</details>');
  doc.add('');
}

function renderDrift(
  doc: Doc,
  model: PlanModel,
  sensitive: SensitiveValues,
  spec: LevelSpec,
  cache: Map<number, Map<ResourceChange, string[]>>,
): void {
  if (model.drift.length === 0) return;
  doc.add(
    `<details><summary><b>Drift</b> · ${plural(model.drift.length, 'object')} changed outside of Terraform since the last apply</summary>`,
  );
  doc.add('');
  if (spec.level === 'addresses') {
    doc.add(codeBlock(model.drift.map((c) => revealInvisible(`! ${c.address}`)).join('\n'), 'diff'));
    doc.add('');
  } else {
    let byChange = cache.get(-spec.maxStringLength);
    if (!byChange) cache.set(-spec.maxStringLength, (byChange = new Map()));
    for (const change of model.drift) {
      let lines = byChange.get(change);
      if (!lines)
        byChange.set(
          change,
          (lines = renderDriftDiff(change, { sensitive, maxStringLength: spec.maxStringLength })),
        );
      if (lines.length > spec.maxDiffLines)
        lines = [
          ...lines.slice(0, spec.maxDiffLines - 1),
          `# … ${lines.length - spec.maxDiffLines + 1} more lines cut`,
        ];
      doc.add(codeBlock(lines.join('\n'), 'diff'));
      doc.add('');
    }
  }
  doc.add('</details>');
  doc.add('');
}

/**
 * The footer is an HTML block (it starts with `<p>`), so markdown is not parsed inside it: the escaped `<code>`
 * elements show the plan's version and the context's values literally.
 */
function footerText(model: PlanModel, context: ReportContext): string {
  const parts = [`fingerprint ${htmlCode(context.fingerprint)}`];
  if (model.terraformVersion) parts.push(`Terraform ${htmlCode(model.terraformVersion)}`);
  if (context.commitSha) parts.push(`commit ${htmlCode(context.commitSha.slice(0, 12))}`);
  if (context.runUrl) parts.push(`<a href="${escapeHtml(context.runUrl)}">workflow run</a>`);
  return `<p><sub>${parts.join(' · ')}</sub></p>`;
}

function renderFooter(doc: Doc, model: PlanModel, context: ReportContext): void {
  doc.add(footerText(model, context));
}

/**
 * The last level: keep the head, the warnings (shortened only if they alone do not fit) and the footer, then
 * list as many addresses per group as fit, and say how many were left out. Sizes are reserved up front for
 * everything that must come after the addresses, so the result fits without cutting anything open.
 */
function renderPartial(
  model: PlanModel,
  context: ReportContext,
  groups: Grouped[],
  budget: ReportBudget,
): RenderedReport {
  const doc = new Doc(Infinity, budget.unit);
  const omissions: string[] = ['per-resource diffs were left out'];
  renderHead(doc, model, context);
  const footer = footerText(model, context);
  const outputsLine = model.outputs.length
    ? `**Outputs**: ${model.outputs.length} changed (left out to fit)\n`
    : '';
  const driftLine = model.drift.length
    ? `**Drift**: ${plural(model.drift.length, 'object')} changed outside of Terraform (left out to fit)\n`
    : '';
  const deferredLine = model.deferred.length
    ? `**Deferred**: ${plural(model.deferred.length, 'change')} deferred to a later plan (left out to fit)\n`
    : '';
  const checksLine = model.failingChecks.length
    ? `> [!WARNING]\n> **${plural(model.failingChecks.length, 'check')} failed** (details left out to fit)\n`
    : '';
  const groupHead = (g: Grouped): string =>
    `<details><summary>${groupSummary(g.group, g.changes.length)}</summary>\n`;
  const groupClose = '\n</details>\n';
  const slack = 64; // rounding; a longer code fence is paid for line by line below
  let reserve =
    doc.measure(footer) +
    doc.measure(outputsLine) +
    doc.measure(driftLine) +
    doc.measure(deferredLine) +
    doc.measure(checksLine);
  reserve += doc.measure(worstCaseNote(context, budget));
  for (const g of groups) {
    reserve +=
      doc.measure(groupHead(g)) +
      doc.measure(codeBlock('# … and 1000000 more', 'diff')) +
      doc.measure(groupClose) +
      slack;
  }
  let available = budget.maxLength - doc.size - reserve;

  const warnings = destroyWarningLines(model);
  if (warnings.length > 0) {
    const title = ['> [!CAUTION]', destroyWarningTitle(model)];
    const more = '> - … and 1000000 more';
    available -= title.reduce((n, t) => n + doc.measure(t), 0) + doc.measure(more) + doc.measure('');
    for (const t of title) doc.add(t);
    // warnings may use all the room: they matter more than the address list
    let shown = 0;
    for (const line of warnings) {
      const size = doc.measure(line);
      if (size > available) break;
      doc.add(line);
      available -= size;
      shown++;
    }
    if (shown < warnings.length) {
      doc.add(`> - … and ${warnings.length - shown} more`);
      omissions.push(
        `${warnings.length - shown} of ${warnings.length} destroy/replace warnings were left out`,
      );
    }
    doc.add('');
  }
  if (checksLine) {
    doc.add(checksLine);
    omissions.push('check details were left out');
  }
  const notePosition = doc.parts.length;
  let leftOutTotal = 0;
  for (const g of groups) {
    const lines: string[] = [];
    // the block's fence grows with the longest backtick run in its lines: both fences are paid for per line
    let fence = FENCE_RESERVED;
    for (const change of g.changes) {
      const line = addressLine(g.group, change);
      const lineFence = Math.max(fence, fenceFor(line).length);
      const size = doc.measure(line) + 2 * (lineFence - fence);
      if (size > available) break;
      lines.push(line);
      available -= size;
      fence = lineFence;
    }
    const leftOut = g.changes.length - lines.length;
    if (leftOut > 0) {
      lines.push(`# … and ${leftOut} more`);
      leftOutTotal += leftOut;
    }
    doc.add(groupHead(g));
    doc.add(codeBlock(lines.join('\n'), 'diff'));
    doc.add(groupClose);
  }
  if (leftOutTotal > 0)
    omissions.push(`${leftOutTotal} of ${model.changes.length} resource addresses were left out`);
  if (outputsLine) {
    doc.add(outputsLine);
    omissions.push('output diffs were left out');
  }
  if (driftLine) {
    doc.add(driftLine);
    omissions.push('drift details were left out');
  }
  if (deferredLine) {
    doc.add(deferredLine);
    omissions.push('the list of deferred changes was left out');
  }
  doc.add(footer);
  // the note goes above the groups, where a reader sees it first
  const note = new Doc(Infinity, budget.unit);
  renderOmissionNote(note, context, omissions, budget.maxLength, budget.unit);
  doc.parts.splice(notePosition, 0, ...note.parts);
  doc.size += note.size;
  if (doc.size <= budget.maxLength) return { markdown: doc.toString(), level: 'partial', omissions };
  return renderMinimal(model, context, budget);
}

function worstCaseNote(context: ReportContext, budget: ReportBudget): string {
  const note = new Doc(Infinity, budget.unit);
  renderOmissionNote(
    note,
    context,
    [
      'per-resource diffs were left out',
      'check details were left out',
      '1000000 of 1000000 destroy/replace warnings were left out',
      '1000000 of 1000000 resource addresses were left out',
      'output diffs were left out',
      'drift details were left out',
      'the list of deferred changes was left out',
    ],
    budget.maxLength,
    budget.unit,
  );
  return note.toString();
}

/** When even the head and footer do not fit (a very small budget): heading and summary only. */
function renderMinimal(model: PlanModel, context: ReportContext, budget: ReportBudget): RenderedReport {
  const lines: string[] = [];
  if (context.marker) lines.push(context.marker);
  lines.push(`### ${heading(context, 60)}`, '', `**${capitalize(summaryLine(model))}**`);
  if (model.hasDestroy) lines.push('', `> [!CAUTION]\n> **${model.counts.destroy} to destroy**`);
  lines.push(
    '',
    `The plan is too large to show in ${budget.maxLength} ${budget.unit === 'chars' ? 'characters' : 'bytes'}.`,
  );
  let markdown = lines.join('\n');
  while (sizeOf(markdown, budget.unit) > budget.maxLength && lines.length > 1) {
    lines.pop();
    markdown = lines.join('\n');
  }
  return {
    markdown,
    level: 'partial',
    omissions: ['the whole plan was left out: the size limit is too small'],
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
