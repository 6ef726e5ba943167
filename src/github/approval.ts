/**
 * The apply-gate decision: a pure function of facts gathered from GitHub, so every rule can be tested alone.
 *
 * Each reviewer's latest decisive review is what counts (APPROVED, CHANGES_REQUESTED, DISMISSED; a COMMENTED
 * review does not undo an approval). An approval counts only if it was given on the head commit (with
 * dismiss-stale), not by the author (unless allowed), before the merge (for a merged pull request), and after the
 * plan comment was last updated (when a plan is checked). Then each rule holds or fails with its reasons:
 * the pull request's state, changes requested, the number of approvals, required reviewers, code owners, and
 * the plan: a comment by a trusted author whose fingerprint is the fingerprint of the plan being applied.
 */
import { ownersOf, type CodeOwners, CODEOWNERS_LOCATIONS } from './codeowners.js';

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING' | string;

export interface Review {
  id: number;
  login: string;
  state: ReviewState;
  commitId: string | null;
  submittedAt: string | null;
}

export type ReviewerRequirement =
  { kind: 'user'; login: string } | { kind: 'team'; org: string; slug: string };

export interface ApprovalRules {
  requiredApprovals: number;
  requiredReviewers: ReviewerRequirement[];
  requireCodeOwners: boolean;
  dismissStale: boolean;
  allowAuthorApproval: boolean;
  blockOnChangesRequested: boolean;
}

export interface PlanCommentFact {
  id: number;
  url: string;
  author: string;
  fingerprint: string | undefined;
  updatedAt: string;
}

export interface PlanFacts {
  label: string;
  /** Fingerprint of the plan about to be applied. */
  fingerprint: string;
  /** The label's plan comment by a trusted author, if any (the newest if several). */
  comment: PlanCommentFact | undefined;
  /** Comments carrying the label's marker whose authors are not trusted: ignored. */
  ignored: { id: number; author: string }[];
  trustedAuthors: string[];
}

export interface PullRequestFacts {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | null;
  draft: boolean;
  author: string;
  headSha: string;
}

export interface ApprovalFacts {
  pr: PullRequestFacts;
  reviews: Review[];
  /** Members of the teams that matter (`org/slug` lower case → lower-case logins), among the approvers. */
  teamMembers: Map<string, Set<string>>;
  /** Changed files; needed only when code owners are required. */
  changedFiles?: string[];
  /** The repository's CODEOWNERS (null: none found); needed only when code owners are required. */
  codeOwners?: CodeOwners | null;
  plan?: PlanFacts;
}

export interface RuleResult {
  id: 'pull-request' | 'changes-requested' | 'approvals' | 'required-reviewers' | 'code-owners' | 'plan';
  title: string;
  held: boolean;
  details: string[];
}

export interface ReviewVerdict {
  login: string;
  state: ReviewState;
  commitId: string | null;
  submittedAt: string | null;
  counted: boolean;
  /** Why an approval does not count, or what a non-approval means. */
  note: string;
}

export interface ApprovalDecision {
  allowed: boolean;
  /** Every failed rule's reasons, in rule order. */
  reasons: string[];
  /** Logins whose approvals count. */
  approvers: string[];
  rules: RuleResult[];
  reviews: ReviewVerdict[];
}

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/** `@org/team` or `org/team` → team; `@user` or `user` → user. */
export function parseReviewerRequirement(entry: string): ReviewerRequirement | undefined {
  const text = entry.trim().replace(/^@/, '');
  const team = /^([A-Za-z0-9-]+)\/([A-Za-z0-9_.-]+)$/.exec(text);
  if (team) return { kind: 'team', org: team[1]!, slug: team[2]! };
  if (/^[A-Za-z0-9-]+(\[bot\])?$/.test(text)) return { kind: 'user', login: text };
  return undefined;
}

export function describeRequirement(r: ReviewerRequirement): string {
  return r.kind === 'user' ? `@${r.login}` : `@${r.org}/${r.slug}`;
}

export function teamKey(org: string, slug: string): string {
  return `${org}/${slug}`.toLowerCase();
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 7) : '(none)';
}

function byTime(a: Review, b: Review): number {
  const ta = a.submittedAt ?? '';
  const tb = b.submittedAt ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : a.id - b.id;
}

