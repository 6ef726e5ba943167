/**
 * plan-comment: read the plan, render the report, write outputs and the job summary, and keep one sticky comment
 * per label on the pull request. Everything that decides something lives in src/terraform and src/github.
 */
import { spawnRunner, type CommandRunner } from '../../common/command.js';
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import { createGitHubClient, httpStatus, type GitHubClient } from '../../github/client.js';
import {
  deleteStickyComments,
  formatMarker,
  listComments,
  matchingComments,
  upsertStickyComment,
} from '../../github/comments.js';
import { headSha, readRunContext, runUrl, type RunContext } from '../../github/context.js';
import { resolveTokenIdentity } from '../../github/identity.js';
import { resolvePullRequest } from '../../github/pulls.js';
import { summaryLine, type PlanModel } from '../../terraform/changes.js';
import { buildPlanReports } from '../../terraform/pipeline.js';
import type { ReportContext } from '../../terraform/render.js';
import { loadPlan } from '../../terraform/source.js';
import { parseInputs, type PlanCommentInputs } from './inputs.js';

export const COMMENT_KIND = 'plan-comment';

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
  const reportContext: Omit<ReportContext, 'fingerprint' | 'marker'> = {
    label: inputs.label,
    commitSha: headSha(context),
  };
  const link = runUrl(context);
  if (link) reportContext.runUrl = link;
  if (inputs.detailsUrl) reportContext.detailsUrl = inputs.detailsUrl;
  if (inputs.status !== 'planned') {
    reportContext.applyStatus = { outcome: inputs.status, at: deps.now(), commitSha: context.sha };
    if (link) reportContext.applyStatus.runUrl = link;
  }
  const reports = await buildPlanReports(loaded.plan, {
    context: reportContext,
    commentMaxLength: inputs.maxLength,
    marker: (fingerprint) => formatMarker({ kind: COMMENT_KIND, label: inputs.label, fingerprint }),
    summary: inputs.jobSummary,
  });
  const { model, sensitive, fingerprint } = reports;
  for (const secret of sensitive.secretsForLog()) io.setSecret(secret);
  const summary = summaryLine(model);
  io.info(`Plan for ${inputs.label} (${loaded.origin}, ${loaded.bytes} bytes): ${summary}`);

  writeOutputs(io, model, fingerprint, summary);
  if (model.hasDestroy) {
    io.warning(
      `${inputs.label}: ${summary}. Review the destroy warnings in the plan comment before approving.`,
    );
  }
  if (reports.summary) await io.appendSummary(reports.summary.markdown + '\n');

  const comment = await syncComment(io, deps, inputs, context, model, () => {
    if (reports.comment.omissions.length > 0) {
      io.info(
        `The comment was shortened (${reports.comment.level}): ${reports.comment.omissions.join('; ')}.`,
      );
    }
    return reports.comment.markdown;
  });
  io.setOutput('comment-id', comment?.id ?? '');
  io.setOutput('comment-url', comment?.url ?? '');

  if (model.errored) {
    throw new ActionError(
      `The plan for ${inputs.label} errored: Terraform could not plan every change, so it must not be applied. See the plan step's log for the errors.`,
    );
  }
}

function writeOutputs(io: ActionIO, model: PlanModel, fingerprint: string, summary: string): void {
  const c = model.counts;
  io.setOutput('to-add', String(c.add));
  io.setOutput('to-change', String(c.change));
  io.setOutput('to-destroy', String(c.destroy));
  io.setOutput('to-replace', String(c.replace));
  io.setOutput('to-import', String(c.import));
  io.setOutput('to-move', String(c.move));
  io.setOutput('to-forget', String(c.forget));
  io.setOutput('has-changes', String(model.hasChanges));
  io.setOutput('has-destroy', String(model.hasDestroy));
  io.setOutput('errored', String(model.errored));
  io.setOutput('fingerprint', fingerprint);
  io.setOutput('summary', summary);
}

interface CommentRef {
  id: string;
  url: string;
}

/** Create, update, recreate or delete this label's comment, as the inputs and the plan say. */
async function syncComment(
  io: ActionIO,
  deps: PlanCommentDeps,
  inputs: PlanCommentInputs,
  context: RunContext,
  model: PlanModel,
  renderBody: () => string,
): Promise<CommentRef | undefined> {
  if (inputs.mode === 'off') {
    io.info("mode is 'off': no pull request comment.");
    return undefined;
  }
  const client = deps.createClient(inputs.githubToken, context.apiUrl, io);
  const quiet = !model.hasChanges && !model.errored;
  let prNumber: number | undefined;
  try {
    const pr = await resolvePullRequest(client, context, inputs.pullRequest);
    if (!pr) {
      io.notice(
        `No pull request for this ${context.eventName || 'run'} event (set 'pull-request' to choose one): the plan is in the job summary and outputs only.`,
      );
      return undefined;
    }
    prNumber = pr.number;
    const target = { ...context.repo, issueNumber: pr.number };
    const identity = await resolveTokenIdentity(client, inputs.commentAuthor);
    io.debug(
      `Pull request #${pr.number} (from ${pr.source}); our comments are by ${identity.login} (${identity.source}).`,
    );
    if (quiet && inputs.onNoChanges === 'delete') {
      const removed = await deleteStickyComments(client, target, COMMENT_KIND, inputs.label, identity.login);
      io.info(`No changes: removed ${removed} plan comment(s) for ${inputs.label} on #${pr.number}.`);
      return undefined;
    }
    if (quiet && inputs.onNoChanges === 'silent') {
      // Post nothing new, but never leave an older comment that shows changes no longer planned.
      const existing = matchingComments(
        await listComments(client, target),
        COMMENT_KIND,
        inputs.label,
        identity.login,
      );
      if (existing.length === 0) {
        io.info(`No changes: no comment posted for ${inputs.label} (on-no-changes: silent).`);
        return undefined;
      }
    }
    const result = await upsertStickyComment(client, {
      target,
      kind: COMMENT_KIND,
      label: inputs.label,
      author: identity.login,
      body: renderBody(),
      mode: inputs.mode,
    });
    io.info(`Plan comment ${result.action} on #${pr.number}: ${result.url}`);
    if (result.removed > 0)
      io.info(`Removed ${result.removed} duplicate plan comment(s) for ${inputs.label}.`);
    return { id: String(result.id), url: result.url };
  } catch (error) {
    if (httpStatus(error) === 403) {
      io.warning(
        `The token cannot write comments on ${prNumber ? `#${prNumber}` : 'this pull request'} (403: ${error instanceof Error ? error.message : 'forbidden'}). ` +
          'Pull requests from forks get a read-only GITHUB_TOKEN; the plan is in the job summary. ' +
          'To comment on same-repository pull requests, grant `permissions: pull-requests: write`.',
      );
      return undefined;
    }
    if (httpStatus(error) === 404 && prNumber !== undefined) {
      throw new ActionError(
        `Pull request #${prNumber} was not found in ${context.repo.owner}/${context.repo.repo} (404), or the token cannot see it` +
          (inputs.pullRequest !== undefined ? ": check the 'pull-request' input." : '.'),
      );
    }
    throw error;
  }
}
