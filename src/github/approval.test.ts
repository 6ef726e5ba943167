import { describe, expect, test } from '@jest/globals';
import {
  decideApproval,
  latestDecisiveReviews,
  parseReviewerRequirement,
  type ApprovalFacts,
  type ApprovalRules,
  type Review,
} from './approval.js';
import { parseCodeOwners } from './codeowners.js';

const HEAD = 'h'.repeat(40);
const OLD = 'o'.repeat(40);
const FP = 'sha256:' + 'a'.repeat(64);

const rules = (over: Partial<ApprovalRules> = {}): ApprovalRules => ({
  requiredApprovals: 1,
  requiredReviewers: [],
  requireCodeOwners: false,
  dismissStale: true,
  allowAuthorApproval: false,
  blockOnChangesRequested: true,
  ...over,
});

let nextId = 1;
const review = (login: string, state: Review['state'], at: string, commitId = HEAD): Review => ({
  id: nextId++,
  login,
  state,
  commitId,
  submittedAt: `2026-03-01T10:${at}Z`,
});

const facts = (reviews: Review[], over: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  pr: {
    number: 7,
    state: 'open',
    merged: false,
    mergedAt: null,
    draft: false,
    author: 'alice',
    headSha: HEAD,
  },
  reviews,
  teamMembers: new Map(),
  ...over,
});

const planFacts = (
  over: Partial<NonNullable<ApprovalFacts['plan']>> = {},
): NonNullable<ApprovalFacts['plan']> => ({
  label: 'us-east-1',
  fingerprint: FP,
  comment: {
    id: 1,
    url: 'https://github.com/o/r/pull/7#issuecomment-1',
    author: 'github-actions[bot]',
    fingerprint: FP,
    updatedAt: '2026-03-01T10:00:00Z',
  },
  ignored: [],
  trustedAuthors: ['github-actions[bot]'],
  ...over,
});

describe('bypass attempts are refused with the right reason', () => {
  test.each<[string, ApprovalFacts, Partial<ApprovalRules>, RegExp]>([
    [
      'a stale approval (pushed after approval)',
      facts([review('bob', 'APPROVED', '01:00', OLD)]),
      {},
      /0 of 1 required approvals count.*@bob approved commit ooooooo, not the head hhhhhhh/,
    ],
    [
      'the author approving their own pull request',
      facts([review('alice', 'APPROVED', '01:00')]),
      {},
      /0 of 1 .*@alice is the pull request's author/,
    ],
    [
      'an approval followed by changes requested from the same reviewer',
      facts([review('bob', 'APPROVED', '01:00'), review('bob', 'CHANGES_REQUESTED', '02:00')]),
      {},
      /@bob requests changes/,
    ],
    [
      'a dismissed approval',
      facts([review('bob', 'APPROVED', '01:00'), review('bob', 'DISMISSED', '02:00')]),
      {},
      /0 of 1 required approvals count/,
    ],
    [
      'an approval given before the plan comment was last updated',
      facts([review('bob', 'APPROVED', '00:00')], {
        plan: planFacts({ comment: { ...planFacts().comment!, updatedAt: '2026-03-01T10:05:00Z' } }),
      }),
      {},
      /@bob approved at .*, before the plan comment was last updated/,
    ],
    [
      'a plan whose fingerprint differs from the comment',
      facts([review('bob', 'APPROVED', '01:00')], {
        plan: planFacts({ fingerprint: 'sha256:' + 'b'.repeat(64) }),
      }),
      {},
      /the plan being applied \(sha256:b+\) is not the plan in the approved comment \(sha256:a+\)/,
    ],
    [
      'a plan comment forged by a human user that carries the marker',
      facts([review('bob', 'APPROVED', '01:00')], {
        plan: planFacts({ comment: undefined, ignored: [{ id: 9, author: 'mallory' }] }),
      }),
      {},
      /no plan comment for us-east-1 by a trusted author \(github-actions\[bot\]\) \(ignored 1 comment with the marker by untrusted author: @mallory\)/,
    ],
    [
      'a non-owner approving a file that needs its code owner',
      facts([review('bob', 'APPROVED', '01:00')], {
        changedFiles: ['infra/prod/main.tf', 'README.md'],
        codeOwners: parseCodeOwners('*.tf @carol\n', '.github/CODEOWNERS'),
      }),
      { requireCodeOwners: true },
      /infra\/prod\/main.tf needs an approval from @carol \(.github\/CODEOWNERS line 1\)/,
    ],
    [
      'an approver who is not in the required team',
      facts([review('bob', 'APPROVED', '01:00')], {
        teamMembers: new Map([['acme/platform', new Set(['carol'])]]),
      }),
      { requiredReviewers: [parseReviewerRequirement('@acme/platform')!] },
      /no counted approval from a member of @acme\/platform/,
    ],
    [
      'a draft pull request',
      facts([review('bob', 'APPROVED', '01:00')], { pr: { ...facts([]).pr, draft: true } }),
      {},
      /is a draft/,
    ],
    [
      'a pull request closed without merging',
      facts([review('bob', 'APPROVED', '01:00')], { pr: { ...facts([]).pr, state: 'closed' } }),
      {},
      /closed without merging/,
    ],
    [
      'an approval given after the merge',
      facts([review('bob', 'APPROVED', '09:00')], {
        pr: { ...facts([]).pr, state: 'closed', merged: true, mergedAt: '2026-03-01T10:05:00Z' },
      }),
      {},
      /0 of 1 required approvals count/,
    ],
    [
      'code owners required but no CODEOWNERS file',
      facts([review('bob', 'APPROVED', '01:00')], { changedFiles: ['a.tf'], codeOwners: null }),
      { requireCodeOwners: true },
      /no CODEOWNERS file was found/,
    ],
  ])('%s', (_, f, over, reason) => {
    const decision = decideApproval(f, rules(over));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons.join('\n')).toMatch(reason);
  });

  test('reviews on several pages are all considered: the latest decision wins', () => {
    const many: Review[] = [];
    for (let i = 0; i < 250; i++)
      many.push(review(`r${i % 5}`, 'COMMENTED', `00:${String(i % 60).padStart(2, '0')}`));
    many.push(review('bob', 'APPROVED', '30:00'));
    many.push(review('bob', 'CHANGES_REQUESTED', '31:00'));
    expect(decideApproval(facts(many), rules()).reasons.join()).toMatch(/@bob requests changes/);
  });
});

