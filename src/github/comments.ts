/**
 * Sticky comments: one comment per (kind, label) on an issue or pull request, found by a hidden marker on its
 * first line and edited in place on every run.
 *
 *     <!-- openclaw:plan-comment label=us-east-1 fingerprint=sha256:... -->
 *
 * Only comments written by our own identity are edited or deleted: anyone can paste a marker into a comment.
 * Every page of comments is read. Labels are percent-encoded in the marker, so any label is safe inside an HTML
 * comment and matches exactly. Jobs of a matrix use different labels and never touch each other's comment; two
 * runs for the same label that race to create it both notice the duplicate afterwards and keep the oldest.
 */
import type { GitHubClient } from './client.js';
import type { RepoRef } from './context.js';
import { sameLogin } from './identity.js';

/**
 * The marker kind of plan comments: plan-comment writes it, apply-gate looks for it (in another workflow), so it
 * lives here, beside the marker, and neither action imports the other.
 */
export const PLAN_COMMENT_KIND = 'plan-comment';

export interface MarkerFields {
  kind: string;
  label: string;
  [field: string]: string;
}

const MARKER = /^<!-- openclaw:([a-z][a-z0-9-]*)((?: [a-z][a-z0-9-]*=[^\s]*)*) -->/;

/** The hidden first line of a sticky comment. Field values are percent-encoded. */
export function formatMarker(fields: MarkerFields): string {
  const { kind, ...rest } = fields;
  const pairs = Object.entries(rest).map(([k, v]) => ` ${k}=${encodeField(v)}`);
  return `<!-- openclaw:${kind}${pairs.join('')} -->`;
}

/** Percent-encoding that keeps `:`, `/` and `@` readable; `>`, spaces and newlines can never close the comment. */
function encodeField(value: string): string {
  return encodeURIComponent(value).replace(/%(3A|2F|40)/g, (escape) => decodeURIComponent(escape));
}

/** The marker fields of a comment body, when its first line is one. */
export function parseMarker(body: string | null | undefined): MarkerFields | undefined {
  if (!body) return undefined;
  const match = MARKER.exec(body);
  if (!match) return undefined;
  const fields: Record<string, string> = { kind: match[1]! };
  for (const pair of (match[2] ?? '').trim().split(' ').filter(Boolean)) {
    const eq = pair.indexOf('=');
    try {
      fields[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      return undefined;
    }
  }
  if (fields['label'] === undefined) return undefined;
  return fields as MarkerFields;
}

export interface StickyTarget extends RepoRef {
  issueNumber: number;
}

export interface IssueComment {
  id: number;
  body?: string | undefined;
  html_url: string;
  user: { login: string; type?: string } | null;
  created_at: string;
  updated_at: string;
}

export async function listComments(client: GitHubClient, target: StickyTarget): Promise<IssueComment[]> {
  return (await client.paginate(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })) as IssueComment[];
}

/** Every comment with this kind and label, oldest first; `author` restricts to one identity. */
export function matchingComments(
  comments: IssueComment[],
  kind: string,
  label: string,
  author?: string,
): IssueComment[] {
  return comments
    .filter((c) => {
      const fields = parseMarker(c.body);
      return (
        fields?.kind === kind &&
        fields.label === label &&
        (author === undefined || sameLogin(c.user?.login, author))
      );
    })
    .sort((a, b) => a.id - b.id);
}

export interface StickyResult {
  id: number;
  url: string;
  action: 'created' | 'updated' | 'recreated';
  /** Duplicates for this label that were removed. */
  removed: number;
}

export interface StickyRequest {
  target: StickyTarget;
  kind: string;
  label: string;
  author: string;
  body: string;
  mode: 'upsert' | 'recreate';
}

export async function upsertStickyComment(
  client: GitHubClient,
  request: StickyRequest,
): Promise<StickyResult> {
  const { target, kind, label, author, body } = request;
  const repo = { owner: target.owner, repo: target.repo };
  const existing = matchingComments(await listComments(client, target), kind, label, author);
  let removed = 0;
  if (request.mode === 'upsert' && existing.length > 0) {
    const [keep, ...duplicates] = existing;
    const { data } = await client.rest.issues.updateComment({ ...repo, comment_id: keep!.id, body });
    for (const duplicate of duplicates) removed += await deleteComment(client, repo, duplicate.id);
    return { id: data.id, url: data.html_url, action: 'updated', removed };
  }
  for (const old of existing) removed += await deleteComment(client, repo, old.id);
  const { data: created } = await client.rest.issues.createComment({
    ...repo,
    issue_number: target.issueNumber,
    body,
  });
  // Another run for the same label may have created its comment at the same time: keep the oldest only.
  const after = matchingComments(await listComments(client, target), kind, label, author);
  const oldest = after[0];
  if (oldest && oldest.id !== created.id) {
    const { data } = await client.rest.issues.updateComment({ ...repo, comment_id: oldest.id, body });
    for (const duplicate of after.slice(1)) removed += await deleteComment(client, repo, duplicate.id);
    return { id: data.id, url: data.html_url, action: 'updated', removed };
  }
  for (const duplicate of after.slice(1)) removed += await deleteComment(client, repo, duplicate.id);
  return {
    id: created.id,
    url: created.html_url,
    action: request.mode === 'recreate' && existing.length ? 'recreated' : 'created',
    removed,
  };
}

/** Delete this label's comments by `author`; returns how many were deleted. */
export async function deleteStickyComments(
  client: GitHubClient,
  target: StickyTarget,
  kind: string,
  label: string,
  author: string,
): Promise<number> {
  let removed = 0;
  for (const comment of matchingComments(await listComments(client, target), kind, label, author)) {
    removed += await deleteComment(client, target, comment.id);
  }
  return removed;
}

async function deleteComment(client: GitHubClient, repo: RepoRef, id: number): Promise<number> {
  try {
    await client.rest.issues.deleteComment({ owner: repo.owner, repo: repo.repo, comment_id: id });
    return 1;
  } catch (error) {
    // already gone (a concurrent run removed it): that is the state we wanted
    if ((error as { status?: number }).status === 404) return 0;
    throw error;
  }
}
