/**
 * Which pull request a run is about: from the input, from the event, or on push the pull request that holds the
 * commit (the merged one for a merge commit, else an open one whose head it is).
 */
import type { GitHubClient } from './client.js';
import type { RunContext } from './context.js';

export interface PullRequestRef {
  number: number;
  /** How it was found, for the log. */
  source: 'input' | 'event' | 'commit';
}

const PR_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

/** The PR number the event carries, without any API call; undefined when the event has none. */
export function pullRequestFromEvent(context: RunContext): number | undefined {
  if (PR_EVENTS.has(context.eventName)) {
    const pr = context.payload['pull_request'] as { number?: unknown } | undefined;
    if (typeof pr?.number === 'number') return pr.number;
  }
  if (context.eventName === 'issue_comment') {
    const issue = context.payload['issue'] as { number?: unknown; pull_request?: unknown } | undefined;
    if (issue?.pull_request && typeof issue.number === 'number') return issue.number;
  }
  return undefined;
}

export async function resolvePullRequest(
  client: GitHubClient,
  context: RunContext,
  explicit: number | undefined,
): Promise<PullRequestRef | undefined> {
  if (explicit !== undefined) return { number: explicit, source: 'input' };
  const fromEvent = pullRequestFromEvent(context);
  if (fromEvent !== undefined) return { number: fromEvent, source: 'event' };
  if (context.eventName === 'push' && context.sha) {
    const pulls = await client.paginate(client.rest.repos.listPullRequestsAssociatedWithCommit, {
      ...context.repo,
      commit_sha: context.sha,
      per_page: 100,
    });
    // a merge commit pushed to the base branch belongs to the pull request it merged
    const merged = pulls.find((p) => p.merged_at && p.merge_commit_sha === context.sha);
    const open = pulls.filter((p) => p.state === 'open');
    const match = merged ?? open.find((p) => p.head.sha === context.sha) ?? open[0];
    if (match) return { number: match.number, source: 'commit' };
  }
  return undefined;
}