/** Each reviewer's latest decisive review (reviews after a merge do not count for the merged state). */
export function latestDecisiveReviews(reviews: Review[], mergedAt: string | null = null): Review[] {
  const latest = new Map<string, Review>();
  for (const review of [...reviews].sort(byTime)) {
    if (!DECISIVE.has(review.state)) continue;
    if (mergedAt && review.submittedAt && review.submittedAt > mergedAt) continue;
    latest.set(review.login.toLowerCase(), review);
  }
  return [...latest.values()].sort(byTime);
}

function isTeamMember(facts: ApprovalFacts, org: string, slug: string, login: string): boolean {
  return facts.teamMembers.get(teamKey(org, slug))?.has(login.toLowerCase()) ?? false;
}

/** True when `login` satisfies an owner or reviewer entry: the user itself, or a member of the team. */
function satisfies(facts: ApprovalFacts, owner: string, login: string): boolean {
  const requirement = parseReviewerRequirement(owner);
  if (!requirement) return false; // an email owner cannot be matched to a login
  if (requirement.kind === 'user') return requirement.login.toLowerCase() === login.toLowerCase();
  return isTeamMember(facts, requirement.org, requirement.slug, login);
}

export function decideApproval(facts: ApprovalFacts, rules: ApprovalRules): ApprovalDecision {
  const { pr } = facts;
  const verdicts: ReviewVerdict[] = [];
  const approvers: string[] = [];
  const blocking: Review[] = [];
  const comment = facts.plan?.comment;

  for (const review of latestDecisiveReviews(facts.reviews, pr.merged ? pr.mergedAt : null)) {
    const verdict: ReviewVerdict = {
      login: review.login,
      state: review.state,
      commitId: review.commitId,
      submittedAt: review.submittedAt,
      counted: false,
      note: '',
    };
    if (review.state === 'CHANGES_REQUESTED') {
      verdict.note = rules.blockOnChangesRequested
        ? 'requests changes: blocks'
        : 'requests changes (not blocking: block-on-changes-requested is false)';
      if (rules.blockOnChangesRequested) blocking.push(review);
    } else if (review.state === 'DISMISSED') {
      verdict.note = 'dismissed: does not count';
    } else if (!rules.allowAuthorApproval && review.login.toLowerCase() === pr.author.toLowerCase()) {
      verdict.note = "is the pull request's author: does not count";
    } else if (rules.dismissStale && review.commitId !== pr.headSha) {
      verdict.note = `approved commit ${short(review.commitId)}, not the head ${short(pr.headSha)}: stale`;
    } else if (comment && !(review.submittedAt && review.submittedAt > comment.updatedAt)) {
      verdict.note = `approved at ${review.submittedAt ?? '(unknown)'}, before the plan comment was last updated (${comment.updatedAt}): does not approve the current plan`;
    } else {
      verdict.counted = true;
      verdict.note = 'counts';
      approvers.push(review.login);
    }
    verdicts.push(verdict);
  }

  const results: RuleResult[] = [];

  // the pull request itself
  const stateDetails: string[] = [];
  if (pr.state === 'closed' && !pr.merged)
    stateDetails.push(`pull request #${pr.number} was closed without merging`);
  if (pr.draft) stateDetails.push(`pull request #${pr.number} is a draft`);
  results.push({
    id: 'pull-request',
    title: 'The pull request is open and ready (or merged)',
    held: stateDetails.length === 0,
    details: stateDetails.length
      ? stateDetails
      : [`#${pr.number} is ${pr.merged ? 'merged' : 'open'}, head ${short(pr.headSha)}`],
  });

  if (rules.blockOnChangesRequested) {
    results.push({
      id: 'changes-requested',
      title: 'No reviewer requests changes',
      held: blocking.length === 0,
      details: blocking.length
        ? blocking.map(
            (r) => `@${r.login} requests changes (review on ${short(r.commitId)} at ${r.submittedAt ?? '?'})`,
          )
        : ['no reviewer requests changes'],
    });
  }

  const counted = approvers.length;
  results.push({
    id: 'approvals',
    title: `At least ${rules.requiredApprovals} approval${rules.requiredApprovals === 1 ? '' : 's'}`,
    held: counted >= rules.requiredApprovals,
    details: [
      counted >= rules.requiredApprovals
        ? `${counted} approval${counted === 1 ? '' : 's'} count: ${approvers.map((a) => `@${a}`).join(', ') || '(none needed)'}`
        : `${counted} of ${rules.requiredApprovals} required approvals count${approvers.length ? ` (${approvers.map((a) => `@${a}`).join(', ')})` : ''}` +
          uncountedSummary(verdicts),
    ],
  });

  if (rules.requiredReviewers.length > 0) {
    const missing = rules.requiredReviewers.filter(
      (r) => !approvers.some((login) => satisfies(facts, describeRequirement(r), login)),
    );
    results.push({
      id: 'required-reviewers',
      title: `An approval from each of ${rules.requiredReviewers.map(describeRequirement).join(', ')}`,
      held: missing.length === 0,
      details: missing.length
        ? missing.map((r) =>
            r.kind === 'team'
              ? `no counted approval from a member of ${describeRequirement(r)}`
              : `no counted approval from ${describeRequirement(r)}`,
          )
        : ['every required reviewer approved'],
    });
  }

  if (rules.requireCodeOwners) results.push(codeOwnersRule(facts, approvers));
  if (facts.plan) results.push(planRule(facts.plan));

  const failed = results.filter((r) => !r.held);
  return {
    allowed: failed.length === 0,
    reasons: failed.flatMap((r) => r.details),
    approvers,
    rules: results,
    reviews: verdicts,
  };
}

