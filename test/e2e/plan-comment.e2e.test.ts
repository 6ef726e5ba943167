/**
 * plan-comment end to end: the built bundle (dist/plan-comment/index.js, or the root dist/index.js) run as the
 * Actions runner runs it, on real webhook payloads and real Terraform plans, against the GitHub API double.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ACTIONS } from '../../src/actions/registry.js';
import { GitHubDouble } from '../github-double/server.js';
import { webhookPayload } from '../harness/events.js';
import { ROOT, runAction, type RunOptions, type RunResult } from '../harness/runner.js';

const PLANS = 'test/fixtures/terraform-plans';
const LIFECYCLE = `${PLANS}/openclaw-tf1.11-lifecycle.json`;
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
let gh: GitHubDouble;

beforeEach(async () => {
  gh = await GitHubDouble.start();
  gh.addToken('ghs_workflow_token', 'github-actions[bot]');
  gh.addPullRequest(OWNER, REPO, { number: 2, author: 'Codertocat' });
});

afterEach(async () => {
  await gh.stop();
  expect(gh.violations).toEqual([]);
});

function run(inputs: Record<string, string>, options: Partial<RunOptions> = {}): Promise<RunResult> {
  return runAction({
    action: 'plan-comment',
    apiUrl: gh.url,
    eventName: 'pull_request',
    event: webhookPayload('pull_request', 'opened'),
    ...options,
    inputs,
  });
}

const comments = () => gh.commentsOn(OWNER, REPO, 2);

/** Every value marked sensitive anywhere in a plan, found independently of the action's own code. */
function sensitiveValuesOf(file: string): string[] {
  const plan = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
  const found = new Set<string>();
  const addAll = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= 3) found.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(addAll);
  };
  const addMarked = (v: unknown, m: unknown): void => {
    if (m === true) addAll(v);
    else if (m && typeof m === 'object' && v && typeof v === 'object') {
      for (const k of Object.keys(m)) addMarked((v as any)[k], (m as any)[k]);
    }
  };
  for (const rc of plan.resource_changes ?? []) {
    addMarked(rc.change.before, rc.change.before_sensitive);
    addMarked(rc.change.after, rc.change.after_sensitive);
  }
  for (const oc of Object.values<any>(plan.output_changes ?? {})) {
    addMarked(oc.before, oc.before_sensitive);
    addMarked(oc.after, oc.after_sensitive);
  }
  for (const [name, v] of Object.entries<any>(plan.configuration?.root_module?.variables ?? {})) {
    if (v.sensitive) addAll(plan.variables?.[name]?.value);
  }
  return [...found];
}

