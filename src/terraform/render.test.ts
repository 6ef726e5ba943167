/**
 * The report's layout as the README describes it: heading and counts, caution blocks, groups in order of danger
 * (open when small, collapsed when long), outputs, deferred changes, drift, footer; and what the last level says
 * it left out.
 */
import { describe, expect, it } from '@jest/globals';
import type { RawPlan, RawResourceChange } from './plan.js';
import { groupThousands } from './render.js';
import { elements, markdownToDom, structuralProblems, textOf } from '../../test/support/markdown-dom.js';
import { fixture } from '../../test/support/plans.js';
import { MARKER, renderPlan } from '../../test/support/report.js';

function rc(
  address: string,
  actions: string[],
  after: Record<string, unknown> = { id: 'y' },
): RawResourceChange {
  const [type, name] = address.split('.') as [string, string];
  return {
    address,
    mode: 'managed',
    type,
    name,
    change: {
      actions,
      before: actions.includes('delete') || actions.includes('update') ? { id: 'x' } : null,
      after: actions.includes('delete') && actions.length === 1 ? null : after,
    },
  };
}

/** Titles of the <details> groups, in order, with whether each is open. */
function groups(markdown: string): { title: string; open: boolean }[] {
  return elements(markdownToDom(markdown), 'details').map((d) => ({
    title: textOf(elements(d, 'summary')[0]!),
    open: d.attrs.some((a) => a.name === 'open'),
  }));
}

describe('report layout', () => {
  it('shows groups in order of danger, each with its count', () => {
    const markdown = renderPlan(fixture('openclaw-tf1.11-lifecycle.json')).report.markdown;
    expect(groups(markdown).map((g) => g.title)).toEqual([
      'Replace · 3',
      'Destroy · 2',
      'Update in place · 2',
      'Create · 1',
      'Move · 1',
      'Forget (remove from state, keep the object) · 1',
      'Outputs · 3',
    ]);
  });

  it('opens groups of at most 60 diff lines and collapses longer ones', () => {
    const small = rc('a.small', ['create'], { v: 1 });
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 70; i++) big[`k${String(i).padStart(2, '0')}`] = i;
    const markdown = renderPlan({
      format_version: '1.2',
      resource_changes: [small, rc('b.big', ['delete', 'create'], big)],
    }).report.markdown;
    expect(groups(markdown)).toEqual([
      { title: 'Replace · 1', open: false },
      { title: 'Create · 1', open: true },
    ]);
  });

  it('has outputs, deferred changes, drift and a footer with the fingerprint, version, commit and run', () => {
    const plan: RawPlan = {
      ...fixture('terraform-drift.json'),
      terraform_version: '1.9.8',
      complete: false,
      output_changes: { url: { actions: ['create'], before: null, after: 'https://x' } },
      deferred_changes: [
        { reason: 'provider_config_unknown', resource_change: rc('aws_instance.later', ['create']) },
      ],
    };
    const markdown = renderPlan(plan, undefined, { fingerprint: 'sha256:feed' }).report.markdown;
    expect(groups(markdown).map((g) => g.title)).toEqual([
      'Update in place · 2',
      'Outputs · 1',
      'Deferred to a later plan · 1',
      'Drift · 1 object changed outside of Terraform since the last apply',
    ]);
    expect(markdown).toContain(
      "~ aws_instance.later (create, deferred because its provider's configuration is not known yet)",
    );
    expect(markdown).toContain('> **This plan is incomplete**');
    const footer = markdown.split('\n').at(-1)!;
    const sub = elements(markdownToDom(footer), 'sub')[0]!;
    expect(textOf(sub)).toBe(
      'fingerprint sha256:feed · Terraform 1.9.8 · commit 0123456789ab · workflow run',
    );
    expect(elements(sub, 'a')[0]!.attrs).toEqual([
      { name: 'href', value: 'https://github.com/o/r/actions/runs/1' },
    ]);
  });

  it('lists failing checks in a warning block', () => {
    const plan: RawPlan = {
      format_version: '1.2',
      checks: [
        {
          address: { to_display: 'check.health' },
          status: 'fail',
          instances: [{ status: 'fail', problems: [{ message: 'endpoint down' }] }],
        },
      ],
    };
    expect(renderPlan(plan).report.markdown).toContain(
      '> **1 check failed**\n> - `check.health` failed: `endpoint down`',
    );
  });

  it('links the full plan from the note when it had to shorten', () => {
    const { report } = renderPlan(
      fixture('borchero-300-foreach-create.json'),
      { maxLength: 6000, unit: 'chars' },
      { detailsUrl: 'https://example.com/plan' },
    );
    expect(report.level).not.toBe('full');
    const links = elements(markdownToDom(report.markdown), 'a').map(
      (a) => a.attrs.find((x) => x.name === 'href')?.value,
    );
    expect(links).toContain('https://example.com/plan');
  });
});

