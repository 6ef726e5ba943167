/**
 * The plan model: actions classified and counted as Terraform counts them, the summary line, errored plans,
 * drift, checks, and the warnings that list every destroy and replace.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  classifyActions,
  describeReason,
  formatPath,
  groupOf,
  isDestructive,
  summaryLine,
  toResourceChange,
} from './changes.js';
import { buildPlanModel } from './model.js';
import type { RawPlan, RawResourceChange } from './plan.js';
import { expectedCounts, fixture } from '../../test/support/plans.js';
import { DEFAULT_PARAMS, generatePlan } from '../../test/support/plan-generator.js';
import { renderPlan } from '../../test/support/report.js';

function rc(address: string, actions: string[], extra: Partial<RawResourceChange> = {}): RawResourceChange {
  const destroys = actions.includes('delete') || actions.includes('forget');
  const creates = actions.includes('create') || actions.includes('update') || actions.includes('no-op');
  return {
    address,
    mode: 'managed',
    type: address.split('.')[0],
    name: address.split('.')[1]?.replace(/\[.*$/, ''),
    change: {
      actions,
      before: destroys || !actions.includes('create') ? { id: 'x' } : null,
      after: creates ? { id: 'y' } : null,
    },
    ...extra,
  };
}

const plan = (...changes: RawResourceChange[]): RawPlan => ({
  format_version: '1.2',
  resource_changes: changes,
});

describe('classifyActions', () => {
  it.each([
    [['create'], 'create', undefined],
    [['update'], 'update', undefined],
    [['delete'], 'delete', undefined],
    [['read'], 'read', undefined],
    [['forget'], 'forget', undefined],
    [['no-op'], 'no-op', undefined],
    [['delete', 'create'], 'replace', 'delete-then-create'],
    [['create', 'delete'], 'replace', 'create-then-delete'],
    [['create', 'forget'], 'replace', 'create-then-forget'],
    // an unknown future combination: anything that deletes is counted as destructive
    [['delete', 'create', 'forget'], 'replace', 'delete-then-create'],
    [['delete', 'forget'], 'delete', undefined],
  ])('%j is a %s', (actions, kind, order) => {
    expect(classifyActions(actions)).toEqual(order ? { kind, replaceOrder: order } : { kind });
  });
});

describe('counts', () => {
  it('are what Terraform counts, for generated plans with every action, imports and moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, resources, destroyShare) => {
          const p = generatePlan({ ...DEFAULT_PARAMS, seed, resources, destroyShare });
          const expected = expectedCounts(p);
          const { counts, hasDestroy } = buildPlanModel(p);
          const { read: _read, deferred: _deferred, drift: _drift, ...comparable } = counts;
          expect(comparable).toEqual(expected);
          expect(hasDestroy).toBe(expected.destroy > 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('count a replacement as one add and one destroy, create-then-forget as one add and one forget', () => {
    const { counts } = buildPlanModel(
      plan(
        rc('a.dc', ['delete', 'create']),
        rc('a.cd', ['create', 'delete']),
        rc('a.cf', ['create', 'forget']),
        rc('a.f', ['forget']),
        rc('a.u', ['update'], { previous_address: 'a.old' }),
        rc('a.i', ['no-op'], {
          change: { actions: ['no-op'], before: {}, after: {}, importing: { id: 'i' } },
        }),
        rc('a.n', ['no-op']),
      ),
    );
    expect(counts).toMatchObject({
      add: 3,
      change: 1,
      destroy: 2,
      forget: 2,
      import: 1,
      move: 1,
      replace: 3,
    });
  });

  it('are those of Terraform for the lifecycle fixture (counted by hand from the JSON)', () => {
    const { counts, hasChanges, hasDestroy } = buildPlanModel(fixture('openclaw-tf1.11-lifecycle.json'));
    expect(counts).toMatchObject({
      add: 4,
      change: 2,
      destroy: 5,
      replace: 3,
      import: 1,
      move: 1,
      forget: 1,
      outputs: 3,
    });
    expect(hasChanges && hasDestroy).toBe(true);
  });
});

describe('summaryLine', () => {
  it("reads like Terraform's plan line, with imports, forgets and moves", () => {
    expect(summaryLine(buildPlanModel(plan(rc('a.c', ['create']), rc('a.u', ['update']))))).toBe(
      '1 to add, 1 to change, 0 to destroy',
    );
    expect(summaryLine(buildPlanModel(plan(rc('a.r', ['delete', 'create']), rc('a.d', ['delete']))))).toBe(
      '1 to add, 0 to change, 2 to destroy (1 replaced)',
    );
    expect(summaryLine(buildPlanModel(fixture('terraform-basic-update.json')))).toBe('no changes');
    expect(summaryLine(buildPlanModel(fixture('terraform-unknown-output.json')))).toBe(
      '3 outputs to change, no resource changes',
    );
  });

  it('counts only destroying replacements as "replaced" among the destroys', () => {
    // create-then-forget replaces without destroying: "0 to destroy (1 replaced)" would contradict itself
    expect(summaryLine(buildPlanModel(plan(rc('a.cf', ['create', 'forget']))))).toBe(
      '1 to add, 0 to change, 0 to destroy, 1 to forget',
    );
    expect(
      summaryLine(buildPlanModel(plan(rc('a.cf', ['create', 'forget']), rc('a.r', ['delete', 'create'])))),
    ).toBe('2 to add, 0 to change, 1 to destroy (1 replaced), 1 to forget');
  });

  it('never reads "no changes" for an errored plan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 8 }),
        (seed, resources) => {
          const p = generatePlan({ ...DEFAULT_PARAMS, seed, resources, errored: true });
          const model = buildPlanModel(p);
          expect(model.errored).toBe(true);
          expect(model.applyable).toBe(false);
          const line = summaryLine(model);
          expect(line).toMatch(/^plan errored/);
          expect(line).not.toMatch(/no changes/i);
          for (const maxLength of [65000, 4000]) {
            const markdown = renderPlan(p, { maxLength, unit: 'chars' }).report.markdown;
            expect(markdown).not.toMatch(/no changes/i);
            expect(markdown).toContain('**The plan errored.**');
            expect(markdown).toMatch(/^### ❌ /m);
          }
        },
      ),
      { numRuns: 20 },
    );
    expect(summaryLine(buildPlanModel({ format_version: '1.2', errored: true }))).toBe('plan errored');
    expect(summaryLine(buildPlanModel({ ...plan(rc('a.c', ['create'])), errored: true }))).toBe(
      'plan errored (incomplete: 1 to add, 0 to change, 0 to destroy)',
    );
  });

  it('adds deferred changes', () => {
    const model = buildPlanModel({
      ...plan(rc('a.c', ['create'])),
      complete: false,
      deferred_changes: [{ reason: 'resource_config_unknown', resource_change: rc('a.later', ['create']) }],
    });
    expect(summaryLine(model)).toBe('1 to add, 0 to change, 0 to destroy, 1 deferred');
    expect(model.complete).toBe(false);
  });
});

describe('the destroy and replace warnings', () => {
  it('title counts what is listed: destroys and destroying replacements', () => {
    const cases: [RawResourceChange[], string][] = [
      [[rc('a.d', ['delete']), rc('a.cf', ['create', 'forget'])], '> **1 resource will be destroyed**'],
      [
        [rc('a.r', ['delete', 'create']), rc('a.cf', ['create', 'forget'])],
        '> **1 resource will be replaced**',
      ],
      [
        [
          rc('a.d', ['delete']),
          rc('a.e', ['delete']),
          rc('a.r', ['create', 'delete']),
          rc('a.cf', ['create', 'forget']),
        ],
        '> **2 resources will be destroyed, 1 resource will be replaced**',
      ],
    ];
    for (const [changes, title] of cases) {
      const markdown = renderPlan(plan(...changes)).report.markdown;
      expect(markdown).toContain(title);
    }
    // create-then-forget alone destroys nothing: no caution block
    expect(renderPlan(plan(rc('a.cf', ['create', 'forget']))).report.markdown).not.toContain('[!CAUTION]');
  });

  it('lists exactly the destructive changes', () => {
    const model = buildPlanModel(fixture('openclaw-tf1.11-lifecycle.json'));
    expect(model.changes.filter(isDestructive).map((c) => c.address)).toEqual([
      'terraform_data.cbd',
      'terraform_data.db',
      'terraform_data.doomed',
      'terraform_data.pool[0]',
      'terraform_data.pool[2]',
    ]);
  });
});

describe('model details', () => {
  it('groups moves and imports without other changes, drops plain no-ops', () => {
    const model = buildPlanModel(fixture('openclaw-tf1.11-lifecycle.json'));
    const groups = Object.fromEntries(model.changes.map((c) => [c.address, groupOf(c)]));
    expect(groups).toEqual({
      'terraform_data.cbd': 'replace',
      'terraform_data.config': 'update',
      'terraform_data.db': 'replace',
      'terraform_data.doomed': 'delete',
      'terraform_data.forgotten': 'forget',
      'terraform_data.imported': 'update',
      'terraform_data.new': 'create',
      'terraform_data.new_name': 'move',
      'terraform_data.pool[0]': 'replace',
      'terraform_data.pool[2]': 'delete',
    });
    expect(
      groupOf(
        toResourceChange(rc('a.i', ['no-op'], { change: { actions: ['no-op'], importing: { id: 'x' } } })),
      ),
    ).toBe('import');
  });

  it('keeps only drift that changed something visible', () => {
    const raw = fixture('terraform-compliance-aws-delete-update-create-drift.json');
    const sorted = (v: unknown): string =>
      JSON.stringify(v, (_k, x: unknown) =>
        x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x,
      );
    const visible = (raw.resource_drift ?? []).filter(
      (d) => sorted(d.change.before) !== sorted(d.change.after),
    );
    const model = buildPlanModel(raw);
    expect(raw.resource_drift).toHaveLength(15);
    // format 0.1 drift entries have no address: compare by type and name
    expect(model.drift.map((d) => `${d.type}.${d.name}`)).toEqual(visible.map((d) => `${d.type}.${d.name}`));
    expect(model.drift.map((d) => d.address)).toEqual(visible.map((d) => `${d.type}.${d.name}`));
    expect(model.counts.drift).toBe(visible.length);
  });

  it('rebuilds the address of a format 0.x drift entry from its parts', () => {
    const model = buildPlanModel({
      format_version: '0.1',
      resource_drift: [
        {
          address: '',
          module_address: 'module.m',
          mode: 'data',
          type: 'aws_ami',
          name: 'x',
          index: 'k',
          change: { actions: ['update'], before: { a: 1 }, after: { a: 2 } },
        },
      ],
    });
    expect(model.drift[0]?.address).toBe('module.m.data.aws_ami.x["k"]');
  });

  it('lists failing and errored check instances with their messages', () => {
    const model = buildPlanModel({
      format_version: '1.2',
      checks: [
        {
          address: { to_display: 'check.a' },
          status: 'fail',
          instances: [
            {
              address: { to_display: 'check.a' },
              status: 'fail',
              problems: [{ message: 'down' }, { message: '' }],
            },
            { address: { to_display: 'check.a[1]' }, status: 'pass' },
          ],
        },
        { address: { to_display: 'check.b' }, status: 'error', instances: [{ status: 'error' }] },
        { address: { to_display: 'check.c' }, status: 'unknown', instances: [{ status: 'unknown' }] },
      ],
    });
    expect(model.failingChecks).toEqual([
      { address: 'check.a', status: 'fail', problems: ['down'] },
      { address: 'check.b', status: 'error', problems: [] },
    ]);
  });

  it('formats replace paths as Terraform addresses', () => {
    expect(formatPath(['ami'])).toBe('ami');
    expect(formatPath(['ebs', 0, 'size'])).toBe('ebs[0].size');
    expect(formatPath(['tags', 'Name'])).toBe('tags.Name');
    expect(formatPath(['tags', 'kubernetes.io/role'])).toBe('tags["kubernetes.io/role"]');
    expect(formatPath(['m', 'a"b'])).toBe('m["a\\"b"]');
  });

  it('describes reasons in words, and unknown ones from their code', () => {
    expect(describeReason('replace_by_request')).toBe('replacement was requested (`-replace`)');
    expect(describeReason('delete_because_each_key')).toBe('its key is no longer in `for_each`');
    expect(describeReason('some_new_reason')).toBe('some new reason');
    expect(describeReason(undefined)).toBeUndefined();
  });
});
