/**
 * The Octokit every action uses: `GITHUB_API_URL` as base (GitHub Enterprise Server works), retries on server
 * errors, and waits out primary and secondary rate limits (a few times, then gives up with the error).
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

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
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: 'openclaw-gitops-actions',
      // not `request: { retries }`: that replaces @actions/github's proxy-aware request defaults, and plugin-retry
      // then retries every failure, 403 and 404 included
      retry: { retries: maxRetries, doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
      throttle: { onRateLimit: onLimit('rate limit'), onSecondaryRateLimit: onLimit('secondary rate limit') },
    },
    retry,
    throttling,
  );
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
