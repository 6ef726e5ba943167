/**
 * The client when the GitHub API gives no answer: the error says it was the GitHub API, which call, and what to
 * check, and such a request is retried once, not on the 1 + 4 + 9 s schedule of server errors.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { ActionError } from '../common/errors.js';
import { createGitHubClient, isUnreachable, UNREACHABLE_RETRIES, unreachableMessage } from './client.js';

const log = { warning: () => undefined, debug: () => undefined };
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback port that accepts connections and closes them at once (no HTTP answer); counts connections. */
async function hangUpServer(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, connections: () => connections };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolved');
}

describe('an API that cannot be reached', () => {
  it('fails with an ActionError naming the GitHub API, the call and what to check', async () => {
    const baseUrl = await closedPort();
    const client = createGitHubClient({ token: 't', baseUrl, log });
    const error = await failureOf(
      client.rest.issues.listComments({ owner: 'o', repo: 'r', issue_number: 2 }),
    );
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(
      new RegExp(
        `^The GitHub API at ${baseUrl} could not be reached \\(connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\) on GET /repos/o/r/issues/2/comments\\. Check GITHUB_API_URL`,
      ),
    );
    expect(error.message).toContain('HTTPS_PROXY');
  });

  it(`is retried ${UNREACHABLE_RETRIES} time(s), not on the server-error schedule`, async () => {
    const api = await hangUpServer();
    const client = createGitHubClient({ token: 't', baseUrl: api.url, log });
    const error = await failureOf(client.rest.users.getAuthenticated());
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toContain(`The GitHub API at ${api.url} could not be reached`);
    expect(error.message).toContain('on GET /user.');
    expect(api.connections()).toBe(1 + UNREACHABLE_RETRIES);
  });
});

describe('isUnreachable and its message', () => {
  it('is true only for a request error without a response', () => {
    const request = { method: 'GET', url: 'https://api.github.com/user' };
    expect(isUnreachable({ status: 500, request, message: 'connect ECONNREFUSED' })).toBe(true);
    expect(isUnreachable({ status: 500, request, response: { status: 500 } })).toBe(false);
    expect(isUnreachable({ status: 404, request })).toBe(false);
    expect(isUnreachable(new Error('boom'))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });

  it('shows the path of a call under the base URL, and the whole URL otherwise', () => {
    expect(
      unreachableMessage(
        'https://ghe.example/api/v3',
        'POST',
        'https://ghe.example/api/v3/repos/o/r/issues/1/comments',
        'getaddrinfo ENOTFOUND ghe.example',
      ),
    ).toMatch(
      /^The GitHub API at https:\/\/ghe\.example\/api\/v3 could not be reached \(getaddrinfo ENOTFOUND ghe\.example\) on POST \/repos\/o\/r\/issues\/1\/comments\./,
    );
    expect(unreachableMessage('https://a', 'GET', 'https://b/x', 'r')).toContain('on GET https://b/x.');
  });
});
