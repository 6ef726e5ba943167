/**
 * Gathering the facts the apply-gate decision needs, from GitHub: the pull request, all its reviews, the plan
 * comment for a label, changed files and CODEOWNERS (when code owners are required), and team memberships of the
 * approvers. Every list is read to its last page.
 */
import { ActionError } from '../common/errors.js';
import {
  parseReviewerRequirement,
  teamKey,
  type ApprovalFacts,
  type ApprovalRules,
  type PlanFacts,
  type PullRequestFacts,
  type Review,
} from './approval.js';
import { httpStatus, type GitHubClient } from './client.js';
import { CODEOWNERS_LOCATIONS, ownersOf, parseCodeOwners, type CodeOwners } from './codeowners.js';
import { listComments, parseMarker } from './comments.js';
import type { RepoRef } from './context.js';
import { sameLogin } from './identity.js';

export interface PlanCheck {
  label: string;
  fingerprint: string;
  trustedAuthors: string[];
  /** The marker kind of plan comments. */
  kind: string;
}

export interface GatherRequest {
  repo: RepoRef;
  pullNumber: number;
  rules: ApprovalRules;
  plan?: PlanCheck;
}

export interface GatherLog {
  debug(message: string): void;
  warning(message: string): void;
}

export async function gatherApprovalFacts(
  client: GitHubClient,
  request: GatherRequest,
  log: GatherLog,
): Promise<ApprovalFacts> {
  const { repo, pullNumber, rules } = request;
  const pull = await getPull(client, repo, pullNumber);
  const pr: PullRequestFacts = {
    number: pull.number,
    state: pull.state === 'closed' ? 'closed' : 'open',
    merged: pull.merged === true || Boolean(pull.merged_at),
    mergedAt: pull.merged_at ?? null,
    draft: pull.draft === true,
    author: pull.user?.login ?? '',
    headSha: pull.head.sha,
  };
  const reviews: Review[] = (
    await client.paginate(client.rest.pulls.listReviews, { ...repo, pull_number: pullNumber, per_page: 100 })
  ).map((r) => ({
    id: r.id,
    login: r.user?.login ?? '(deleted user)',
    state: r.state,
    commitId: r.commit_id ?? null,
    submittedAt: r.submitted_at ?? null,
  }));
  log.debug(`#${pullNumber}: ${reviews.length} reviews, head ${pr.headSha}, author ${pr.author}`);

  const facts: ApprovalFacts = { pr, reviews, teamMembers: new Map() };
  const teams = new Set<string>();
  for (const requirement of rules.requiredReviewers) {
    if (requirement.kind === 'team') teams.add(teamKey(requirement.org, requirement.slug));
  }
  if (rules.requireCodeOwners) {
    const files = await client.paginate(client.rest.pulls.listFiles, {
      ...repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    // a renamed file needs its old path's owners too: ownership moves with the change
    facts.changedFiles = [
      ...new Set(
        files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])),
      ),
    ];
    facts.codeOwners = await readCodeOwners(client, repo, pull.base.ref, log);
    if (facts.codeOwners) {
      for (const file of facts.changedFiles) {
        for (const owner of ownersOf(facts.codeOwners, file).owners) {
          const requirement = parseReviewerRequirement(owner);
          if (requirement?.kind === 'team') teams.add(teamKey(requirement.org, requirement.slug));
        }
      }
    }
  }
  if (teams.size > 0) {
    const candidates = new Set(
      reviews.filter((r) => r.state === 'APPROVED').map((r) => r.login.toLowerCase()),
    );
    for (const team of teams) facts.teamMembers.set(team, await membersAmong(client, team, [...candidates]));
  }
  if (request.plan) facts.plan = await findPlanComment(client, repo, pullNumber, request.plan);
  return facts;
}

async function getPull(client: GitHubClient, repo: RepoRef, pullNumber: number) {
  try {
    return (await client.rest.pulls.get({ ...repo, pull_number: pullNumber })).data;
  } catch (error) {
    if (httpStatus(error) === 404) {
      throw new ActionError(
        `Pull request #${pullNumber} was not found in ${repo.owner}/${repo.repo} (404), or the token cannot see it.`,
      );
    }
    throw error;
  }
}

/** The first CODEOWNERS GitHub would use, read from the base branch; null when there is none. */
export async function readCodeOwners(
  client: GitHubClient,
  repo: RepoRef,
  ref: string,
  log: GatherLog,
): Promise<CodeOwners | null> {
  for (const path of CODEOWNERS_LOCATIONS) {
    try {
      const { data } = await client.rest.repos.getContent({ ...repo, path, ref });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) continue;
      const codeOwners = parseCodeOwners(Buffer.from(data.content, 'base64').toString('utf8'), path);
      for (const e of codeOwners.errors)
        log.warning(`${path} line ${e.line} is ignored, as GitHub ignores it: ${e.reason}`);
      return codeOwners;
    } catch (error) {
      if (httpStatus(error) === 404) continue;
      throw error;
    }
  }
  return null;
}

async function membersAmong(client: GitHubClient, team: string, logins: string[]): Promise<Set<string>> {
  const [org, slug] = team.split('/') as [string, string];
  const members = new Set<string>();
  for (const login of logins) {
    try {
      const { data } = await client.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: login,
      });
      if (data.state === 'active') members.add(login);
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404) continue;
      if (status === 403 || status === 401) {
        throw new ActionError(
          `Cannot check membership of @${team} (${status}): the token needs to read team membership (a GitHub App with "Members: read", or a personal access token with read:org). The workflow's GITHUB_TOKEN cannot.`,
        );
      }
      throw error;
    }
  }
  return members;
}

async function findPlanComment(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
  plan: PlanCheck,
): Promise<PlanFacts> {
  const comments = await listComments(client, { ...repo, issueNumber: pullNumber });
  let trusted: PlanFacts['comment'];
  const ignored: PlanFacts['ignored'] = [];
  for (const comment of comments) {
    const marker = parseMarker(comment.body);
    if (marker?.kind !== plan.kind || marker.label !== plan.label) continue;
    const author = comment.user?.login ?? '';
    if (!plan.trustedAuthors.some((t) => sameLogin(t, author))) {
      ignored.push({ id: comment.id, author });
      continue;
    }
    if (!trusted || comment.updated_at > trusted.updatedAt) {
      trusted = {
        id: comment.id,
        url: comment.html_url,
        author,
        fingerprint: marker['fingerprint'],
        updatedAt: comment.updated_at,
      };
    }
  }
  return {
    label: plan.label,
    fingerprint: plan.fingerprint,
    comment: trusted,
    ignored,
    trustedAuthors: plan.trustedAuthors,
  };
}
