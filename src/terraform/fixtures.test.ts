/**
 * Every vendored `terraform show -json` plan, through the whole pipeline: it parses, renders within the comment
 * budget (characters) and the job summary budget (bytes), its counts are Terraform's, and no sensitive value
 * shows anywhere in what is rendered.
 */
import { describe, expect, it } from '@jest/globals';
import { summaryLine } from './changes.js';
import { buildPlanModel } from './model.js';
import { parsePlanJson } from './plan.js';
import { sizeOf } from '../common/text.js';
import { structuralProblems } from '../../test/support/markdown-dom.js';
import {
  expectedCounts,
  expectedSecrets,
  fixture,
  fixtureNames,
  fixtureText,
} from '../../test/support/plans.js';
import { COMMENT_BUDGET, MARKER, SUMMARY_BUDGET, renderPlan } from '../../test/support/report.js';

const names = fixtureNames();

describe('vendored plan fixtures', () => {
  it('has the fixtures the issue names', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'borchero-300-foreach-create.json',
        'checkov-aws-55-create-outputs.json',
        'openclaw-tf1.11-lifecycle.json',
        'terraform-plan-error.json',
        'terraform-sensitive-values.json',
      ]),
    );
  });

  describe.each(names)('%s', (name) => {
    const { plan } = parsePlanJson(fixtureText(name), { input: 'plan-json', description: name });

    it('renders within the comment budget (characters) and the summary budget (bytes), well formed', () => {
      const comment = renderPlan(plan, COMMENT_BUDGET).report.markdown;
      expect(comment.length).toBeLessThanOrEqual(COMMENT_BUDGET.maxLength);
      expect(comment.startsWith(MARKER + '\n')).toBe(true);
      expect(structuralProblems(comment, MARKER)).toEqual([]);
      const summary = renderPlan(plan, SUMMARY_BUDGET, { marker: false }).report.markdown;
      expect(sizeOf(summary, 'bytes')).toBeLessThanOrEqual(SUMMARY_BUDGET.maxLength);
      expect(structuralProblems(summary)).toEqual([]);
    });

    it("counts as Terraform counts, from the JSON's actions, importing and previous_address", () => {
      const expected = expectedCounts(fixture(name));
      const model = buildPlanModel(plan);
      expect({
        add: model.counts.add,
        change: model.counts.change,
        destroy: model.counts.destroy,
        replace: model.counts.replace,
        import: model.counts.import,
        move: model.counts.move,
        forget: model.counts.forget,
        outputs: model.counts.outputs,
      }).toEqual(expected);
      expect(model.hasDestroy).toBe(expected.destroy > 0);
      const line = summaryLine(model);
      if (!model.errored && expected.add + expected.change + expected.destroy > 0) {
        expect(line).toContain(
          `${expected.add} to add, ${expected.change} to change, ${expected.destroy} to destroy`,
        );
      }
      // the heading repeats the summary line
      expect(renderPlan(plan).report.markdown).toContain(line.slice(1));
    });

    it('shows no sensitive value in the comment, the job summary or the summary line', () => {
      const secrets = [...expectedSecrets(fixture(name))].filter((s) => s.length >= 3);
      const outputs = [
        renderPlan(plan, COMMENT_BUDGET).report.markdown,
        renderPlan(plan, SUMMARY_BUDGET, { marker: false }).report.markdown,
        // a small budget takes the other code paths (trimmed, addresses, partial)
        renderPlan(plan, { maxLength: 4000, unit: 'chars' }).report.markdown,
        summaryLine(buildPlanModel(plan)),
      ];
      for (const out of outputs) {
        for (const secret of [...secrets, 'hunter2', 'boop']) expect(out).not.toContain(secret);
      }
    });

    it('registers every sensitive value (each line of it) for log masking', () => {
      const logSecrets = renderPlan(plan).sensitive.secretsForLog();
      for (const secret of expectedSecrets(fixture(name))) {
        for (const line of secret.split(/\r?\n/)) {
          if (line.trim().length >= 3) expect(logSecrets).toContain(line);
        }
      }
    });
  });

  it('finds the sensitive values the issue names in the fixtures that hold them', () => {
    expect([...expectedSecrets(fixture('terraform-sensitive-values.json'))]).toEqual(['boop']);
    const lifecycle = expectedSecrets(fixture('openclaw-tf1.11-lifecycle.json'));
    expect([...lifecycle].sort()).toEqual(['hunter2-initial', 'hunter2-rotated-<!--`x`-->']);
    // Terraform echoes the sensitive input in terraform_data.db's output without a mark: it must still be masked
    const db = fixture('openclaw-tf1.11-lifecycle.json').resource_changes!.find(
      (r) => r.address === 'terraform_data.db',
    )!;
    expect((db.change.before as { output: { password: string } }).output.password).toBe('hunter2-initial');
    const markdown = renderPlan(fixture('openclaw-tf1.11-lifecycle.json')).report.markdown;
    expect(markdown).not.toContain('hunter2');
    expect(markdown).toContain('password = (sensitive value)');
  });

  it('renders the errored fixture as errored, never as "no changes"', () => {
    const plan = fixture('terraform-plan-error.json');
    const model = buildPlanModel(plan);
    expect(model.errored).toBe(true);
    expect(summaryLine(model)).toBe('plan errored');
    for (const budget of [COMMENT_BUDGET, { maxLength: 4000, unit: 'chars' as const }]) {
      const markdown = renderPlan(plan, budget).report.markdown;
      expect(markdown).not.toMatch(/no changes/i);
      expect(markdown).not.toContain('✅');
      expect(markdown).toContain('> [!CAUTION]');
      expect(markdown).toContain('**The plan errored.**');
    }
  });

  it('reads the lifecycle fixture as Terraform 1.11 planned it', () => {
    const model = buildPlanModel(fixture('openclaw-tf1.11-lifecycle.json'));
    // counted by hand from the JSON: creates: new, 3 replacements (cbd, db, pool[0]); updates: config, imported;
    // deletes: doomed, pool[2] + the 3 replacements; forgotten; imported; new_name moved
    expect(summaryLine(model)).toBe(
      '1 to import, 4 to add, 2 to change, 5 to destroy (3 replaced), 1 to forget, 1 moved',
    );
    const markdown = renderPlan(fixture('openclaw-tf1.11-lifecycle.json')).report.markdown;
    expect(markdown).toContain('> **2 resources will be destroyed, 3 resources will be replaced**');
    expect(markdown).toContain(
      '> - `terraform_data.cbd` **replaced** (new object created first): `triggers_replace` forces replacement (`replace_because_cannot_update`)',
    );
    expect(markdown).toContain(
      '> - `terraform_data.pool[0]` **replaced**: replacement was requested (`-replace`) (`replace_by_request`)',
    );
    expect(markdown).toContain(
      '> - `terraform_data.doomed` **destroyed**: its resource block is no longer in the configuration (`delete_because_no_resource_config`)',
    );
  });
});
