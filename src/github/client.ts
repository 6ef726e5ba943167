/**
 * The Octokit every action uses: `GITHUB_API_URL` as base (GitHub Enterprise Server works), retries on server
 * errors, and waits out primary and secondary rate limits (a few times, then gives up with the error). An API
 * that cannot be reached at all is retried once, then fails with an ActionError that names the API, the call and
 * what to check.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ActionError } from '../common/errors.js';

export interface ClientLog {
  warning(message: string): void;
  debug(message: string): void;
}

export interface ClientOptions {
  token: string;
  baseUrl: string;
  log: ClientLog;
  /** Retries after a rate limit or server error before the error is returned (default 3). */
  maxRetries?: number;
}

/**
 * Retries when no HTTP answer came at all (refused, reset, DNS): one, after 1 s. A server that is not there
 * seldom appears within seconds, and the 1 + 4 + 9 s of the server-error schedule only delay the message.
 */
export const UNREACHABLE_RETRIES = 1;

/** The parts of an Octokit request error this module reads. */
interface RequestFailure {
  status?: unknown;
  response?: unknown;
  message?: unknown;
  request?: { method?: string; url?: string; request?: { retries?: number } };
}

/**
 * True for an Octokit error that carries no HTTP response: the request never got an answer (Octokit reports
 * those as status 500 with the network error's message, e.g. `connect ECONNREFUSED 127.0.0.1:443`).
 */
export function isUnreachable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const failure = error as RequestFailure;
  return failure.status === 500 && failure.response === undefined && failure.request !== undefined;
}

/**
 * The network error under an unreachable request's error: `fetch failed` says little, its cause (`connect
 * ECONNREFUSED 127.0.0.1:443`, `getaddrinfo ENOTFOUND ghe.example`) says what happened. The deepest message of
 * the cause chain (at most a few levels), or its code when the message is empty (an AggregateError).
 */
export function networkReason(error: unknown): string {
  let reason = '';
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { message, code, cause } = current as { message?: unknown; code?: unknown; cause?: unknown };
    if (typeof message === 'string' && message !== '') reason = message;
    else if (typeof code === 'string') reason = code;
    current = cause;
  }
  return reason || 'no answer';
}

/** What to tell the user when the API at `baseUrl` gave no answer to `method url`. */
export function unreachableMessage(baseUrl: string, method: string, url: string, reason: string): string {
  const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) || '/' : url;
  return (
    `The GitHub API at ${baseUrl} could not be reached (${reason}) on ${method} ${path}. ` +
    'Check GITHUB_API_URL (https://api.github.com on github.com; https://HOST/api/v3 on GitHub Enterprise Server) ' +
    'and that this runner can reach it: network, firewall, and proxy settings (HTTPS_PROXY, NO_PROXY).'
  );
}

/** A plugin placed before plugin-retry: a request that got no answer is retried fewer times (see above). */
function unreachableRetries(octokit: {
  hook: { error(name: 'request', hook: (error: unknown, options: { request?: object }) => never): void };
}): void {
  octokit.hook.error('request', (error, options) => {
    if (isUnreachable(error) && options.request) {
      const request = options.request as { retries?: number };
      request.retries = Math.min(request.retries ?? UNREACHABLE_RETRIES, UNREACHABLE_RETRIES);
    }
    throw error;
  });
}

export function createGitHubClient(options: ClientOptions) {
  const maxRetries = options.maxRetries ?? 3;
  const onLimit =
    (what: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number,
    ): boolean => {
      options.log.warning(
        `GitHub API ${what} hit on ${request.method} ${request.url}; retrying in ${retryAfter}s.`,
      );
      return retryCount < maxRetries;
    };
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: 'openclaw-gitops-actions',
      // not `request: { retries }`: that replaces @actions/github's proxy-aware request defaults, and plugin-retry
      // then retries every failure, 403 and 404 included
      retry: { retries: maxRetries, doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
      throttle: { onRateLimit: onLimit('rate limit'), onSecondaryRateLimit: onLimit('secondary rate limit') },
    },
    unreachableRetries,
    retry,
    throttling,
  );
  // registered last, so it runs after every retry: the error the caller sees
  octokit.hook.error('request', (error, request) => {
    if (!isUnreachable(error)) throw error;
    const failure = error as RequestFailure;
    const method = failure.request?.method ?? request.method ?? 'GET';
    const url = failure.request?.url ?? String(request.url ?? '');
    throw new ActionError(unreachableMessage(options.baseUrl, method, url, networkReason(error)), {
      cause: error,
    });
  });
  return octokit;
}

export type GitHubClient = ReturnType<typeof createGitHubClient>;

/** The HTTP status of an Octokit request error, if it is one. */
export function httpStatus(error: unknown): number | undefined {
  if (error !== null && typeof error === 'object' && 'status' in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}
