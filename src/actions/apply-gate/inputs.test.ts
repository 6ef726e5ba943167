/**
 * The inputs of apply-gate (inputs.ts): every input's default, and for every mistake an InputError that names
 * the input, shows the value and says what was expected.
 */
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../common/errors.js';
import { INPUT_DEFAULTS, parseInputs } from './inputs.js';

const reader = (inputs: Record<string, string>) => ({
  getInput: (name: string) => (inputs[name] ?? '').trim(),
});

/** What the runner passes: the action.yml defaults (the token expanded) plus the step's inputs. */
const parse = (inputs: Record<string, string>) =>
  parseInputs(reader({ ...INPUT_DEFAULTS, 'github-token': 'ghs_x', ...inputs }));

function errorOf(inputs: Record<string, string>): InputError {
  try {
    parse(inputs);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseInputs', () => {
  it('applies every default, from action.yml or (when the runner passes nothing) in code', () => {
    const expected = {
      githubToken: 'ghs_x',
      pullRequest: undefined,
      rules: {
        requiredApprovals: 1,
        requiredReviewers: [],
        requireCodeOwners: false,
        dismissStale: true,
        allowAuthorApproval: false,
        blockOnChangesRequested: true,
      },
      plan: undefined,
      workingDirectory: '.',
      label: '.',
      trustedCommentAuthors: ['github-actions[bot]'],
      failOnDeny: true,
    };
    expect(parse({})).toEqual(expected);
    expect(parseInputs(reader({ 'github-token': 'ghs_x' }))).toEqual(expected);
  });

  it('reads every input', () => {
    expect(
      parse({
        'pull-request': '7',
        'required-approvals': '2',
        'required-reviewers': 'octocat, @acme/platform\nhubot',
        'require-code-owners': 'true',
        'dismiss-stale': 'false',
        'allow-author-approval': 'yes',
        'block-on-changes-requested': 'off',
        'plan-file': 'tfplan',
        'terraform-cmd': 'tofu',
        'working-directory': 'envs/prod',
        label: 'us-east-1',
        'trusted-comment-authors': 'github-actions[bot], my-app[bot]',
        'fail-on-deny': 'false',
      }),
    ).toEqual({
      githubToken: 'ghs_x',
      pullRequest: 7,
      rules: {
        requiredApprovals: 2,
        requiredReviewers: [
          { kind: 'user', login: 'octocat' },
          { kind: 'team', org: 'acme', slug: 'platform' },
          { kind: 'user', login: 'hubot' },
        ],
        requireCodeOwners: true,
        dismissStale: false,
        allowAuthorApproval: true,
        blockOnChangesRequested: false,
      },
      plan: { kind: 'binary', path: 'tfplan', command: 'tofu' },
      workingDirectory: 'envs/prod',
      label: 'us-east-1',
      trustedCommentAuthors: ['github-actions[bot]', 'my-app[bot]'],
      failOnDeny: false,
    });
  });

  it("the label defaults to working-directory, as plan-comment's does (the comment is found by it)", () => {
    expect(parse({ 'working-directory': 'envs/prod' }).label).toBe('envs/prod');
    expect(parse({ 'plan-json': 'plan.json' }).plan).toEqual({ kind: 'json', path: 'plan.json' });
    expect(parse({ 'required-approvals': '0' }).rules.requiredApprovals).toBe(0);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'no token',
      { 'github-token': '' },
      "Input 'github-token' (value hidden): expected a token that can read pull requests and reviews (default: ${{ github.token }}).",
    ],
    [
      'a pull-request that is not a number',
      { 'pull-request': 'abc' },
      `Input 'pull-request' is "abc": expected a whole number of at least 1.`,
    ],
    [
      'required-approvals above 100',
      { 'required-approvals': '101' },
      `Input 'required-approvals' is "101": expected a whole number from 0 to 100.`,
    ],
    [
      'required-approvals negative',
      { 'required-approvals': '-1' },
      `Input 'required-approvals' is "-1": expected a whole number from 0 to 100.`,
    ],
    [
      'a required reviewer that is neither a login nor a team',
      { 'required-reviewers': 'octocat, a/valid/team' },
      `Input 'required-reviewers' is "a/valid/team": expected GitHub logins (octocat) and team slugs (@org/team), one per line or separated by commas.`,
    ],
    [
      'a team slug with a bad org',
      { 'required-reviewers': '@acme/platform/x' },
      `Input 'required-reviewers' is "@acme/platform/x": expected GitHub logins (octocat) and team slugs (@org/team), one per line or separated by commas.`,
    ],
    [
      'require-code-owners not a boolean',
      { 'require-code-owners': 'sometimes' },
      `Input 'require-code-owners' is "sometimes": expected true or false.`,
    ],
    [
      'dismiss-stale not a boolean',
      { 'dismiss-stale': '2' },
      `Input 'dismiss-stale' is "2": expected true or false.`,
    ],
    [
      'allow-author-approval not a boolean',
      { 'allow-author-approval': 'y' },
      `Input 'allow-author-approval' is "y": expected true or false.`,
    ],
    [
      'block-on-changes-requested not a boolean',
      { 'block-on-changes-requested': 'never' },
      `Input 'block-on-changes-requested' is "never": expected true or false.`,
    ],
    [
      'fail-on-deny not a boolean',
      { 'fail-on-deny': 'nope' },
      `Input 'fail-on-deny' is "nope": expected true or false.`,
    ],
    [
      'both plan-json and plan-file',
      { 'plan-json': 'plan.json', 'plan-file': 'tfplan' },
      `Input 'plan-file' is "tfplan": expected nothing when 'plan-json' is set: give at most one of plan-json or plan-file.`,
    ],
    [
      'trusted-comment-authors made empty',
      { 'trusted-comment-authors': ' , ' },
      `Input 'trusted-comment-authors' is "": expected at least one login whose plan comments are trusted, e.g. github-actions[bot].`,
    ],
  ])('%s', (_, inputs, message) => {
    const error = errorOf(inputs);
    expect(error.message).toBe(message);
    expect(message).toContain(`Input '${error.input}'`);
  });
});
