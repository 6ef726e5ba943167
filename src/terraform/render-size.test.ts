/**
 * The size budget: the report never exceeds it (characters for a comment, UTF-8 bytes for a job summary), uses
 * the most detailed level that fits (full → trimmed → short → addresses → partial), always keeps the heading, the
 * summary line and the destroy/replace warnings, never cuts a character, a tag or a code block, and says what it
 * left out.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDestructive, summaryLine } from './changes.js';
import type { RawPlan } from './plan.js';
import type { DetailLevel, ReportBudget } from './render.js';
import { codeSpan } from '../common/markdown.js';
import { revealInvisible, sizeOf } from '../common/text.js';
import { hasLoneSurrogate, structuralProblems } from '../../test/support/markdown-dom.js';
import { fixture } from '../../test/support/plans.js';
import { DEFAULT_PARAMS, generatePlan, type PlanParams } from '../../test/support/plan-generator.js';
import { MARKER, renderPlan } from '../../test/support/report.js';

const ORDER: DetailLevel[] = ['full', 'trimmed', 'short', 'addresses', 'partial'];

/** The leading code span of each `> - ` warning line (parsed, not searched: addresses can be long backtick runs). */
function warningSpans(markdown: string): Set<string> {
  const spans = new Set<string>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('> - `')) continue;
    const ticks = /^`+/.exec(line.slice(4))![0];
    const close = new RegExp(`(?<!\`)${ticks}(?!\`)`, 'g');
    close.lastIndex = 4 + ticks.length;
    const end = close.exec(line);
    if (end) spans.add(line.slice(4, end.index + ticks.length));
  }
  return spans;
}