function uncountedSummary(verdicts: ReviewVerdict[]): string {
  const uncounted = verdicts.filter((v) => v.state === 'APPROVED' && !v.counted);
  if (uncounted.length === 0) return '';
  return `; not counted: ${uncounted.map((v) => `@${v.login} ${v.note.replace(/: (does not count|stale|does not approve the current plan)$/, '')}`).join('; ')}`;
}

function codeOwnersRule(facts: ApprovalFacts, approvers: string[]): RuleResult {
  const title = 'Every changed file is approved by one of its code owners';
  if (!facts.codeOwners) {
    return {
      id: 'code-owners',
      title,
      held: false,
      details: [`no CODEOWNERS file was found (looked in ${CODEOWNERS_LOCATIONS.join(', ')})`],
    };
  }
  const unapproved: string[] = [];
  for (const file of facts.changedFiles ?? []) {
    const { owners, rule } = ownersOf(facts.codeOwners, file);
    if (owners.length === 0) continue;
    if (!approvers.some((login) => owners.some((owner) => satisfies(facts, owner, login)))) {
      unapproved.push(
        `${file} needs an approval from ${owners.join(' or ')} (${facts.codeOwners.path} line ${rule!.line})`,
      );
    }
  }
  const shown = unapproved.slice(0, 20);
  if (unapproved.length > shown.length) shown.push(`… and ${unapproved.length - shown.length} more files`);
  return {
    id: 'code-owners',
    title,
    held: unapproved.length === 0,
    details: unapproved.length
      ? shown
      : [`${facts.changedFiles?.length ?? 0} changed files, each approved by a code owner or unowned`],
  };
}

function planRule(plan: PlanFacts): RuleResult {
  const title = `The plan being applied is the approved plan for ${plan.label}`;
  const details: string[] = [];
  const ignored = plan.ignored.length
    ? ` (ignored ${plan.ignored.length} comment${plan.ignored.length === 1 ? '' : 's'} with the marker by untrusted author${plan.ignored.length === 1 ? '' : 's'}: ${[...new Set(plan.ignored.map((c) => `@${c.author}`))].join(', ')})`
    : '';
  if (!plan.comment) {
    details.push(
      `no plan comment for ${plan.label} by a trusted author (${plan.trustedAuthors.join(', ')})${ignored}`,
    );
  } else if (!plan.comment.fingerprint) {
    details.push(`the plan comment ${plan.comment.url} records no fingerprint`);
  } else if (plan.comment.fingerprint !== plan.fingerprint) {
    details.push(
      `the plan being applied (${plan.fingerprint}) is not the plan in the approved comment (${plan.comment.fingerprint}): plan again and have it reviewed`,
    );
  }
  return {
    id: 'plan',
    title,
    held: details.length === 0,
    details: details.length
      ? details
      : [`fingerprint ${plan.fingerprint} matches ${plan.comment!.url}${ignored}`],
  };
}
