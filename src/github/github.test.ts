/**
 * Contract tests of the GitHub layer against the local API double, which validates every request and response
 * against GitHub's OpenAPI description.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubDouble } from '../../test/github-double/server.js';
import { webhookPayload } from '../../test/harness/events.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import {
  deleteStickyComments,
  formatMarker,
  matchingComments,
  listComments,
  parseMarker,
  upsertStickyComment,
} from './comments.js';
import type { RunContext } from './context.js';
import { ACTIONS_BOT, resolveTokenIdentity } from './identity.js';
import { pullRequestFromEvent, resolvePullRequest } from './pulls.js';

let gh: GitHubDouble;
let warnings: string[];

function client(token = 'ghs_workflow'): GitHubClient {
  return createGitHubClient({
    token,
    baseUrl: gh.url,
    log: { warning: (m) => warnings.push(m), debug: () => undefined },
  });
}

const target = { owner: 'o', repo: 'r', issueNumber: 7 };
const sticky = (label: string, body: string) => ({
  target,
  kind: 'plan-comment',
  label,
  author: ACTIONS_BOT,
  body: `${formatMarker({ kind: 'plan-comment', label, fingerprint: 'sha256:abc' })}\n${body}`,
  mode: 'upsert' as const,
});

beforeEach(async () => {
  gh = await GitHubDouble.start();
  gh.addToken('ghs_workflow', ACTIONS_BOT);
  gh.addToken('ghp_personal', 'release-bot', { installation: false });
  gh.addPullRequest('o', 'r', { number: 7 });
  warnings = [];
});

afterEach(async () => {
  await gh.stop();
  expect(gh.violations).toEqual([]);
});

describe('markers', () => {
  test('round-trip any label, and never let a label close the HTML comment', () => {
    for (const label of ['us-east-1', 'envs/prod eu', 'a-->b', '--><script>', 'ünï 🚀', 'x y=z']) {
      const marker = formatMarker({ kind: 'plan-comment', label, fingerprint: 'sha256:00ff' });
      expect(marker.indexOf('-->')).toBe(marker.length - 3);
      expect(parseMarker(`${marker}\nbody`)).toEqual({
        kind: 'plan-comment',
        label,
        fingerprint: 'sha256:00ff',
      });
    }
  });

  test('a marker that is not on the first line is not a marker', () => {
    const marker = formatMarker({ kind: 'plan-comment', label: 'x' });
    expect(parseMarker(`quoted:\n${marker}`)).toBeUndefined();
  });
});

describe('sticky comments', () => {
  test('create, then edit in place', async () => {
    const first = await upsertStickyComment(client(), sticky('us-east-1', 'one'));
    expect(first.action).toBe('created');
    const second = await upsertStickyComment(client(), sticky('us-east-1', 'two'));
    expect(second).toMatchObject({ id: first.id, action: 'updated' });
    const comments = gh.commentsOn('o', 'r', 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/two$/);
  });

  test('labels keep separate comments', async () => {
    await upsertStickyComment(client(), sticky('us-east-1', 'a'));
    await upsertStickyComment(client(), sticky('eu-west-1', 'b'));
    await upsertStickyComment(client(), sticky('us-east-1', 'c'));
    const bodies = gh.commentsOn('o', 'r', 7).map((c) => c.body.split('\n')[1]);
    expect(bodies).toEqual(['c', 'b']);
  });

  test('finds its comment beyond the first page of comments', async () => {
    const ours = await upsertStickyComment(client(), sticky('us-east-1', 'old'));
    for (let i = 0; i < 230; i++) gh.addComment('o', 'r', 7, { author: 'octocat', body: `chatter ${i}` });
    const again = await upsertStickyComment(client(), sticky('us-east-1', 'new'));
    expect(again).toMatchObject({ id: ours.id, action: 'updated' });
    expect(gh.requestsTo('issues/list-comments').length).toBeGreaterThanOrEqual(3);
    expect(gh.commentsOn('o', 'r', 7).filter((c) => c.author.login === ACTIONS_BOT)).toHaveLength(1);
  });

  test('never edits a comment with our marker written by someone else', async () => {
    const forged = gh.addComment('o', 'r', 7, {
      author: 'mallory',
      body: `${formatMarker({ kind: 'plan-comment', label: 'us-east-1', fingerprint: 'sha256:evil' })}\nforged`,
    });
    const result = await upsertStickyComment(client(), sticky('us-east-1', 'real'));
    expect(result.action).toBe('created');
    expect(result.id).not.toBe(forged.id);
    expect(gh.commentsOn('o', 'r', 7).find((c) => c.id === forged.id)!.body).toMatch(/forged$/);
  });

  test('duplicates left by an earlier race are removed, the oldest is kept', async () => {
    const a = gh.addComment('o', 'r', 7, { author: ACTIONS_BOT, body: sticky('us-east-1', 'a').body });
    gh.addComment('o', 'r', 7, { author: ACTIONS_BOT, body: sticky('us-east-1', 'b').body });
    const result = await upsertStickyComment(client(), sticky('us-east-1', 'c'));
    expect(result).toMatchObject({ id: a.id, action: 'updated', removed: 1 });
    expect(gh.commentsOn('o', 'r', 7).map((c) => c.id)).toEqual([a.id]);
  });

  test('two runs for one label racing to create leave one comment', async () => {
    await Promise.all([
      upsertStickyComment(client(), sticky('us-east-1', 'run 1')),
      upsertStickyComment(client(), sticky('us-east-1', 'run 2')),
    ]);
    const comments = matchingComments(
      await listComments(client(), target),
      'plan-comment',
      'us-east-1',
      ACTIONS_BOT,
    );
    expect(comments).toHaveLength(1);
  });

  test('recreate deletes the old comment and posts a new one at the bottom', async () => {
    const old = await upsertStickyComment(client(), sticky('us-east-1', 'old'));
    gh.addComment('o', 'r', 7, { author: 'octocat', body: 'a later reply' });
    const fresh = await upsertStickyComment(client(), { ...sticky('us-east-1', 'new'), mode: 'recreate' });
    expect(fresh.action).toBe('recreated');
    const ids = gh.commentsOn('o', 'r', 7).map((c) => c.id);
    expect(ids).not.toContain(old.id);
    expect(ids.at(-1)).toBe(fresh.id);
  });

  test('delete removes only this label', async () => {
    await upsertStickyComment(client(), sticky('us-east-1', 'a'));
    await upsertStickyComment(client(), sticky('eu-west-1', 'b'));
    expect(await deleteStickyComments(client(), target, 'plan-comment', 'us-east-1', ACTIONS_BOT)).toBe(1);
    expect(gh.commentsOn('o', 'r', 7).map((c) => parseMarker(c.body)?.label)).toEqual(['eu-west-1']);
  });

  test('a secondary rate limit is waited out and the call retried', async () => {
    gh.fail({
      operationId: 'issues/create-comment',
      status: 403,
      kind: 'secondary-rate-limit',
      retryAfterSeconds: 1,
    });
    const result = await upsertStickyComment(client(), sticky('us-east-1', 'a'));
    expect(result.action).toBe('created');
    expect(gh.requestsTo('issues/create-comment').map((r) => r.status)).toEqual([403, 201]);
    expect(warnings.join('\n')).toMatch(/secondary rate limit/);
  });

  test('a server error is retried', async () => {
    gh.fail({ operationId: 'issues/list-comments', status: 500, times: 1 });
    const result = await upsertStickyComment(client(), sticky('us-east-1', 'a'));
    expect(result.action).toBe('created');
    expect(gh.requestsTo('issues/list-comments')[0]!.status).toBe(500);
  });

  test('a 403 on write is returned to the caller, not retried', async () => {
    gh.fail({ operationId: 'issues/create-comment', status: 403, times: 5 });
    await expect(upsertStickyComment(client(), sticky('us-east-1', 'a'))).rejects.toMatchObject({
      status: 403,
    });
    expect(gh.requestsTo('issues/create-comment')).toHaveLength(1);
  });
});

describe('identity', () => {
  test('the workflow token cannot call GET /user: it is github-actions[bot]', async () => {
    expect(await resolveTokenIdentity(client())).toEqual({ login: ACTIONS_BOT, source: 'assumed' });
  });
  test('a personal token says who it is', async () => {
    expect(await resolveTokenIdentity(client('ghp_personal'))).toEqual({
      login: 'release-bot',
      source: 'api',
    });
  });
  test('an explicit login wins without an API call', async () => {
    expect(await resolveTokenIdentity(client(), 'my-app[bot]')).toEqual({
      login: 'my-app[bot]',
      source: 'input',
    });
    expect(gh.requestsTo('users/get-authenticated')).toHaveLength(0);
  });
  test('a bad token is an error that says so', async () => {
    await expect(resolveTokenIdentity(client('nope'))).rejects.toThrow(/github-token/);
  });
});

describe('which pull request', () => {
  const context = (eventName: string, payload: Record<string, unknown>, sha = 'abc'): RunContext => ({
    repo: { owner: 'o', repo: 'r' },
    eventName,
    payload,
    sha,
    ref: '',
    apiUrl: gh.url,
    serverUrl: 'https://github.com',
    runId: '1',
    runAttempt: '1',
    workflow: 'w',
    job: 'j',
  });

  test.each([
    ['pull_request', webhookPayload('pull_request', 'opened'), 2],
    ['pull_request_target', webhookPayload('pull_request', 'synchronize'), 2],
    ['pull_request_review', webhookPayload('pull_request_review', 'submitted'), 2],
    ['push', webhookPayload('push'), undefined],
    ['workflow_dispatch', webhookPayload('workflow_dispatch'), undefined],
  ])('%s events carry the pull request number', (eventName, payload, expected) => {
    expect(pullRequestFromEvent(context(eventName, payload))).toBe(expected);
  });

  test('an issue_comment event counts only on a pull request', () => {
    const onIssue = webhookPayload('issue_comment', 'created');
    expect(pullRequestFromEvent(context('issue_comment', onIssue))).toBeUndefined();
    const onPull = webhookPayload('issue_comment', 'created');
    onPull.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
    expect(pullRequestFromEvent(context('issue_comment', onPull))).toBe(onPull.issue.number);
  });

  test('on push, the open pull request whose head is the commit', async () => {
    const pr = gh.pull('o', 'r', 7);
    const found = await resolvePullRequest(
      client(),
      context('push', webhookPayload('push'), pr.headSha),
      undefined,
    );
    expect(found).toEqual({ number: 7, source: 'commit' });
  });

  test('on push of a commit in no open pull request, none', async () => {
    const found = await resolvePullRequest(
      client(),
      context('push', webhookPayload('push'), 'f'.repeat(40)),
      undefined,
    );
    expect(found).toBeUndefined();
  });

  test('the input wins over the event', async () => {
    const found = await resolvePullRequest(
      client(),
      context('pull_request', webhookPayload('pull_request', 'opened')),
      9,
    );
    expect(found).toEqual({ number: 9, source: 'input' });
  });
});
