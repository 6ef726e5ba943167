/**
 * plan-comment: read the plan, render the report, write outputs and the job summary, and keep one sticky comment
 * per label on the pull request. Everything that decides something lives in src/terraform and src/github.
 */
import { spawnRunner, type CommandRunner } from '../../common/command.js';
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import { createGitHubClient, type GitHubClient } from '../../github/client.js';
import { formatMarker, PLAN_COMMENT_KIND } from '../../github/comments.js';
import { headSha, readRunContext, runUrl } from '../../github/context.js';
import { commentActionFor, syncPlanComment } from '../../github/plan-comment.js';
import { buildPlanReports } from '../../terraform/pipeline.js';
import { loadPlan } from '../../terraform/source.js';
import { parseInputs } from './inputs.js';
import { planOutputs } from './outputs.js';

export interface PlanCommentDeps {
  env: NodeJS.ProcessEnv;
  runner: CommandRunner;
  createClient(token: string, baseUrl: string, io: ActionIO): GitHubClient;
  now(): Date;
}

export const defaultDeps = (): PlanCommentDeps => ({
  env: process.env,
  runner: spawnRunner,
  createClient: (token, baseUrl, io) => createGitHubClient({ token, baseUrl, log: io }),
  now: () => new Date(),
});

export async function run(io: ActionIO, deps: PlanCommentDeps = defaultDeps()): Promise<void> {
  const inputs = parseInputs(io);
  const context = readRunContext(deps.env);
  const loaded = await loadPlan(inputs.plan, inputs.workingDirectory, deps.runner);
  for (const warning of loaded.warnings) io.warning(warning);
  const link = runUrl(context);
  const applied = inputs.status === 'planned' ? undefined : { outcome: inputs.status, at: deps.now() };
  const reports = await buildPlanReports(loaded.plan, {
    context: {
      ...(inputs.title !== undefined ? { label: inputs.title } : {}),
      commitSha: headSha(context),
      ...(link ? { runUrl: link } : {}),
      ...(inputs.detailsUrl ? { detailsUrl: inputs.detailsUrl } : {}),
      ...(applied
        ? { applyStatus: { ...applied, commitSha: context.sha, ...(link ? { runUrl: link } : {}) } }
        : {}),
    },
    commentMaxLength: inputs.maxLength,
    marker: (fingerprint) => formatMarker({ kind: PLAN_COMMENT_KIND, label: inputs.label, fingerprint }),
    summary: inputs.jobSummary,
  });
  const { model, comment } = reports;
  for (const secret of reports.sensitive.secretsForLog()) io.setSecret(secret);
  const outputs = planOutputs(model, reports.fingerprint);
  const name = inputs.title ?? 'the workspace root';
  io.info(`Plan for ${name} (${loaded.origin}, ${loaded.bytes} bytes): ${outputs['summary']}`);
  for (const [output, value] of Object.entries(outputs)) io.setOutput(output, value);
  if (model.hasDestroy)
    io.warning(
      `${name}: ${outputs['summary']}. Review the destroy warnings in the plan comment before approving.`,
    );
  if (reports.summary) await io.appendSummary(reports.summary.markdown + '\n');

  let posted;
  if (inputs.mode === 'off') io.info("mode is 'off': no pull request comment.");
  else {
    posted = await syncPlanComment(
      deps.createClient(inputs.githubToken, context.apiUrl, io),
      {
        context,
        pullRequest: inputs.pullRequest,
        label: inputs.label,
        commentAuthor: inputs.commentAuthor,
        mode: inputs.mode,
        action: commentActionFor(model, inputs.onNoChanges),
        body: comment.markdown,
      },
      io,
    );
  }
  if (posted && comment.omissions.length > 0)
    io.info(`The comment was shortened (${comment.level}): ${comment.omissions.join('; ')}.`);
  io.setOutput('comment-id', posted?.id ?? '');
  io.setOutput('comment-url', posted?.url ?? '');
  if (model.errored) {
    throw new ActionError(
      `The plan for ${name} errored: Terraform could not plan every change, so it must not be applied. See the plan step's log for the errors.`,
    );
  }
}
