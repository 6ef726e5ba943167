/** Inputs of apply-gate, parsed once into a typed object. Names are the public interface (action.yml). */
import { InputError } from '../../common/errors.js';
import {
  readBoolean,
  readGithubToken,
  readInteger,
  readList,
  readString,
  type InputReader,
} from '../../common/inputs.js';
import {
  parseReviewerRequirement,
  type ApprovalRules,
  type ReviewerRequirement,
} from '../../github/approval.js';
import { readPlanInput, type PlanInput } from '../../terraform/source.js';

type DefaultedInput =
  | 'required-approvals'
  | 'require-code-owners'
  | 'dismiss-stale'
  | 'allow-author-approval'
  | 'block-on-changes-requested'
  | 'terraform-cmd'
  | 'working-directory'
  | 'trusted-comment-authors'
  | 'fail-on-deny';

/** Defaults applied in code; the same values as action.yml's (a test keeps them equal). */
export const INPUT_DEFAULTS: Readonly<Record<DefaultedInput, string>> = {
  'required-approvals': '1',
  'require-code-owners': 'false',
  'dismiss-stale': 'true',
  'allow-author-approval': 'false',
  'block-on-changes-requested': 'true',
  'terraform-cmd': 'terraform',
  'working-directory': '.',
  'trusted-comment-authors': 'github-actions[bot]',
  'fail-on-deny': 'true',
};

export interface ApplyGateInputs {
  githubToken: string;
  pullRequest: number | undefined;
  rules: ApprovalRules;
  plan: PlanInput | undefined;
  workingDirectory: string;
  label: string;
  trustedCommentAuthors: string[];
  failOnDeny: boolean;
}

export function parseInputs(io: InputReader): ApplyGateInputs {
  const githubToken = readGithubToken(
    io,
    'a token that can read pull requests and reviews (default: ${{ github.token }})',
  );
  const requiredReviewers: ReviewerRequirement[] = readList(io, 'required-reviewers').map((entry) => {
    const parsed = parseReviewerRequirement(entry);
    if (!parsed)
      throw new InputError(
        'required-reviewers',
        entry,
        'GitHub logins (octocat) and team slugs (@org/team), one per line or separated by commas',
      );
    return parsed;
  });
  const plan = readPlanInput(io, false, INPUT_DEFAULTS['terraform-cmd']);
  const workingDirectory = readString(io, 'working-directory', INPUT_DEFAULTS['working-directory']);
  const trustedCommentAuthors = readList(
    io,
    'trusted-comment-authors',
    INPUT_DEFAULTS['trusted-comment-authors'],
  );
  if (trustedCommentAuthors.length === 0) {
    throw new InputError(
      'trusted-comment-authors',
      '',
      'at least one login whose plan comments are trusted, e.g. github-actions[bot]',
    );
  }
  return {
    githubToken,
    pullRequest: readInteger(io, 'pull-request', { min: 1 }),
    rules: {
      requiredApprovals: readInteger(io, 'required-approvals', {
        min: 0,
        max: 100,
        fallback: INPUT_DEFAULTS['required-approvals'],
      }),
      requiredReviewers,
      requireCodeOwners: readBoolean(io, 'require-code-owners', INPUT_DEFAULTS['require-code-owners']),
      dismissStale: readBoolean(io, 'dismiss-stale', INPUT_DEFAULTS['dismiss-stale']),
      allowAuthorApproval: readBoolean(io, 'allow-author-approval', INPUT_DEFAULTS['allow-author-approval']),
      blockOnChangesRequested: readBoolean(
        io,
        'block-on-changes-requested',
        INPUT_DEFAULTS['block-on-changes-requested'],
      ),
    },
    plan,
    workingDirectory,
    label: readString(io, 'label', workingDirectory),
    trustedCommentAuthors,
    failOnDeny: readBoolean(io, 'fail-on-deny', INPUT_DEFAULTS['fail-on-deny']),
  };
}
