/**
 * apply-gate end to end: the built bundle run as the Actions runner runs it, on real pull_request_review
 * payloads, against the GitHub API double. The plan comments it checks are written by the real plan-comment
 * bundle, as in a real pipeline.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubDouble } from '../github-double/server.js';
import { webhookPayload } from '../harness/events.js';
import { runAction, type RunOptions, type RunResult } from '../harness/runner.js';

const PLANS = 'test/fixtures/terraform-plans';
const PLAN = `${PLANS}/openclaw-tf1.11-lifecycle.json`;
const OTHER_PLAN = `${PLANS}/terraform-basic-create.json`;
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
let gh: GitHubDouble;

beforeEach(async () => {
  gh = await GitHubDouble.start();
  gh.addToken('ghs_workflow_token', 'github-actions[bot]');
  gh.addToken('ghp_gate', 'gate-bot', { installation: false, readOrg: true });
  gh.addPullRequest(OWNER, REPO, { number: 2, author: 'Codertocat' });
});

afterEach(async () => {
  await gh.stop();
  expect(gh.violations).toEqual([]);
});

function reviewEvent(): Record<string, any> {
  const event = webhookPayload('pull_request_review', 'submitted');
  event.review.state = 'approved';
  return event;
}

function gate(inputs: Record<string, string>, options: Partial<RunOptions> = {}): Promise<RunResult> {
  return runAction({
    action: 'apply-gate',
    apiUrl: gh.url,
    eventName: 'pull_request_review',
    event: reviewEvent(),
    ...options,
    inputs,
  });
}

async function planComment(plan = PLAN, label = 'us-east-1'): Promise<RunResult> {
  const result = await runAction({
    action: 'plan-comment',
    apiUrl: gh.url,
    eventName: 'pull_request',
    event: webhookPayload('pull_request', 'opened'),
    inputs: { 'plan-json': plan, label },
  });
  expect(result.exitCode).toBe(0);
  return result;
}

const approve = (login: string, commitId?: string) =>
  gh.addReview(OWNER, REPO, 2, { author: login, state: 'APPROVED', ...(commitId ? { commitId } : {}) });

describe('the honest path', () => {
  test('plan commented, then approved on the head commit: the same plan may be applied', async () => {
    const planned = await planComment();
    approve('hubot');
    const result = await gate({ 'plan-json': PLAN, label: 'us-east-1' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      allowed: 'true',
      reasons: '[]',
      approvers: '["hubot"]',
      fingerprint: planned.outputs['fingerprint'],
      'approved-fingerprint': planned.outputs['fingerprint'],
    });
    expect(result.summary).toContain('✅ Apply allowed');
    expect(result.summary).toMatch(/The plan being applied is the approved plan for us-east-1 \| ✅ held/);
  });

  test('without a plan, the reviews alone decide', async () => {
    approve('hubot');
    const result = await gate({});
    expect(result.exitCode).toBe(0);
    expect(result.outputs['allowed']).toBe('true');
    expect(result.outputs['fingerprint']).toBeUndefined();
  });

  test('the root action dispatches to apply-gate', async () => {
    approve('hubot');
    const result = await runAction({
      action: '.',
      apiUrl: gh.url,
      eventName: 'pull_request_review',
      event: reviewEvent(),
      inputs: { command: 'apply-gate' },
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['allowed']).toBe('true');
  });
});

describe('refusals', () => {
  test('a new plan after the approval: the old approval does not approve it', async () => {
    await planComment(OTHER_PLAN);
    approve('hubot');
    await planComment(PLAN); // the comment is updated with a new plan after the approval
    const result = await gate({ 'plan-json': PLAN, label: 'us-east-1' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['allowed']).toBe('false');
    expect(JSON.parse(result.outputs['reasons']!).join('\n')).toMatch(
      /@hubot approved at .*, before the plan comment was last updated/,
    );
    expect(result.annotations.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/^Apply refused for #2: /),
    });
  });

  test('applying a plan other than the approved one', async () => {
    await planComment(PLAN);
    approve('hubot');
    const result = await gate({ 'plan-json': OTHER_PLAN, label: 'us-east-1' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['reasons']).toMatch(/is not the plan in the approved comment/);
    expect(result.outputs['fingerprint']).not.toBe(result.outputs['approved-fingerprint']);
  });

  test('a plan comment forged by a human with the right fingerprint is ignored', async () => {
    const planned = await planComment(PLAN, 'staging');
    gh.addComment(OWNER, REPO, 2, {
      author: 'mallory',
      body: `<!-- openclaw:plan-comment label=us-east-1 fingerprint=${planned.outputs['fingerprint']} -->\nlooks approved`,
    });
    approve('hubot');
    const result = await gate({ 'plan-json': PLAN, label: 'us-east-1' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['reasons']).toMatch(/no plan comment for us-east-1 by a trusted author .*@mallory/);
  });

  test('a push after the approval makes it stale', async () => {
    approve('hubot');
    gh.push(OWNER, REPO, 2);
    const result = await gate({});
    expect(result.exitCode).toBe(1);
    expect(result.outputs['reasons']).toMatch(/@hubot approved commit \w{7}, not the head \w{7}/);
  });

  test("the author's own approval", async () => {
    approve('Codertocat');
    const result = await gate({});
    expect(result.outputs['reasons']).toMatch(/@Codertocat is the pull request's author/);
  });

  test('approved, then changes requested by the same reviewer', async () => {
    approve('hubot');
    gh.addReview(OWNER, REPO, 2, { author: 'hubot', state: 'CHANGES_REQUESTED' });
    const result = await gate({});
    expect(result.outputs['reasons']).toMatch(/@hubot requests changes/);
  });

  test('a dismissed approval', async () => {
    const review = approve('hubot');
    review.state = 'DISMISSED';
    const result = await gate({});
    expect(result.outputs['reasons']).toMatch(/0 of 1 required approvals count/);
  });

  test('reviews spread over several pages: a request for changes on page 3 blocks', async () => {
    approve('hubot');
    for (let i = 0; i < 230; i++)
      gh.addReview(OWNER, REPO, 2, { author: `reader-${i % 7}`, state: 'COMMENTED' });
    gh.addReview(OWNER, REPO, 2, { author: 'hubot', state: 'CHANGES_REQUESTED' });
    const result = await gate({});
    expect(gh.requestsTo('pulls/list-reviews').length).toBeGreaterThanOrEqual(3);
    expect(result.outputs['reasons']).toMatch(/@hubot requests changes/);
  });

  test('a non-owner approving a file that needs its code owner', async () => {
    gh.setContent(OWNER, REPO, '.github/CODEOWNERS', '* @hubot\n/environments/prod/ @acme/sre\n', 'main');
    gh.pull(OWNER, REPO, 2).files.push({
      filename: 'environments/prod/main.tf',
      status: 'modified',
      additions: 3,
      deletions: 1,
    });
    gh.addTeamMember('acme', 'sre', 'carol');
    approve('hubot');
    const refused = await gate({ 'require-code-owners': 'true', 'github-token': 'ghp_gate' });
    expect(refused.outputs['reasons']).toMatch(
      /environments\/prod\/main.tf needs an approval from @acme\/sre \(.github\/CODEOWNERS line 2\)/,
    );
    approve('carol');
    const allowed = await gate({ 'require-code-owners': 'true', 'github-token': 'ghp_gate' });
    expect(allowed.outputs).toMatchObject({ allowed: 'true', approvers: '["hubot","carol"]' });
  });

  test('an approver who is not in the required team', async () => {
    gh.addTeamMember('acme', 'platform', 'carol');
    approve('hubot');
    const refused = await gate({ 'required-reviewers': '@acme/platform', 'github-token': 'ghp_gate' });
    expect(refused.outputs['reasons']).toMatch(/no counted approval from a member of @acme\/platform/);
    approve('carol');
    expect(
      (await gate({ 'required-reviewers': '@acme/platform', 'github-token': 'ghp_gate' })).outputs['allowed'],
    ).toBe('true');
  });

  test("team rules with the workflow's token cannot decide, and refuse with the reason", async () => {
    approve('hubot');
    const result = await gate({ 'required-reviewers': '@acme/platform' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['allowed']).toBe('false');
    expect(result.annotations.at(-1)!.message).toMatch(
      /Cannot check membership of @acme\/platform \(403\).*GITHUB_TOKEN cannot/,
    );
  });

  test('a draft pull request', async () => {
    gh.pull(OWNER, REPO, 2).draft = true;
    approve('hubot');
    expect((await gate({})).outputs['reasons']).toMatch(/is a draft/);
  });

  test('fail-on-deny false: the step succeeds and allowed says no', async () => {
    const result = await gate({ 'fail-on-deny': 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['allowed']).toBe('false');
    expect(result.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringMatching(/^Apply refused for #2/),
    });
  });
});

describe('the push of a merge commit', () => {
  test('evaluates the merged pull request as it stood when it was merged', async () => {
    await planComment();
    approve('hubot');
    const pr = gh.pull(OWNER, REPO, 2);
    Object.assign(pr, {
      state: 'closed',
      merged: true,
      mergedAt: gh.tick(),
      mergeCommitSha: 'm'.repeat(40),
      closedAt: gh.now(),
    });
    gh.addReview(OWNER, REPO, 2, { author: 'latecomer', state: 'CHANGES_REQUESTED' }); // after the merge: not counted
    const result = await gate(
      { 'plan-json': PLAN, label: 'us-east-1' },
      { eventName: 'push', event: webhookPayload('push'), sha: 'm'.repeat(40) },
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs['allowed']).toBe('true');
  });
});

describe('errors', () => {
  test('a pull request that cannot be found is an error naming the number', async () => {
    const result = await gate({ 'pull-request': '404' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['allowed']).toBe('false');
    expect(result.annotations.at(-1)!.message).toMatch(
      /Pull request #404 was not found in Codertocat\/Hello-World/,
    );
  });

  test('no pull request for the event', async () => {
    const result = await gate(
      {},
      { eventName: 'workflow_dispatch', event: webhookPayload('workflow_dispatch') },
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs['allowed']).toBe('false');
    expect(result.annotations.at(-1)!.message).toMatch(/No pull request to evaluate .* set 'pull-request'/);
  });

  test.each([
    [
      { 'required-approvals': 'two' },
      /Input 'required-approvals' is "two": expected a whole number from 0 to 100/,
    ],
    [
      { 'required-reviewers': 'alice, bad!name' },
      /Input 'required-reviewers' is "bad!name": expected GitHub logins/,
    ],
    [{ 'dismiss-stale': 'maybe' }, /Input 'dismiss-stale' is "maybe": expected true or false/],
    [
      { 'plan-json': PLAN, 'plan-file': 'tfplan' },
      /Input 'plan-file' is "tfplan": expected nothing when 'plan-json' is set/,
    ],
  ])('%j', async (inputs, message) => {
    const result = await gate(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['allowed']).toBe('false');
    expect(result.annotations.at(-1)!.message).toMatch(message);
  });
});
