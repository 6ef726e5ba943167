/**
 * From a parsed plan to everything plan-comment writes: the model, the sensitive values, the fingerprint, the job
 * summary and the comment. Shared by the action and its benchmark, so the benchmark measures what runs.
 *
 * The fingerprint's key derivation (scrypt, tens of milliseconds when the plan holds secrets) runs on libuv's
 * thread pool while the reports render with a placeholder of the same length, which is then replaced: sizes
 * and budgets are unchanged by the swap.
 */
import { randomBytes } from 'node:crypto';
import { buildPlanModel, type PlanModel } from './model.js';
import { FINGERPRINT_PREFIX, planFingerprintAsync } from './fingerprint.js';
import type { RawPlan } from './plan.js';
import { renderPlanReport, type RenderedReport, type ReportContext } from './render.js';
import { collectSensitiveValues, type SensitiveValues } from './sensitive.js';

/** GitHub keeps at most 1 MiB of job summary per step. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 4096;

export interface PlanReportOptions {
  context: Omit<ReportContext, 'fingerprint' | 'marker'>;
  commentMaxLength: number;
  /** The comment's hidden first line, for a fingerprint. */
  marker(fingerprint: string): string;
  summary: boolean;
}

export interface PlanReports {
  model: PlanModel;
  sensitive: SensitiveValues;
  fingerprint: string;
  comment: RenderedReport;
  summary?: RenderedReport;
}

export async function buildPlanReports(plan: RawPlan, options: PlanReportOptions): Promise<PlanReports> {
  const sensitive = collectSensitiveValues(plan);
  const model = buildPlanModel(plan);
  const fingerprintReady = planFingerprintAsync(plan);
  const placeholder = FINGERPRINT_PREFIX + randomBytes(32).toString('hex');
  const context: ReportContext = { ...options.context, fingerprint: placeholder };
  const summary = options.summary
    ? renderPlanReport(model, sensitive, context, { maxLength: SUMMARY_LIMIT_BYTES, unit: 'bytes' })
    : undefined;
  const comment = renderPlanReport(
    model,
    sensitive,
    { ...context, marker: options.marker(placeholder) },
    { maxLength: options.commentMaxLength, unit: 'chars' },
  );
  const fingerprint = await fingerprintReady;
  const swap = (r: RenderedReport): RenderedReport => ({
    ...r,
    markdown: r.markdown.split(placeholder).join(fingerprint),
  });
  return {
    model,
    sensitive,
    fingerprint,
    comment: swap(comment),
    ...(summary ? { summary: swap(summary) } : {}),
  };
}
