import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubDouble } from '../github-double/server.js';
import { runAction } from '../harness/runner.js';
import { webhookPayload } from '../harness/events.js';

const FIXTURES = 'test/fixtures/terraform-plans';
let gh: GitHubDouble;

beforeEach(async () => {
  gh = await GitHubDouble.start();
  gh.addToken('ghs_workflow_token', 'github-actions[bot]');
  gh.addPullRequest('Codertocat', 'Hello-World', { number: 2, author: 'Codertocat' });
});

afterEach(async () => {
  await gh.stop();
  expect(gh.violations).toEqual([]);
});

describe('plan-comment bundle on a pull_request event', () => {
  test('creates one sticky comment', async () => {
    const result = await runAction({
      action: 'plan-comment',
      apiUrl: gh.url,
      eventName: 'pull_request',
      event: webhookPayload('pull_request', 'opened'),
      inputs: { 'plan-json': `${FIXTURES}/openclaw-tf1.11-lifecycle.json`, label: 'us-east-1' },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const comments = gh.commentsOn('Codertocat', 'Hello-World', 2);
    expect(comments).toHaveLength(1);
    console.log(comments[0]!.body.slice(0, 300), result.outputs);
  });
});
