/** Test support: the whole plan-comment pipeline of src/terraform, from plan JSON to rendered markdown. */
import { buildPlanModel, type PlanModel } from '../../src/terraform/model.js';
import { planFingerprint } from '../../src/terraform/fingerprint.js';
import type { RawPlan } from '../../src/terraform/plan.js';
import { renderPlanReport, type RenderedReport, type ReportBudget } from '../../src/terraform/render.js';
import { collectSensitiveValues, type SensitiveValues } from '../../src/terraform/sensitive.js';

/** The hidden marker as src/github formats it (kept literal here: the test must not depend on that module). */
export const MARKER = '<!-- openclaw:plan-comment label=us-east-1 fingerprint=sha256:0000 -->';
export const COMMENT_BUDGET: ReportBudget = { maxLength: 65000, unit: 'chars' };
export const SUMMARY_BUDGET: ReportBudget = { maxLength: 1024 * 1024 - 4096, unit: 'bytes' };

export interface Rendered {
  model: PlanModel;
  sensitive: SensitiveValues;
  report: RenderedReport;
}

export function renderPlan(
  plan: RawPlan,
  budget: ReportBudget = COMMENT_BUDGET,
  options: { label?: string; marker?: boolean; fingerprint?: string; detailsUrl?: string } = {},
): Rendered {
  const model = buildPlanModel(plan);
  const sensitive = collectSensitiveValues(plan);
  const fingerprint = options.fingerprint ?? 'sha256:' + 'ab'.repeat(32);
  const report = renderPlanReport(
    model,
    sensitive,
    {
      label: options.label ?? 'us-east-1',
      fingerprint,
      ...(options.marker === false ? {} : { marker: MARKER }),
      runUrl: 'https://github.com/o/r/actions/runs/1',
      ...(options.detailsUrl ? { detailsUrl: options.detailsUrl } : {}),
      commitSha: '0123456789abcdef0123',
    },
    budget,
  );
  return { model, sensitive, report };
}

/** The fingerprint, for tests that want the real one. */
export { planFingerprint };
