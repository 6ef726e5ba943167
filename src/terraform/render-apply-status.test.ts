/**
 * After an apply, the report says so under its heading: applied (time, commit, run) or failed, at every detail
 * level, and nothing else of the report changes.
 */
import { describe, expect, it } from '@jest/globals';
import { buildPlanModel } from './model.js';
import type { RawPlan } from './plan.js';
import { renderPlanReport, type ApplyStatus, type ReportContext } from './render.js';
import { collectSensitiveValues } from './sensitive.js';
import { elements, markdownToDom, textOf } from '../../test/support/markdown-dom.js';
import { fixture } from '../../test/support/plans.js';

const CONTEXT: ReportContext = {
  label: 'us-east-1',
  fingerprint: 'sha256:' + 'ab'.repeat(32),
  marker: '<!-- openclaw:plan-comment label=us-east-1 fingerprint=sha256:0000 -->',
  commitSha: '0123456789abcdef0123',
};
const AT = new Date('2026-12-06T22:15:07.123Z');
const APPLIED: ApplyStatus = {
  outcome: 'applied',
  at: AT,
  commitSha: 'fedcba9876543210fedc',
  runUrl: 'https://github.com/o/r/actions/runs/77',
};

function render(plan: RawPlan, applyStatus: ApplyStatus | undefined, maxLength = 65000): string {
  const context = applyStatus ? { ...CONTEXT, applyStatus } : CONTEXT;
  return renderPlanReport(buildPlanModel(plan), collectSensitiveValues(plan), context, {
    maxLength,
    unit: 'chars',
  }).markdown;
}

/** The alert blockquote right under the heading: its GitHub alert type and its text. */
function alertUnderHeading(markdown: string): { type: string; text: string } | undefined {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((l) => l.startsWith('### '));
  const first = lines[heading + 2] ?? '';
  const type = /^> \[!(\w+)\]$/.exec(first)?.[1];
  if (type === undefined) return undefined;
  const quote = elements(markdownToDom(lines.slice(heading + 2, heading + 4).join('\n')), 'blockquote')[0]!;
  return { type, text: textOf(quote).replace(/\s+/g, ' ').trim() };
}

describe('apply status', () => {
  const plan = fixture('openclaw-tf1.11-lifecycle.json');

  it('a planned report has no status note', () => {
    expect(alertUnderHeading(render(plan, undefined))).toBeUndefined();
  });

  it('an applied plan says when, from which commit and in which run, right under the heading', () => {
    const markdown = render(plan, APPLIED);
    expect(alertUnderHeading(markdown)).toEqual({
      type: 'NOTE',
      text: '[!NOTE] Applied at 2026-12-06T22:15:07Z (commit fedcba987654, workflow run).',
    });
    const link = elements(markdownToDom(markdown), 'a').find((a) => textOf(a) === 'workflow run');
    expect(link?.attrs).toEqual([{ name: 'href', value: 'https://github.com/o/r/actions/runs/77' }]);
  });

  it('a failed apply is a caution that asks for a new plan and approval', () => {
    const alert = alertUnderHeading(render(plan, { ...APPLIED, outcome: 'apply-failed' }));
    expect(alert?.type).toBe('CAUTION');
    expect(alert?.text).toContain('The apply of this plan failed at 2026-12-06T22:15:07Z');
    expect(alert?.text).toContain('plan again; the new plan needs a new approval');
  });

  it('leaves the rest of the report as it was: the same lines after the note', () => {
    const planned = render(plan, undefined).split('\n');
    const applied = render(plan, APPLIED).split('\n');
    const heading = planned.findIndex((l) => l.startsWith('### '));
    expect(applied.slice(0, heading + 2)).toEqual(planned.slice(0, heading + 2));
    expect(applied.slice(heading + 5)).toEqual(planned.slice(heading + 2));
  });

  it('keeps the note when the plan is too large for anything but a partial list of addresses', () => {
    const many: RawPlan = {
      format_version: '1.2',
      resource_changes: Array.from({ length: 3000 }, (_, i) => ({
        address: `aws_s3_object.file_${i}`,
        mode: 'managed',
        type: 'aws_s3_object',
        name: `file_${i}`,
        change: { actions: ['create'], before: null, after: { key: `k${i}` } },
      })),
    };
    const markdown = render(many, APPLIED, 4000);
    expect(markdown.length).toBeLessThanOrEqual(4000);
    expect(markdown).toContain('left out');
    expect(alertUnderHeading(markdown)?.text).toContain('Applied at 2026-12-06T22:15:07Z');
  });
});
