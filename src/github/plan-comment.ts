/**
 * A plan's sticky comment on its pull request: what becomes of the label's comment for a plan (the on-no-changes
 * policy), what an API refusal means for the step (a fork's read-only token is not a failure; a pull request
 * that does not exist is), and the sync that finds the pull request and our identity and applies both.
 */
import { ActionError } from '../common/errors.js';
import { httpStatus, type GitHubClient } from './client.js';
import {
  deleteStickyComments,
  listComments,
  matchingComments,
  PLAN_COMMENT_KIND,
  upsertStickyComment,
} from './comments.js';
import type { RepoRef, RunContext } from './context.js';
import { resolveTokenIdentity } from './identity.js';
import { resolvePullRequest } from './pulls.js';

/** `on-no-changes`: what a plan without changes does to the label's comment. */
export const NO_CHANGES_POLICIES = ['comment', 'delete', 'silent'] as const;
export type NoChangesPolicy = (typeof NO_CHANGES_POLICIES)[number];

/**
 * What becomes of the label's comment:
 * - `write`: post the plan (create the comment, or edit or recreate the one there is);
 * - `delete`: remove the label's comments;
 * - `update-existing`: edit the comment if there is one (an older comment must never show changes that are no
 *   longer planned), post none new.
 */
export type CommentAction = 'write' | 'delete' | 'update-existing';

export interface PlanOutcome {
  hasChanges: boolean;
  errored: boolean;
}

/** The comment for a plan: a plan with changes, or one that errored, is always posted. */
export function commentActionFor(plan: PlanOutcome, onNoChanges: NoChangesPolicy): CommentAction {
  if (plan.hasChanges || plan.errored) return 'write';
  switch (onNoChanges) {
    case 'comment':
      return 'write';
    case 'delete':
      return 'delete';
    case 'silent':
      return 'update-existing';
  }
}

/** Where a comment failed, for the message. */
export interface CommentFailureContext {
  repo: RepoRef;
  /** The pull request, once it is known. */
  pullNumber: number | undefined;
  /** True when the `pull-request` input chose it (the message then points at the input). */
  fromInput: boolean;
}

/**
 * What an API error while commenting means for the step:
 * - `skip`: warn and go on without a comment (403: the token may not write, as a fork's GITHUB_TOKEN);
 * - `fail`: fail the step with this message (404 on a known pull request: it does not exist, or is hidden);
 * - undefined: not an error this knows; the caller rethrows it as it is.
 */
export type CommentFailure = { outcome: 'skip'; warning: string } | { outcome: 'fail'; message: string };

export function explainCommentFailure(
  error: unknown,
  where: CommentFailureContext,
): CommentFailure | undefined {
  const status = httpStatus(error);
  if (status === 403) {
    const detail = error instanceof Error ? error.message : 'forbidden';
    return {
      outcome: 'skip',
      warning:
        `The token cannot write comments on ${where.pullNumber !== undefined ? `#${where.pullNumber}` : 'this pull request'} (403: ${detail}). ` +
        'Pull requests from forks get a read-only GITHUB_TOKEN; the plan is in the job summary. ' +
        'To comment on same-repository pull requests, grant `permissions: pull-requests: write`.',
    };
  }
  if (status === 404 && where.pullNumber !== undefined) {
    return {
      outcome: 'fail',
      message:
        `Pull request #${where.pullNumber} was not found in ${where.repo.owner}/${where.repo.repo} (404), or the token cannot see it` +
        (where.fromInput ? ": check the 'pull-request' input." : '.'),
    };
  }
  return undefined;
}

export interface PlanCommentLog {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

export interface PlanCommentRequest {
  context: RunContext;
  /** The `pull-request` input; else the event's pull request, or on push the commit's. */
  pullRequest: number | undefined;
  label: string;
  /** Whose comments are ours, when the token cannot say (a GitHub App's bot login). */
  commentAuthor: string | undefined;
  mode: 'upsert' | 'recreate';
  action: CommentAction;
  body: string;
}

export interface PostedComment {
  id: string;
  url: string;
}

/** Apply `request.action` to the label's comment; the comment, when one was written. */
export async function syncPlanComment(
  client: GitHubClient,
  request: PlanCommentRequest,
  log: PlanCommentLog,
): Promise<PostedComment | undefined> {
  const { context, label } = request;
  let pullNumber: number | undefined;
  try {
    const pr = await resolvePullRequest(client, context, request.pullRequest);
    if (!pr) {
      log.notice(
        `No pull request for this ${context.eventName || 'run'} event (set 'pull-request' to choose one): the plan is in the job summary and outputs only.`,
      );
      return undefined;
    }
    pullNumber = pr.number;
    const target = { ...context.repo, issueNumber: pr.number };
    const identity = await resolveTokenIdentity(client, request.commentAuthor);
    log.debug(
      `Pull request #${pr.number} (from ${pr.source}); our comments are by ${identity.login} (${identity.source}).`,
    );
    if (request.action === 'delete') {
      const removed = await deleteStickyComments(client, target, PLAN_COMMENT_KIND, label, identity.login);
      log.info(`No changes: removed ${removed} plan comment(s) for ${label} on #${pr.number}.`);
      return undefined;
    }
    if (request.action === 'update-existing') {
      const comments = await listComments(client, target);
      if (matchingComments(comments, PLAN_COMMENT_KIND, label, identity.login).length === 0) {
        log.info(`No changes: no comment posted for ${label} (on-no-changes: silent).`);
        return undefined;
      }
    }
    const result = await upsertStickyComment(client, {
      target,
      kind: PLAN_COMMENT_KIND,
      label,
      author: identity.login,
      body: request.body,
      mode: request.mode,
    });
    log.info(`Plan comment ${result.action} on #${pr.number}: ${result.url}`);
    if (result.removed > 0) log.info(`Removed ${result.removed} duplicate plan comment(s) for ${label}.`);
    return { id: String(result.id), url: result.url };
  } catch (error) {
    const failure = explainCommentFailure(error, {
      repo: context.repo,
      pullNumber,
      fromInput: request.pullRequest !== undefined,
    });
    if (!failure) throw error;
    if (failure.outcome === 'fail') throw new ActionError(failure.message, { cause: error });
    log.warning(failure.warning);
    return undefined;
  }
}
