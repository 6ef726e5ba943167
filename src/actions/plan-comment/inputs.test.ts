/**
 * The inputs of plan-comment (inputs.ts): every input's default, and for every mistake an InputError that names
 * the input, shows the value and says what was expected.
 */
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../common/errors.js';
import { INPUT_DEFAULTS, parseInputs } from './inputs.js';

const reader = (inputs: Record<string, string>) => ({
  getInput: (name: string) => (inputs[name] ?? '').trim(),
});

/** What the runner passes: the action.yml defaults (the token expanded), a plan, plus the step's inputs. */
const parse = (inputs: Record<string, string>) =>
  parseInputs(reader({ ...INPUT_DEFAULTS, 'github-token': 'ghs_x', 'plan-json': 'plan.json', ...inputs }));

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
      plan: { kind: 'json', path: 'plan.json' },
      workingDirectory: '.',
      label: '.',
      title: undefined,
      githubToken: 'ghs_x',
      pullRequest: undefined,
      mode: 'upsert',
      onNoChanges: 'comment',
      maxLength: 65000,
      detailsUrl: undefined,
      commentAuthor: undefined,
      jobSummary: true,
      status: 'planned',
    };
    expect(parse({})).toEqual(expected);
    expect(parseInputs(reader({ 'github-token': 'ghs_x', 'plan-json': 'plan.json' }))).toEqual(expected);
  });

  it('reads every input', () => {
    expect(
      parse({
        'plan-json': '',
        'plan-file': 'tfplan',
        'terraform-cmd': 'tofu',
        'working-directory': 'envs/prod',
        label: 'us-east-1',
        'pull-request': '42',
        mode: 'RECREATE',
        'on-no-changes': 'delete',
        'max-length': '4000',
        'details-url': 'https://example.com/runs/1',
        'comment-author': 'my-app[bot]',
        'job-summary': 'false',
        status: 'applied',
      }),
    ).toEqual({
      plan: { kind: 'binary', path: 'tfplan', command: 'tofu' },
      workingDirectory: 'envs/prod',
      label: 'us-east-1',
      title: 'us-east-1',
      githubToken: 'ghs_x',
      pullRequest: 42,
      mode: 'recreate',
      onNoChanges: 'delete',
      maxLength: 4000,
      detailsUrl: 'https://example.com/runs/1',
      commentAuthor: 'my-app[bot]',
      jobSummary: false,
      status: 'applied',
    });
  });

  it('the label defaults to working-directory; the heading names it unless it is the root', () => {
    expect(parse({ 'working-directory': 'envs/prod' })).toMatchObject({
      label: 'envs/prod',
      title: 'envs/prod',
    });
    for (const root of ['.', './'])
      expect(parse({ 'working-directory': root })).toMatchObject({ label: root, title: undefined });
    expect(parse({ label: '.' })).toMatchObject({ label: '.', title: '.' });
  });

  it("mode off needs no token; plan-file's command defaults to terraform", () => {
    expect(parse({ mode: 'off', 'github-token': '' })).toMatchObject({ mode: 'off', githubToken: '' });
    expect(parse({ 'plan-json': '', 'plan-file': 'tfplan' }).plan).toEqual({
      kind: 'binary',
      path: 'tfplan',
      command: 'terraform',
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'neither plan-json nor plan-file',
      { 'plan-json': '' },
      "Input 'plan-json': expected the path of `terraform show -json` output, or set 'plan-file' to a binary plan: exactly one of the two is required.",
    ],
    [
      'both plan-json and plan-file',
      { 'plan-file': 'tfplan' },
      `Input 'plan-file' is "tfplan": expected nothing when 'plan-json' is set: give exactly one of plan-json or plan-file.`,
    ],
    ['a label of two lines', { label: 'a\nb' }, `Input 'label' is "a\\nb": expected a single line.`],
    [
      'no token',
      { 'github-token': '' },
      "Input 'github-token' (value hidden): expected a token that can write pull request comments (default: ${{ github.token }}), or mode: off.",
    ],
    [
      'an unknown mode',
      { mode: 'replace' },
      `Input 'mode' is "replace": expected one of upsert, recreate, off.`,
    ],
    [
      'an unknown on-no-changes',
      { 'on-no-changes': 'ignore' },
      `Input 'on-no-changes' is "ignore": expected one of comment, delete, silent.`,
    ],
    [
      'a pull-request that is not a number',
      { 'pull-request': '#12' },
      `Input 'pull-request' is "#12": expected a whole number of at least 1.`,
    ],
    [
      'pull-request 0',
      { 'pull-request': '0' },
      `Input 'pull-request' is "0": expected a whole number of at least 1.`,
    ],
    [
      'max-length below the least',
      { 'max-length': '3999' },
      `Input 'max-length' is "3999": expected a whole number from 4000 to 65536.`,
    ],
    [
      "max-length above GitHub's limit",
      { 'max-length': '65537' },
      `Input 'max-length' is "65537": expected a whole number from 4000 to 65536.`,
    ],
    [
      'a details-url that is not http(s)',
      { 'details-url': 'javascript:alert(1)' },
      `Input 'details-url' is "javascript:alert(1)": expected an absolute http(s) URL.`,
    ],
    [
      'a job-summary that is not a boolean',
      { 'job-summary': 'maybe' },
      `Input 'job-summary' is "maybe": expected true or false.`,
    ],
    [
      'an unknown status',
      { status: 'done' },
      `Input 'status' is "done": expected one of planned, applied, apply-failed.`,
    ],
  ])('%s', (_, inputs, message) => {
    const error = errorOf(inputs);
    expect(error.message).toBe(message);
    expect(message).toContain(`Input '${error.input}'`);
  });
});