describe('honest paths are allowed', () => {
  test('one current approval from someone else', () => {
    const d = decideApproval(facts([review('bob', 'APPROVED', '01:00')]), rules());
    expect(d).toMatchObject({ allowed: true, approvers: ['bob'], reasons: [] });
  });

  test('a COMMENTED review after an approval does not undo it', () => {
    const d = decideApproval(
      facts([review('bob', 'APPROVED', '01:00'), review('bob', 'COMMENTED', '02:00')]),
      rules(),
    );
    expect(d.allowed).toBe(true);
  });

  test('changes requested, then approved by the same reviewer', () => {
    const d = decideApproval(
      facts([review('bob', 'CHANGES_REQUESTED', '01:00'), review('bob', 'APPROVED', '02:00')]),
      rules(),
    );
    expect(d.allowed).toBe(true);
  });

  test('a stale approval counts when dismiss-stale is off', () => {
    expect(
      decideApproval(facts([review('bob', 'APPROVED', '01:00', OLD)]), rules({ dismissStale: false }))
        .allowed,
    ).toBe(true);
  });

  test("the author's approval counts when allowed", () => {
    expect(
      decideApproval(facts([review('alice', 'APPROVED', '01:00')]), rules({ allowAuthorApproval: true }))
        .allowed,
    ).toBe(true);
  });

  test('changes requested do not block when block-on-changes-requested is off', () => {
    const d = decideApproval(
      facts([review('bob', 'APPROVED', '01:00'), review('carol', 'CHANGES_REQUESTED', '02:00')]),
      rules({ blockOnChangesRequested: false }),
    );
    expect(d.allowed).toBe(true);
  });

  test('two required approvals, required user and team, code owners and the plan all satisfied', () => {
    const f = facts([review('bob', 'APPROVED', '01:00'), review('carol', 'APPROVED', '02:00')], {
      teamMembers: new Map([
        ['acme/platform', new Set(['carol'])],
        ['acme/network', new Set(['carol'])],
      ]),
      changedFiles: ['modules/vpc/main.tf', 'envs/prod/main.tf', 'docs/notes.md'],
      codeOwners: parseCodeOwners('* @bob\n/modules/vpc/ @acme/network\ndocs/\n', '.github/CODEOWNERS'),
      plan: planFacts(),
    });
    const d = decideApproval(
      f,
      rules({
        requiredApprovals: 2,
        requiredReviewers: [parseReviewerRequirement('bob')!, parseReviewerRequirement('@acme/platform')!],
        requireCodeOwners: true,
      }),
    );
    expect(d.reasons).toEqual([]);
    expect(d.allowed).toBe(true);
    expect(d.approvers).toEqual(['bob', 'carol']);
    expect(d.rules.map((r) => r.id)).toEqual([
      'pull-request',
      'changes-requested',
      'approvals',
      'required-reviewers',
      'code-owners',
      'plan',
    ]);
  });

  test('a merged pull request evaluated at its merge: approvals before the merge count', () => {
    const f = facts([review('bob', 'APPROVED', '01:00')], {
      pr: { ...facts([]).pr, state: 'closed', merged: true, mergedAt: '2026-03-01T10:05:00Z' },
    });
    expect(decideApproval(f, rules()).allowed).toBe(true);
  });

  test('no approvals required', () => {
    expect(decideApproval(facts([]), rules({ requiredApprovals: 0 })).allowed).toBe(true);
  });
});

describe('latest decisive review', () => {
  test('orders by submission time, ignores COMMENTED and PENDING, one per reviewer (case-insensitive)', () => {
    const reviews = [
      review('Bob', 'APPROVED', '03:00'),
      review('bob', 'CHANGES_REQUESTED', '01:00'),
      review('bob', 'COMMENTED', '04:00'),
      review('carol', 'PENDING', '05:00'),
    ];
    const latest = latestDecisiveReviews(reviews);
    expect(latest.map((r) => [r.login, r.state])).toEqual([['Bob', 'APPROVED']]);
  });
});

describe('reviewer entries', () => {
  test.each([
    ['octocat', { kind: 'user', login: 'octocat' }],
    ['@octocat', { kind: 'user', login: 'octocat' }],
    ['@acme/platform-team', { kind: 'team', org: 'acme', slug: 'platform-team' }],
    ['acme/platform', { kind: 'team', org: 'acme', slug: 'platform' }],
    ['renovate[bot]', { kind: 'user', login: 'renovate[bot]' }],
  ])('%s', (entry, expected) => {
    expect(parseReviewerRequirement(entry)).toEqual(expected);
  });
  test.each(['', 'a b', '@/x', 'x/y/z', 'me@example.com'])('%j is not an entry', (entry) => {
    expect(parseReviewerRequirement(entry)).toBeUndefined();
  });
});
