/**
 * The double is only useful if it is as strict as GitHub: these tests show it rejects what GitHub rejects and
 * that its answers pass GitHub's own description.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubDouble } from './server.js';

let gh: GitHubDouble;
const auth = { authorization: 'token ghp_human' };

beforeEach(async () => {
  gh = await GitHubDouble.start();
  gh.addToken('ghp_human', 'octocat', { installation: false });
  gh.addToken('ghs_readonly', 'github-actions[bot]', { write: false });
  gh.addPullRequest('o', 'r', { number: 7 });
});

afterEach(async () => {
  await gh.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('contract checks', () => {
  test('an endpoint GitHub does not describe is a violation', async () => {
    const res = await call('GET', '/repos/o/r/not-an-endpoint');
    expect(res.status).toBe(404);
    expect(gh.violations).toEqual([
      expect.stringContaining("no such endpoint in GitHub's OpenAPI description"),
    ]);
  });

  test('a body missing a required property is a violation', async () => {
    const res = await call('POST', '/repos/o/r/issues/7/comments', { text: 'hello' });
    expect(res.status).toBe(422);
    expect(gh.violations.join('\n')).toMatch(/must have required property 'body'/);
  });

  test('an undescribed query parameter is a violation', async () => {
    await call('GET', '/repos/o/r/issues/7/comments?perpage=5');
    expect(gh.violations.join('\n')).toMatch(/query parameter perpage is not described/);
  });

  test('a path parameter of the wrong type is a violation', async () => {
    await call('GET', '/repos/o/r/issues/comments/abc');
    expect(gh.violations.join('\n')).toMatch(/path parameter comment_id/);
  });

  test('valid calls leave no violations and the answers carry every required field', async () => {
    const created = await call('POST', '/repos/o/r/issues/7/comments', { body: 'hi' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ body: 'hi', user: { login: 'octocat', type: 'User' } });
    const pr = await call('GET', '/repos/o/r/pulls/7');
    expect(pr.status).toBe(200);
    expect(pr.body).toMatchObject({ number: 7, state: 'open', merged: false });
    const user = await call('GET', '/user');
    expect(user.body).toMatchObject({ login: 'octocat' });
    expect(gh.violations).toEqual([]);
  });
});

describe('behaves like GitHub', () => {
  test('paginates with per_page and Link headers', async () => {
    for (let i = 0; i < 75; i++) gh.addComment('o', 'r', 7, { author: 'octocat', body: `c${i}` });
    const first = await call('GET', '/repos/o/r/issues/7/comments?per_page=30');
    expect(first.body).toHaveLength(30);
    const link = first.headers.get('link') ?? '';
    expect(link).toMatch(/[?&]page=2[^>]*>; rel="next"/);
    expect(link).toMatch(/[?&]page=3[^>]*>; rel="last"/);
    const last = await call('GET', '/repos/o/r/issues/7/comments?per_page=30&page=3');
    expect(last.body).toHaveLength(15);
    expect(last.headers.get('link')).toMatch(/rel="prev"/);
    expect(last.headers.get('link')).not.toMatch(/rel="next"/);
    const clamped = await call('GET', '/repos/o/r/issues/7/comments?per_page=500');
    expect(clamped.body).toHaveLength(75);
    expect(gh.violations).toEqual([]);
  });

  test('an unknown token gets 401, a read-only token cannot write, an installation token cannot read /user', async () => {
    expect((await call('GET', '/user', undefined, { authorization: 'token nope' })).status).toBe(401);
    const write = await call(
      'POST',
      '/repos/o/r/issues/7/comments',
      { body: 'x' },
      { authorization: 'token ghs_readonly' },
    );
    expect(write.status).toBe(403);
    expect(write.body.message).toBe('Resource not accessible by integration');
    expect((await call('GET', '/user', undefined, { authorization: 'token ghs_readonly' })).status).toBe(403);
  });

  test('faults answer the requested status for the requested number of calls', async () => {
    gh.fail({ operationId: 'issues/list-comments', status: 500, times: 2 });
    expect((await call('GET', '/repos/o/r/issues/7/comments')).status).toBe(500);
    expect((await call('GET', '/repos/o/r/issues/7/comments')).status).toBe(500);
    expect((await call('GET', '/repos/o/r/issues/7/comments')).status).toBe(200);
  });

  test("a secondary rate limit is a 403 with Retry-After and GitHub's message", async () => {
    gh.fail({
      operationId: 'issues/create-comment',
      status: 403,
      kind: 'secondary-rate-limit',
      retryAfterSeconds: 3,
    });
    const res = await call('POST', '/repos/o/r/issues/7/comments', { body: 'x' });
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.body.message).toMatch(/secondary rate limit/);
  });

  test('comments longer than 65536 characters are refused', async () => {
    const res = await call('POST', '/repos/o/r/issues/7/comments', { body: 'x'.repeat(65537) });
    expect(res.status).toBe(422);
    expect(gh.commentsOn('o', 'r', 7)).toHaveLength(0);
  });

  test("editing someone else's comment is refused", async () => {
    const theirs = gh.addComment('o', 'r', 7, { author: 'mallory', body: 'mine' });
    const res = await call('PATCH', `/repos/o/r/issues/comments/${theirs.id}`, { body: 'changed' });
    expect(res.status).toBe(403);
    expect(gh.commentsOn('o', 'r', 7)[0]!.body).toBe('mine');
  });
});
