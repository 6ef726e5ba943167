/**
 * What the runner tells an action about its run, read from the environment once (GITHUB_REPOSITORY,
 * GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_API_URL, ...). Passed around as plain data so tests
 * can build one without a runner.
 */
import { readFileSync } from 'node:fs';
import { ActionError } from '../common/errors.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface RunContext {
  repo: RepoRef;
  eventName: string;
  payload: Record<string, unknown>;
  sha: string;
  ref: string;
  apiUrl: string;
  serverUrl: string;
  runId: string;
  runAttempt: string;
  workflow: string;
  job: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new ActionError(
      `GITHUB_REPOSITORY is ${JSON.stringify(repository)}: expected "owner/repo". This action must run in a GitHub Actions job.`,
    );
  }
  let payload: Record<string, unknown> = {};
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ActionError(
        `Cannot read the event payload at GITHUB_EVENT_PATH (${eventPath}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return {
    repo: { owner, repo },
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    payload,
    sha: env['GITHUB_SHA'] ?? '',
    ref: env['GITHUB_REF'] ?? '',
    apiUrl: (env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, ''),
    runId: env['GITHUB_RUN_ID'] ?? '',
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    workflow: env['GITHUB_WORKFLOW'] ?? '',
    job: env['GITHUB_JOB'] ?? '',
  };
}

/** Link to this workflow run (this attempt), or undefined outside a run. */
export function runUrl(context: RunContext): string | undefined {
  if (!context.runId) return undefined;
  const base = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
  return context.runAttempt && context.runAttempt !== '1' ? `${base}/attempts/${context.runAttempt}` : base;
}

/** The commit the run is about: a pull request's head, or GITHUB_SHA. */
export function headSha(context: RunContext): string {
  const pr = context.payload['pull_request'] as { head?: { sha?: string } } | undefined;
  return pr?.head?.sha ?? context.sha;
}