/** Everything the issue asks of one rendering; returns its level. */
function checkReport(
  plan: RawPlan,
  budget: ReportBudget,
  options: { inputHasLoneSurrogates?: boolean } = {},
): DetailLevel {
  const { model, report } = renderPlan(plan, budget);
  const markdown = report.markdown;
  const size = sizeOf(markdown, budget.unit);
  const context = { budget, level: report.level, size };
  // never over budget
  expect({ ...context, over: size > budget.maxLength }).toEqual({ ...context, over: false });
  // the heading and the summary line, always
  const lines = markdown.split('\n');
  expect(lines[0]).toBe(MARKER);
  expect(lines[1]).toMatch(/^### .*Terraform plan for `us-east-1`$/);
  const summary = summaryLine(model);
  expect(markdown).toContain(`**${summary.charAt(0).toUpperCase()}${summary.slice(1)}**`);
  // the destroy warnings: every destroy and replace, or at the last level as many as fit and a count of the rest
  const destructive = model.changes.filter(isDestructive);
  if (destructive.length > 0) {
    expect(markdown).toContain('> [!CAUTION]');
    const spans = warningSpans(markdown);
    const listed = destructive.filter((c) => spans.has(codeSpan(revealInvisible(c.address))));
    if (report.level === 'partial') {
      const more = /^> - … and (\d+) more$/m.exec(markdown);
      expect(listed.length + Number(more?.[1] ?? 0)).toBe(destructive.length);
    } else {
      expect(listed.length).toBe(destructive.length);
    }
  }
  // whole characters, tags and code blocks only
  if (!options.inputHasLoneSurrogates) expect(hasLoneSurrogate(markdown)).toBe(false);
  expect(structuralProblems(markdown, MARKER)).toEqual([]);
  // says what was left out
  if (report.level === 'full') {
    expect(report.omissions).toEqual([]);
    expect(markdown).not.toContain('This plan was shortened');
  } else {
    expect(report.omissions.length).toBeGreaterThan(0);
    expect(markdown).toContain(
      `> This plan was shortened to fit in ${budget.maxLength.toLocaleString('en-US')} `,
    );
  }
  if (report.level === 'partial') {
    // the count of left-out addresses adds up
    const leftOut = [...markdown.matchAll(/^# … and (\d+) more$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    if (leftOut > 0)
      expect(report.omissions).toContain(
        `${leftOut} of ${model.changes.length} resource addresses were left out`,
      );
  }
  if (report.level === 'addresses' || report.level === 'partial') {
    expect(markdown).not.toMatch(/^[-+!<. /]* (resource|data) "/m);
  }
  return report.level;
}

/** The size of the full report, rendered without a limit. */
function fullSize(plan: RawPlan, unit: ReportBudget['unit']): number {
  const { report } = renderPlan(plan, { maxLength: Infinity, unit });
  expect(report.level).toBe('full');
  return sizeOf(report.markdown, unit);
}

/** Checks at each budget, and that a smaller budget never gives a more detailed level. */
function checkBudgets(
  plan: RawPlan,
  budgets: ReportBudget[],
  options: { inputHasLoneSurrogates?: boolean } = {},
): DetailLevel[] {
  const sorted = [...budgets].sort((a, b) => b.maxLength - a.maxLength);
  const levels = sorted.map((b) => checkReport(plan, b, options));
  for (let k = 1; k < levels.length; k++) {
    if (sorted[k]!.unit === sorted[k - 1]!.unit)
      expect(ORDER.indexOf(levels[k]!)).toBeGreaterThanOrEqual(ORDER.indexOf(levels[k - 1]!));
  }
  // the full report is used exactly when it fits
  for (const unit of new Set(sorted.map((b) => b.unit))) {
    const full = fullSize(plan, unit);
    sorted.forEach((b, k) => {
      if (b.unit !== unit) return;
      if (full + 1 <= b.maxLength) expect(levels[k]).toBe('full');
      if (full > b.maxLength) expect(levels[k]).not.toBe('full');
    });
  }
  return levels;
}

const BUDGETS = [4000, 4500, 6000, 8000, 12000, 20000, 32000, 50000, 65000, 65536].map(
  (maxLength): ReportBudget => ({ maxLength, unit: 'chars' }),
);

describe('fixtures under every budget', () => {
  it('borchero: 300 creates', () => {
    const levels = checkBudgets(fixture('borchero-300-foreach-create.json'), BUDGETS);
    expect(levels).toContain('partial');
    expect(new Set(levels).size).toBeGreaterThan(1);
  });

  it('checkov: 55 creates and 10 outputs (Terraform 0.12)', () => {
    checkBudgets(fixture('checkov-aws-55-create-outputs.json'), BUDGETS);
  });

  it('the lifecycle fixture, with its destroy warnings, in characters and in bytes', () => {
    const plan = fixture('openclaw-tf1.11-lifecycle.json');
    checkBudgets(plan, [...BUDGETS, ...BUDGETS.map((b) => ({ ...b, unit: 'bytes' as const }))]);
  });
});

describe('generated plans', () => {
  const params = fc.record<PlanParams>({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    resources: fc.integer({ min: 0, max: 250 }),
    destroyShare: fc.double({ min: 0, max: 1, noNaN: true }),
    maxStringLength: fc.integer({ min: 1, max: 3000 }),
    hostile: fc.boolean(),
    multiByte: fc.boolean(),
    loneSurrogates: fc.constant(false),
    secrets: fc.boolean(),
  });
  const budget = fc.record<ReportBudget>({
    maxLength: fc.integer({ min: 4000, max: 65536 }),
    unit: fc.constantFrom('chars' as const, 'bytes' as const),
  });

  it('fit, degrade in order, keep the head and the warnings, and say what they left out', () => {
    fc.assert(
      fc.property(params, fc.array(budget, { minLength: 1, maxLength: 3 }), (p, budgets) => {
        checkBudgets(generatePlan(p), budgets);
      }),
      { numRuns: 40 },
    );
  });

  it('with many destroys, keep as many warnings as fit and count the rest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 100, max: 1500 }),
        fc.boolean(),
        fc.integer({ min: 4000, max: 20000 }),
        (seed, resources, hostile, maxLength) => {
          const plan = generatePlan({
            ...DEFAULT_PARAMS,
            seed,
            resources,
            hostile,
            destroyShare: 1,
            maxStringLength: 20,
          });
          checkReport(plan, { maxLength, unit: 'chars' });
        },
      ),
      { numRuns: 15 },
    );
  });

  it('count multi-byte content in bytes for a bytes budget', () => {
    const plan = generatePlan({
      ...DEFAULT_PARAMS,
      seed: 11,
      resources: 60,
      multiByte: true,
      maxStringLength: 400,
    });
    const chars = fullSize(plan, 'chars');
    const bytes = fullSize(plan, 'bytes');
    expect(bytes).toBeGreaterThan(chars + 2000);
    // a budget between the two: the whole report fits in characters, not in bytes
    const between = Math.floor((chars + bytes) / 2);
    expect(checkReport(plan, { maxLength: between, unit: 'chars' })).toBe('full');
    expect(checkReport(plan, { maxLength: between, unit: 'bytes' })).not.toBe('full');
    checkBudgets(
      plan,
      [4000, 8000, 16000, 30000, 200000].map((maxLength) => ({ maxLength, unit: 'bytes' as const })),
    );
  });

  it('keep the warnings and the address list when addresses hold long backtick runs (longer fences)', () => {
    for (const run of [40, 1000]) {
      const resource_changes = Array.from({ length: 1500 }, (_, i) => ({
        address: `aws_x.y["${'`'.repeat(run)}${i}"]`,
        mode: 'managed' as const,
        type: 'aws_x',
        name: 'y',
        action_reason: 'delete_because_each_key',
        change:
          i % 2 === 1
            ? { actions: ['delete'], before: { id: 'a' }, after: null }
            : { actions: ['create'], before: null, after: { id: 'a' } },
      }));
      const plan: RawPlan = { format_version: '1.2', resource_changes };
      for (const maxLength of [4000, 65000]) {
        expect({ run, maxLength, level: checkReport(plan, { maxLength, unit: 'chars' }) }).toEqual({
          run,
          maxLength,
          level: 'partial',
        });
      }
    }
  });

  it('never cut a surrogate pair, even in long multi-byte strings cut to fit', () => {
    const plan = generatePlan({
      ...DEFAULT_PARAMS,
      seed: 5,
      resources: 40,
      multiByte: true,
      maxStringLength: 3000,
    });
    checkBudgets(
      plan,
      [4000, 9000, 30000, 65000].map((maxLength) => ({ maxLength, unit: 'chars' as const })),
    );
  });

  it('render a 10,000-resource plan within 65,000 characters', () => {
    const plan = generatePlan({
      ...DEFAULT_PARAMS,
      seed: 3,
      resources: 10_000,
      destroyShare: 0.3,
      maxStringLength: 30,
    });
    expect(checkReport(plan, { maxLength: 65000, unit: 'chars' })).toBe('partial');
  });
});