describe('the last level (as many addresses as fit)', () => {
  it('says that it left out outputs, drift, deferred changes and check details', () => {
    const many = Array.from({ length: 2000 }, (_, i) => rc(`aws_instance.n${i}`, ['create']));
    const plan: RawPlan = {
      format_version: '1.2',
      complete: false,
      resource_changes: many,
      output_changes: { url: { actions: ['create'], before: null, after: 'https://x' } },
      resource_drift: fixture('terraform-drift.json').resource_drift!,
      deferred_changes: [{ reason: 'absent_prereq', resource_change: rc('aws_instance.later', ['create']) }],
      checks: [
        {
          address: { to_display: 'check.c' },
          status: 'fail',
          instances: [{ status: 'fail', problems: [{ message: 'x' }] }],
        },
      ],
    };
    const { report } = renderPlan(plan, { maxLength: 8000, unit: 'chars' });
    expect(report.level).toBe('partial');
    expect(structuralProblems(report.markdown, MARKER)).toEqual([]);
    const note = report.markdown.split('\n').find((l) => l.startsWith('> This plan was shortened'))!;
    for (const what of ['output', 'drift', 'deferred', 'check'])
      expect({ what, noted: note.includes(what) }).toEqual({ what, noted: true });
  });
});

describe('sensitive values outside the diffs', () => {
  it('are cut out of failing check messages', () => {
    const plan: RawPlan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_db.a',
          change: {
            actions: ['create'],
            before: null,
            after: { password: 'hunter2-x' },
            after_sensitive: { password: true },
          },
        },
      ],
      checks: [
        {
          address: { to_display: 'check.db' },
          status: 'fail',
          instances: [{ status: 'fail', problems: [{ message: 'login with hunter2-x failed' }] }],
        },
      ],
    };
    for (const maxLength of [65000, 4000]) {
      const markdown = renderPlan(plan, { maxLength, unit: 'chars' }).report.markdown;
      expect(markdown).not.toContain('hunter2');
    }
  });
});

describe('groupThousands', () => {
  it('groups digits as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 4000, 65000, 65536, 1044480, 123456789])
      expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('heading', () => {
  it("names the label, or reads 'Terraform plan' without one", () => {
    const plan = fixture('terraform-basic-create.json');
    expect(renderPlan(plan, undefined, { label: 'eu-west-1' }).report.markdown).toContain(
      '### 📝 Terraform plan for `eu-west-1`\n',
    );
    const markdown = renderPlan(plan, undefined, { label: '' }).report.markdown;
    expect(markdown).toContain('### 📝 Terraform plan\n');
    expect(markdown).not.toContain('Terraform plan for');
  });
});

describe('a plan without format_version', () => {
  it('says under the heading that it was read by its structure', () => {
    const plan = fixture('terraform-basic-create.json');
    delete plan.format_version;
    const markdown = renderPlan(plan).report.markdown;
    expect(markdown).toContain('> [!WARNING]\n> **This plan has no `format_version`**');
    expect(renderPlan(fixture('terraform-basic-create.json')).report.markdown).not.toContain(
      'format_version',
    );
  });
});