/** The log as a reader sees it: the runner consumes ::add-mask:: lines and never shows them. */
function visibleLog(result: RunResult): string {
  return result.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

describe('comments', () => {
  test('a pull_request run creates one comment, writes the summary and every output', async () => {
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    expect(result.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    const [comment] = comments();
    expect(comment!.author.login).toBe('github-actions[bot]');
    expect(comment!.body.split('\n')[0]).toBe(
      `<!-- openclaw:plan-comment label=us-east-1 fingerprint=${result.outputs['fingerprint']} -->`,
    );
    expect(result.outputs).toMatchObject({
      'comment-id': String(comment!.id),
      'comment-url': expect.stringContaining(`#issuecomment-${comment!.id}`),
      'to-add': '4',
      'to-change': '2',
      'to-destroy': '5',
      'to-replace': '3',
      'to-import': '1',
      'to-move': '1',
      'to-forget': '1',
      'has-changes': 'true',
      'has-destroy': 'true',
      errored: 'false',
      summary: '1 to import, 4 to add, 2 to change, 5 to destroy (3 replaced), 1 to forget, 1 moved',
    });
    expect(result.outputs['fingerprint']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.summary).toContain('Terraform plan for `us-east-1`');
    expect(result.summary).toContain('terraform_data.doomed');
    expect(result.summary).not.toContain('openclaw:plan-comment');
    expect(result.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringContaining('5 to destroy'),
    });
  });

  test('a second run edits the same comment in place', async () => {
    const first = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    const second = await run({ 'plan-json': `${PLANS}/terraform-basic-create.json`, label: 'us-east-1' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('3 to add, 0 to change, 0 to destroy');
    expect(gh.requestsTo('issues/update-comment')).toHaveLength(1);
  });

  test('a second label adds a second comment and leaves the first alone', async () => {
    await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    const before = comments()[0]!.body;
    await run({ 'plan-json': `${PLANS}/terraform-basic-create.json`, label: 'eu-west-1' });
    expect(comments()).toHaveLength(2);
    expect(comments()[0]!.body).toBe(before);
    expect(comments()[1]!.body).toContain('label=eu-west-1');
  });

  test('a matrix of labels running at once keeps one comment per label', async () => {
    const labels = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
    const results = await Promise.all(
      labels.map((label) => run({ 'plan-json': `${PLANS}/terraform-basic-create.json`, label })),
    );
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
    const found = comments()
      .map((c) => /label=([^ ]+)/.exec(c.body)![1])
      .sort();
    expect(found).toEqual([...labels].sort());
  });

  test('mode recreate deletes the comment and posts it anew at the bottom', async () => {
    const first = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    gh.addComment(OWNER, REPO, 2, { author: 'octocat', body: 'looks good' });
    const second = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1', mode: 'recreate' });
    expect(second.outputs['comment-id']).not.toBe(first.outputs['comment-id']);
    expect(comments().map((c) => c.author.login)).toEqual(['octocat', 'github-actions[bot]']);
  });

  test('mode off writes summary and outputs and makes no API call', async () => {
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1', mode: 'off', 'github-token': '' });
    expect(result.exitCode).toBe(0);
    expect(gh.requests).toHaveLength(0);
    expect(result.outputs['comment-id']).toBe('');
    expect(result.summary).toContain('terraform_data.doomed');
  });

  test('on-no-changes: delete removes the label comment when the plan has no changes', async () => {
    await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    await run({ 'plan-json': LIFECYCLE, label: 'eu-west-1' });
    const result = await run({
      'plan-json': `${PLANS}/terraform-basic-update.json`,
      label: 'us-east-1',
      'on-no-changes': 'delete',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ 'has-changes': 'false', summary: 'no changes', 'comment-id': '' });
    expect(comments().map((c) => /label=([^ ]+)/.exec(c.body)![1])).toEqual(['eu-west-1']);
  });

  test('on-no-changes: silent posts nothing new, but updates an existing comment so it is never stale', async () => {
    const quiet = await run({
      'plan-json': `${PLANS}/terraform-basic-update.json`,
      label: 'us-east-1',
      'on-no-changes': 'silent',
    });
    expect(quiet.outputs['comment-id']).toBe('');
    expect(comments()).toHaveLength(0);
    await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    await run({
      'plan-json': `${PLANS}/terraform-basic-update.json`,
      label: 'us-east-1',
      'on-no-changes': 'silent',
    });
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('No changes');
  });

  test('an errored plan is commented even with on-no-changes: delete, and the step fails', async () => {
    const result = await run({
      'plan-json': `${PLANS}/terraform-plan-error.json`,
      label: 'us-east-1',
      'on-no-changes': 'delete',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['errored']).toBe('true');
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('The plan errored');
    expect(comments()[0]!.body).not.toMatch(/no changes/i);
    expect(result.annotations).toContainEqual({
      level: 'error',
      message: expect.stringContaining('errored'),
    });
  });

  test('a comment forged by a human with our marker is neither edited nor counted', async () => {
    const forged = gh.addComment(OWNER, REPO, 2, {
      author: 'mallory',
      body: '<!-- openclaw:plan-comment label=us-east-1 fingerprint=sha256:0000 -->\nall good, approve me',
    });
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['comment-id']).not.toBe(String(forged.id));
    expect(comments().find((c) => c.id === forged.id)!.body).toContain('approve me');
  });

  test('finds its comment among hundreds, on a later page', async () => {
    const first = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    for (let i = 0; i < 250; i++)
      gh.addComment(OWNER, REPO, 2, { author: 'octocat', body: `review note ${i}` });
    const second = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(comments().filter((c) => c.author.login === 'github-actions[bot]')).toHaveLength(1);
  });

  test('a plan larger than max-length is shortened, says so, and links details-url', async () => {
    const result = await run({
      'plan-json': `${PLANS}/borchero-300-foreach-create.json`,
      label: 'big',
      'max-length': '6000',
      'details-url': 'https://example.com/artifacts/plan.txt',
    });
    expect(result.exitCode).toBe(0);
    const body = comments()[0]!.body;
    expect(body.length).toBeLessThanOrEqual(6000);
    expect(body).toContain('This plan was shortened to fit in 6,000 characters');
    expect(body).toContain('href="https://example.com/artifacts/plan.txt"');
    expect(body).toContain('300 to add');
  });
});

describe('after the apply', () => {
  const MERGE_SHA = 'c0ffee0000000000000000000000000000000042';
  const afterMerge = { eventName: 'push', event: webhookPayload('push'), sha: MERGE_SHA };

  test('status applied edits the label comment: a note with time, commit and run, the same fingerprint', async () => {
    const planned = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    const before = Date.now();
    const applied = await run(
      { 'plan-json': LIFECYCLE, label: 'us-east-1', 'pull-request': '2', status: 'applied' },
      { ...afterMerge, env: { GITHUB_RUN_ID: '9001' } },
    );
    expect(applied.exitCode).toBe(0);
    expect(applied.outputs['comment-id']).toBe(planned.outputs['comment-id']);
    expect(applied.outputs['fingerprint']).toBe(planned.outputs['fingerprint']);
    expect(comments()).toHaveLength(1);
    const body = comments()[0]!.body;
    expect(body.split('\n')[0]).toBe(
      `<!-- openclaw:plan-comment label=us-east-1 fingerprint=${planned.outputs['fingerprint']} -->`,
    );
    const note = /^> \*\*Applied\*\* at (\S+) \(commit `c0ffee000000`, \[workflow run\]\((\S+)\)\)\.$/m.exec(
      body,
    );
    expect(note).not.toBeNull();
    const at = Date.parse(note![1]!);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(note![2]).toMatch(/\/actions\/runs\/9001$/);
    expect(applied.summary).toContain('**Applied** at');
  });

  test('status apply-failed says the apply failed and asks for a new plan', async () => {
    await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    const failed = await run(
      { 'plan-json': LIFECYCLE, label: 'us-east-1', 'pull-request': '2', status: 'apply-failed' },
      afterMerge,
    );
    expect(failed.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toMatch(/^> \*\*The apply of this plan failed\*\* at .*plan again/m);
  });
});

describe('events and pull requests', () => {
  test('on push, comments on the open pull request that contains the commit', async () => {
    const pr = gh.pull(OWNER, REPO, 2);
    const result = await run(
      { 'plan-json': LIFECYCLE, label: 'us-east-1' },
      { eventName: 'push', event: webhookPayload('push'), sha: pr.headSha },
    );
    expect(result.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
  });

  test('on issue_comment on a pull request, comments on that pull request', async () => {
    const event = webhookPayload('issue_comment', 'created');
    event.issue.number = 2;
    event.issue.pull_request = { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/2` };
    const result = await run(
      { 'plan-json': LIFECYCLE, label: 'us-east-1' },
      { eventName: 'issue_comment', event },
    );
    expect(result.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
  });

  test('with no pull request, skips the comment with a notice and still writes summary and outputs', async () => {
    const result = await run(
      { 'plan-json': LIFECYCLE, label: 'us-east-1' },
      { eventName: 'workflow_dispatch', event: webhookPayload('workflow_dispatch') },
    );
    expect(result.exitCode).toBe(0);
    expect(result.annotations).toContainEqual({
      level: 'notice',
      message: expect.stringContaining('No pull request'),
    });
    expect(result.summary).toContain('Terraform plan');
    expect(result.outputs['to-add']).toBe('4');
    expect(comments()).toHaveLength(0);
  });

  test('the pull-request input picks the pull request', async () => {
    gh.addPullRequest(OWNER, REPO, { number: 5 });
    const result = await run(
      { 'plan-json': LIFECYCLE, label: 'us-east-1', 'pull-request': '5' },
      { eventName: 'workflow_dispatch', event: webhookPayload('workflow_dispatch') },
    );
    expect(result.exitCode).toBe(0);
    expect(gh.commentsOn(OWNER, REPO, 5)).toHaveLength(1);
  });

  test('the root action dispatches on command', async () => {
    const result = await runAction({
      action: '.',
      apiUrl: gh.url,
      eventName: 'pull_request',
      event: webhookPayload('pull_request', 'opened'),
      inputs: { command: 'plan-comment', 'plan-json': LIFECYCLE, label: 'us-east-1' },
    });
    expect(result.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    const unknown = await runAction({
      action: '.',
      apiUrl: gh.url,
      inputs: { command: 'deploy-everything' },
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.annotations[0]!.message).toBe(
      `Input 'command' is "deploy-everything": expected one of ${Object.keys(ACTIONS).join(', ')}.`,
    );
  });
});

describe('failures the step survives', () => {
  test('a 403 on comment creation (a fork) warns, keeps the summary and exits 0', async () => {
    gh.fail({ operationId: 'issues/create-comment', status: 403, times: Infinity });
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    expect(result.exitCode).toBe(0);
    expect(result.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringMatching(/cannot write comments on #2 \(403/),
    });
    expect(result.summary).toContain('terraform_data.doomed');
    expect(result.outputs['comment-id']).toBe('');
    expect(result.outputs['to-add']).toBe('4');
  });

  test("a read-only token (a fork's pull request) warns and exits 0", async () => {
    gh.addToken('ghs_fork_token', 'github-actions[bot]', { write: false });
    const result = await run({
      'plan-json': LIFECYCLE,
      label: 'us-east-1',
      'github-token': 'ghs_fork_token',
    });
    expect(result.exitCode).toBe(0);
    expect(
      result.annotations.some(
        (a) => a.level === 'warning' && /Resource not accessible by integration/.test(a.message),
      ),
    ).toBe(true);
    expect(comments()).toHaveLength(0);
  });

  test('a secondary rate limit is waited out', async () => {
    gh.fail({
      operationId: 'issues/create-comment',
      status: 403,
      kind: 'secondary-rate-limit',
      retryAfterSeconds: 1,
    });
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    expect(result.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(result.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringContaining('secondary rate limit'),
    });
  });

  test('a server error is retried', async () => {
    gh.fail({ operationId: 'issues/list-comments', status: 502, times: 1 });
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' });
    expect(result.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
  });

  test('a pull request that does not exist fails the step with the API error', async () => {
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1', 'pull-request': '999' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.at(-1)!.message).toMatch(
      /Pull request #999 was not found in Codertocat\/Hello-World \(404\).*check the 'pull-request' input/,
    );
  });
});

describe('sensitive values', () => {
  test.each([LIFECYCLE, `${PLANS}/terraform-sensitive-values.json`])(
    '%s: no sensitive value in the comment, summary, outputs or log; all are masked',
    async (plan) => {
      const secrets = sensitiveValuesOf(plan);
      expect(secrets.length).toBeGreaterThan(0);
      const result = await run({ 'plan-json': plan, label: 'secrets' });
      expect(result.exitCode).toBe(0);
      const written = [
        comments()[0]!.body,
        result.summary,
        JSON.stringify(result.outputs),
        visibleLog(result),
      ].join('\n');
      for (const secret of secrets) {
        expect(written).not.toContain(secret);
        expect(result.masks).toContain(secret);
      }
      expect(comments()[0]!.body).toContain('(sensitive value)');
    },
  );
});

describe('plan-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'plan-file-'));
    writeFileSync(
      join(dir, 'tfplan'),
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('zip body')]),
    );
    copyFileSync(join(ROOT, LIFECYCLE), join(dir, 'tfplan.json'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const withFakeCli = (extra: Record<string, string> = {}) => ({
    env: { PATH: `${join(ROOT, 'test/fixtures/bin')}:${process.env['PATH']}`, ...extra },
  });

  test.each(['terraform', 'tofu'])('shows a binary plan with %s in working-directory', async (cmd) => {
    const result = await run(
      { 'plan-file': 'tfplan', 'working-directory': dir, 'terraform-cmd': cmd },
      withFakeCli(),
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs['to-add']).toBe('4');
    expect(comments()[0]!.body).toContain(`label=${encodeURIComponent(dir).replace(/%2F/g, '/')}`);
  });

  test("skips the setup-terraform wrapper's [command] line", async () => {
    const result = await run(
      { 'plan-file': 'tfplan', 'working-directory': dir },
      withFakeCli({ FAKE_TF_WRAPPER: '1' }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs['to-add']).toBe('4');
  });

  test('a file terraform cannot read fails with its error and exit code', async () => {
    writeFileSync(join(dir, 'tfplan'), 'not a zip');
    const result = await run({ 'plan-file': 'tfplan', 'working-directory': dir }, withFakeCli());
    expect(result.exitCode).toBe(1);
    expect(result.annotations.at(-1)!.message).toMatch(
      /show -json -no-color .*tfplan` failed with exit code 1/,
    );
    expect(result.annotations.at(-1)!.message).toMatch(/not a valid zip file/);
  });

  test('a missing CLI names terraform-cmd and how to fix it', async () => {
    const result = await run({
      'plan-file': 'tfplan',
      'working-directory': dir,
      'terraform-cmd': 'terraform-not-installed',
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.at(-1)!.message).toMatch(
      /Input 'terraform-cmd' is "terraform-not-installed": expected a command on PATH/,
    );
  });
});

describe('bad input gets an error that names the input', () => {
  test.each([
    [
      { 'plan-json': 'nope.json' },
      /Input 'plan-json' is "[^"]*nope.json": expected the path of `terraform show -json` output; no file exists/,
    ],
    [{ 'plan-json': 'package.json' }, /is JSON but not a Terraform plan/],
    [{ 'plan-json': 'README.md' }, /is not JSON/],
    [
      { 'plan-json': LIFECYCLE, 'plan-file': 'tfplan' },
      /Input 'plan-file' is "tfplan": expected nothing when 'plan-json' is set/,
    ],
    [{}, /Input 'plan-json': expected the path of `terraform show -json` output, or set 'plan-file'/],
    [
      { 'plan-json': LIFECYCLE, mode: 'replace' },
      /Input 'mode' is "replace": expected one of upsert, recreate, off/,
    ],
    [
      { 'plan-json': LIFECYCLE, 'on-no-changes': 'ignore' },
      /Input 'on-no-changes' is "ignore": expected one of comment, delete, silent/,
    ],
    [
      { 'plan-json': LIFECYCLE, status: 'done' },
      /Input 'status' is "done": expected one of planned, applied, apply-failed/,
    ],
    [
      { 'plan-json': LIFECYCLE, 'max-length': '70000' },
      /Input 'max-length' is "70000": expected a whole number from 4000 to 65536/,
    ],
    [
      { 'plan-json': LIFECYCLE, 'pull-request': 'abc' },
      /Input 'pull-request' is "abc": expected a whole number of at least 1/,
    ],
    [
      { 'plan-json': LIFECYCLE, 'details-url': 'javascript:alert(1)' },
      /Input 'details-url' is "javascript:alert\(1\)": expected an absolute http\(s\) URL/,
    ],
    [
      { 'plan-json': LIFECYCLE, 'working-directory': 'no/such/dir' },
      /Input 'working-directory' is "no\/such\/dir": expected an existing directory/,
    ],
  ])('%j', async (inputs, message) => {
    const result = await run({ label: 'x', ...inputs });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(message);
    expect(result.log).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
    expect(comments()).toHaveLength(0);
  });

  test.each([
    [
      'a state file',
      { format_version: '1.0', terraform_version: '1.9.0', values: { root_module: {} } },
      /is a Terraform state .* not a plan/,
    ],
    [
      'a newer major format',
      { format_version: '2.0', resource_changes: [] },
      /format_version 2.0, a major version this action does not support/,
    ],
  ])('%s', async (_, content, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-plan-'));
    try {
      writeFileSync(join(dir, 'plan.json'), JSON.stringify(content));
      const result = await run({ 'plan-json': 'plan.json', 'working-directory': dir });
      expect(result.exitCode).toBe(1);
      expect(result.annotations.at(-1)!.message).toMatch(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a plan trimmed of its format_version', () => {
  test('is read: the log, the summary and the comment warn that it was read by its structure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trimmed-plan-'));
    try {
      const plan = JSON.parse(readFileSync(join(ROOT, LIFECYCLE), 'utf8'));
      delete plan.format_version;
      writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
      const result = await run({ 'plan-json': 'plan.json', 'working-directory': dir, label: 'us-east-1' });
      expect(result.exitCode).toBe(0);
      expect(result.annotations).toContainEqual({
        level: 'warning',
        message: expect.stringMatching(
          /plan\.json \(from input 'plan-json'\) has no format_version: it was read as a Terraform plan by its resource_changes/,
        ),
      });
      expect(result.summary).toContain('This plan has no `format_version`');
      expect(comments()[0]!.body).toContain('This plan has no `format_version`');
      expect(result.outputs['to-add']).toBe('4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the heading', () => {
  test("without a label, for working-directory '.', reads 'Terraform plan' (no `.`)", async () => {
    const result = await run({ 'plan-json': LIFECYCLE });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toMatch(/^### ⚠️ Terraform plan$/m);
    expect(result.summary).not.toContain('Terraform plan for');
    // the comment's key stays the working directory, as apply-gate looks it up
    expect(comments()[0]!.body.split('\n')[0]).toMatch(/^<!-- openclaw:plan-comment label=\. fingerprint=/);
    expect(comments()[0]!.body.split('\n')[1]).toBe('### ⚠️ Terraform plan');
  });

  test('without a label, names a working-directory other than the root', async () => {
    const result = await run({ 'plan-json': 'openclaw-tf1.11-lifecycle.json', 'working-directory': PLANS });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(`### ⚠️ Terraform plan for \`${PLANS}\``);
  });
});

describe('a GitHub API that cannot be reached', () => {
  test('fails the step naming the GitHub API, the call and what to check, without a stack trace', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const apiUrl = `http://127.0.0.1:${port}`;
    const result = await run({ 'plan-json': LIFECYCLE, label: 'us-east-1' }, { apiUrl });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    // the first call on a pull_request event: who the token is (GET /user)
    expect(errors[0]!.message).toMatch(
      new RegExp(
        `^The GitHub API at http://127\\.0\\.0\\.1:${port} could not be reached \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\) on GET /user\\. `,
      ),
    );
    expect(errors[0]!.message).toContain('Check GITHUB_API_URL');
    expect(result.log).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
    // the summary and outputs were written before the comment was tried
    expect(result.summary).toContain('terraform_data.doomed');
    expect(result.outputs['to-add']).toBe('4');
  });
});
