/**
 * apply-gate: may `terraform apply` run for this pull request? Gathers the facts from GitHub (and the
 * fingerprint of the plan to apply), asks the pure decision function, writes outputs and the job summary, and
 * fails the step when the answer is no (unless fail-on-deny is false). A gate that cannot decide refuses.
 */
import { spawnRunner, type CommandRunner } from '../../common/command.js';
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import { decideApproval } from '../../github/approval.js';
import { gatherApprovalFacts } from '../../github/approval-facts.js';
import { renderApprovalReport } from '../../github/approval-report.js';
import { createGitHubClient, type GitHubClient } from '../../github/client.js';
import { PLAN_COMMENT_KIND } from '../../github/comments.js';
import { readRunContext } from '../../github/context.js';
import { resolvePullRequest } from '../../github/pulls.js';
import { planFingerprint } from '../../terraform/fingerprint.js';
import { loadPlan } from '../../terraform/source.js';
import { parseInputs } from './inputs.js';

export interface ApplyGateDeps {
  env: NodeJS.ProcessEnv;
  runner: CommandRunner;
  createClient(token: string, baseUrl: string, io: ActionIO): GitHubClient;
}

export const defaultDeps = (): ApplyGateDeps => ({
  env: process.env,
  runner: spawnRunner,
  createClient: (token, baseUrl, io) => createGitHubClient({ token, baseUrl, log: io }),
});

export async function run(io: ActionIO, deps: ApplyGateDeps = defaultDeps()): Promise<void> {
  // Until a decision is made, the answer is no: a step that fails half-way never reads as allowed.
  io.setOutput('allowed', 'false');
  const inputs = parseInputs(io);
  const context = readRunContext(deps.env);
  const client = deps.createClient(inputs.githubToken, context.apiUrl, io);
  const pr = await resolvePullRequest(client, context, inputs.pullRequest);
  if (!pr) {
    throw new ActionError(
      `No pull request to evaluate for this ${context.eventName || 'run'} event: set 'pull-request' (e.g. from a workflow_dispatch input), or run on pull_request_review, pull_request, issue_comment or the push of a merge commit.`,
    );
  }
  let fingerprint: string | undefined;
  if (inputs.plan) {
    const loaded = await loadPlan(inputs.plan, inputs.workingDirectory, deps.runner);
    for (const warning of loaded.warnings) io.warning(warning);
    fingerprint = planFingerprint(loaded.plan);
    io.setOutput('fingerprint', fingerprint);
    io.info(`Plan to apply (${loaded.origin}): ${fingerprint}`);
  }
  const facts = await gatherApprovalFacts(
    client,
    {
      repo: context.repo,
      pullNumber: pr.number,
      rules: inputs.rules,
      ...(fingerprint
        ? {
            plan: {
              label: inputs.label,
              fingerprint,
              trustedAuthors: inputs.trustedCommentAuthors,
              kind: PLAN_COMMENT_KIND,
            },
          }
        : {}),
    },
    io,
  );
  const decision = decideApproval(facts, inputs.rules);
  const approvedFingerprint = facts.plan?.comment?.fingerprint;
  io.setOutput('reasons', JSON.stringify(decision.reasons));
  io.setOutput('approvers', JSON.stringify(decision.approvers));
  io.setOutput('approved-fingerprint', approvedFingerprint ?? '');
  await io.appendSummary(
    renderApprovalReport(decision, {
      pullNumber: pr.number,
      ...(fingerprint ? { label: inputs.label, fingerprint } : {}),
      ...(approvedFingerprint ? { approvedFingerprint } : {}),
    }),
  );
  for (const rule of decision.rules)
    io.info(`${rule.held ? 'held  ' : 'FAILED'} ${rule.title}: ${rule.details.join('; ')}`);
  if (decision.allowed) {
    io.setOutput('allowed', 'true');
    io.info(
      `Apply allowed for #${pr.number}: approved by ${decision.approvers.join(', ') || '(no approval required)'}.`,
    );
    if (
      inputs.rules.requiredApprovals === 0 &&
      inputs.rules.requiredReviewers.length === 0 &&
      !inputs.rules.requireCodeOwners
    ) {
      io.warning(
        'apply-gate requires no approval (required-approvals: 0, no required reviewers or code owners).',
      );
    }
    return;
  }
  const message = `Apply refused for #${pr.number}: ${decision.reasons.join('; ')}`;
  if (inputs.failOnDeny) throw new ActionError(message);
  io.warning(message);
}
