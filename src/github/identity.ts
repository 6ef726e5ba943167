/**
 * Whose comments are ours. A personal access token can say (`GET /user`); an installation token (the workflow's
 * GITHUB_TOKEN, or a GitHub App's) cannot, and for the workflow token the author is always
 * `github-actions[bot]`. A GitHub App's own bot login must then be given (`comment-author`).
 */
import { ActionError } from '../common/errors.js';
import { httpStatus, type GitHubClient } from './client.js';

export const ACTIONS_BOT = 'github-actions[bot]';

export interface TokenIdentity {
  login: string;
  source: 'input' | 'api' | 'assumed';
}

export async function resolveTokenIdentity(client: GitHubClient, explicit?: string): Promise<TokenIdentity> {
  if (explicit) return { login: explicit, source: 'input' };
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return { login: data.login, source: 'api' };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 401) {
      throw new ActionError(
        "The GitHub token was rejected (401 Bad credentials): check the 'github-token' input (default: the workflow's GITHUB_TOKEN).",
      );
    }
    if (status === 403 || status === 404) return { login: ACTIONS_BOT, source: 'assumed' };
    throw error;
  }
}

export function sameLogin(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
