/**
 * A local GitHub REST API double: an HTTP server on 127.0.0.1 (random port) that keeps state for issue comments,
 * pull requests, reviews, files, commits, contents and team memberships, and answers like api.github.com.
 *
 * Faithfulness is checked, not assumed: every request it receives and every response it sends is validated
 * against GitHub's official OpenAPI description (see openapi.ts). A request to an undescribed endpoint, an
 * unknown query parameter, an invalid body, or a response the description does not allow is recorded in
 * `violations`; tests assert there are none. It paginates like GitHub (per_page up to 100, page, Link headers),
 * authenticates tokens (401 for unknown ones, 403 "Resource not accessible by integration" for writes with a
 * read-only token), and can be told to fail: 403, 404, 422, 500 or a secondary rate limit, for a number of
 * requests to one operation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fakeSha,
  nodeId,
  privateUser,
  repository,
  simpleUser,
  type RepoRecord,
  type UserRecord,
} from './factories.js';
import { OpenApiValidator, type MatchedOperation } from './openapi.js';

export interface TokenRecord {
  user: UserRecord;
  /** Installation tokens (GITHUB_TOKEN, apps) cannot call GET /user. */
  installation: boolean;
  write: boolean;
  /** Can read organization team membership (read:org, or an app's Members permission). */
  readOrg: boolean;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  author: UserRecord;
  createdAt: string;
  updatedAt: string;
  viaActions: boolean;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface ReviewRecord {
  id: number;
  author: UserRecord;
  state: ReviewState;
  commitId: string;
  body: string;
  submittedAt: string;
}

export interface CommitRecord {
  sha: string;
  message: string;
  author: UserRecord;
  date: string;
  parents: string[];
}

export interface FileRecord {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions: number;
  deletions: number;
  previousFilename?: string;
}

export interface PullRecord {
  repo: string;
  number: number;
  title: string;
  body: string | null;
  author: UserRecord;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: UserRecord | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  commits: CommitRecord[];
  files: FileRecord[];
  reviews: ReviewRecord[];
}

export interface Fault {
  /** operationId from the description, e.g. `issues/create-comment`. */
  operationId: string;
  status: 403 | 404 | 422 | 500 | 502 | 503;
  /** `secondary-rate-limit` answers 403 with GitHub's secondary rate limit message and Retry-After. */
  kind?: 'error' | 'secondary-rate-limit';
  message?: string;
  retryAfterSeconds?: number;
  /** How many matching requests fail (default 1); Infinity for all. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operationId: string | undefined;
  body: unknown;
  status: number;
  token: string | undefined;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: HandlerContext) => Reply;

interface HandlerContext {
  op: MatchedOperation;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token: TokenRecord;
  url: URL;
}

const DOCS = 'https://docs.github.com/rest';
const START = Date.parse('2026-01-01T00:00:00Z');

export class GitHubDouble {
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly users = new Map<string, UserRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly pulls = new Map<string, PullRecord>();
  readonly comments: CommentRecord[] = [];
  /** Issue numbers (plain issues; pull requests count as issues too) by `owner/repo`. */
  readonly issues = new Map<string, Set<number>>();
  /** Files by `owner/repo@ref:path` (ref `*` for any ref). */
  readonly contents = new Map<string, string>();
  /** Team members by `org/team-slug`. */
  readonly teams = new Map<string, Set<string>>();
  /** Repository permissions by `owner/repo:login`. */
  readonly permissions = new Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'>();
  private readonly faults: (Fault & { remaining: number })[] = [];
  private readonly validator = new OpenApiValidator();
  private nextId = 1000;
  private clock = START;
  private server: Server | undefined;
  url = '';

  static async start(): Promise<GitHubDouble> {
    const double = new GitHubDouble();
    await double.listen();
    return double;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push(`double crashed on ${req.method} ${req.url}: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  // ---- state set-up ----------------------------------------------------------------------------------------

  /** The current time of the double's clock; every write advances it by one second. */
  now(): string {
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  tick(seconds = 1): string {
    this.clock += seconds * 1000;
    return this.now();
  }

  user(login: string, type: UserRecord['type'] = login.endsWith('[bot]') ? 'Bot' : 'User'): UserRecord {
    let u = this.users.get(login.toLowerCase());
    if (!u) {
      u = { login, id: this.nextId++, type };
      this.users.set(login.toLowerCase(), u);
    }
    return u;
  }

  addToken(
    token: string,
    login: string,
    options: { installation?: boolean; write?: boolean; readOrg?: boolean } = {},
  ): void {
    const installation = options.installation ?? login.endsWith('[bot]');
    this.tokens.set(token, {
      user: this.user(login),
      installation,
      write: options.write ?? true,
      // the workflow's GITHUB_TOKEN cannot read team membership; a PAT with read:org can
      readOrg: options.readOrg ?? !installation,
    });
  }

  repo(owner: string, name: string): RepoRecord {
    const key = `${owner}/${name}`;
    let r = this.repos.get(key);
    if (!r) {
      r = { owner: this.user(owner), name, id: this.nextId++, private: false, defaultBranch: 'main' };
      this.repos.set(key, r);
    }
    return r;
  }

  addPullRequest(
    owner: string,
    name: string,
    pr: Partial<Omit<PullRecord, 'repo' | 'author'>> & { number: number; author?: string },
  ): PullRecord {
    const repo = this.repo(owner, name);
    const at = this.tick();
    const headSha = pr.headSha ?? fakeSha(`head-${owner}/${name}#${pr.number}`);
    const record: PullRecord = {
      repo: `${repo.owner.login}/${repo.name}`,
      title: `Change #${pr.number}`,
      body: null,
      state: 'open',
      draft: false,
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      mergedBy: null,
      headRef: `feature-${pr.number}`,
      baseRef: repo.defaultBranch,
      baseSha: fakeSha(`base-${owner}/${name}#${pr.number}`),
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      commits: [],
      files: [],
      reviews: [],
      ...pr,
      headSha,
      author: this.user(pr.author ?? 'octocat'),
    };
    if (record.commits.length === 0) {
      record.commits.push({
        sha: headSha,
        message: record.title,
        author: record.author,
        date: at,
        parents: [record.baseSha],
      });
    }
    this.pulls.set(`${record.repo}#${pr.number}`, record);
    return record;
  }

  /** A plain issue (not a pull request) that comments can be posted on. */
  addIssue(owner: string, name: string, number: number): void {
    this.repo(owner, name);
    const key = `${owner}/${name}`;
    if (!this.issues.has(key)) this.issues.set(key, new Set());
    this.issues.get(key)!.add(number);
  }

  /** True when the issue or pull request exists. */
  hasIssue(owner: string, name: string, number: number): boolean {
    return (
      this.pulls.has(`${owner}/${name}#${number}`) ||
      (this.issues.get(`${owner}/${name}`)?.has(number) ?? false)
    );
  }

  pull(owner: string, name: string, number: number): PullRecord {
    const pr = this.pulls.get(`${owner}/${name}#${number}`);
    if (!pr) throw new Error(`no pull request ${owner}/${name}#${number} in the double`);
    return pr;
  }

  /** Push a new head commit to a pull request. */
  push(owner: string, name: string, number: number, author = 'octocat'): string {
    const pr = this.pull(owner, name, number);
    const at = this.tick();
    const sha = fakeSha(`${pr.headSha}-next-${at}`);
    pr.commits.push({
      sha,
      message: `commit at ${at}`,
      author: this.user(author),
      date: at,
      parents: [pr.headSha],
    });
    pr.headSha = sha;
    pr.updatedAt = at;
    return sha;
  }

  addReview(
    owner: string,
    name: string,
    number: number,
    review: { author: string; state: ReviewState; commitId?: string; body?: string },
  ): ReviewRecord {
    const pr = this.pull(owner, name, number);
    const record: ReviewRecord = {
      id: this.nextId++,
      author: this.user(review.author),
      state: review.state,
      commitId: review.commitId ?? pr.headSha,
      body: review.body ?? '',
      submittedAt: this.tick(),
    };
    pr.reviews.push(record);
    return record;
  }

  addComment(
    owner: string,
    name: string,
    issueNumber: number,
    comment: { author: string; body: string },
  ): CommentRecord {
    this.repo(owner, name);
    const at = this.tick();
    const record: CommentRecord = {
      id: this.nextId++,
      repo: `${owner}/${name}`,
      issueNumber,
      body: comment.body,
      author: this.user(comment.author),
      createdAt: at,
      updatedAt: at,
      viaActions: comment.author === 'github-actions[bot]',
    };
    this.comments.push(record);
    return record;
  }

  commentsOn(owner: string, name: string, issueNumber: number): CommentRecord[] {
    return this.comments
      .filter((c) => c.repo === `${owner}/${name}` && c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }

  setContent(owner: string, name: string, path: string, text: string, ref = '*'): void {
    this.repo(owner, name);
    this.contents.set(`${owner}/${name}@${ref}:${path}`, text);
  }

  addTeamMember(org: string, team: string, login: string): void {
    this.user(org, 'Organization');
    const key = `${org}/${team}`.toLowerCase();
    if (!this.teams.has(key)) this.teams.set(key, new Set());
    this.teams.get(key)!.add(login.toLowerCase());
  }

  /** Make the next `times` requests to `operationId` fail. */
  fail(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  requestsTo(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const auth = req.headers['authorization'];
    const tokenText = typeof auth === 'string' ? auth.replace(/^(token|bearer)\s+/i, '') : undefined;
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      operationId: undefined,
      body: undefined,
      status: 0,
      token: tokenText,
    };
    this.requests.push(record);
    const send = (reply: Reply, op?: MatchedOperation, validate = true): void => {
      record.status = reply.status;
      // where the description gives a status no body (a 404 "not a member", a 204), send none
      if (op && this.validator.describesWithoutBody(op, reply.status)) reply = { ...reply, body: undefined };
      if (op && validate) {
        for (const problem of this.validator.validateResponse(op, reply.status, reply.body)) {
          this.violations.push(`response to ${method} ${url.pathname}: ${problem}`);
        }
      }
      const headers: Record<string, string> = {
        'x-github-media-type': 'github.v3; format=json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-github-request-id': `DOUBLE:${this.requests.length}`,
        ...reply.headers,
      };
      if (reply.body === undefined) {
        res.writeHead(reply.status, headers);
        res.end();
      } else {
        res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(reply.body));
      }
    };
    const error = (status: number, message: string, op?: MatchedOperation): void =>
      send(
        { status, body: { message, documentation_url: DOCS, status: String(status) } },
        op,
        op ? this.validator.describes(op, status) : false,
      );

    let body: unknown;
    const hasBody = raw.length > 0;
    if (hasBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${method} ${url.pathname}: request body is not JSON`);
        return error(400, 'Problems parsing JSON');
      }
    }
    record.body = body;
    const op = this.validator.match(method, url.pathname);
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: no such endpoint in GitHub's OpenAPI description`);
      return error(404, 'Not Found');
    }
    record.operationId = op.operationId;
    const problems = this.validator.validateRequest(op, url.searchParams, body, hasBody);
    if (problems.length > 0) {
      for (const p of problems) this.violations.push(`${method} ${url.pathname}: ${p}`);
      return error(422, `Invalid request: ${problems.join('; ')}`, op);
    }
    const token = tokenText ? this.tokens.get(tokenText) : undefined;
    if (!token) return error(401, 'Bad credentials', op);

    const fault = this.faults.find((f) => f.operationId === op.operationId && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      if (fault.kind === 'secondary-rate-limit') {
        return send(
          {
            status: 403,
            body: {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID DOUBLE.',
              documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
              status: '403',
            },
            headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          },
          op,
          this.validator.describes(op, 403),
        );
      }
      return error(fault.status, fault.message ?? defaultMessage(fault.status), op);
    }

    const handler = this.handlers[op.operationId];
    if (!handler) {
      this.violations.push(
        `${method} ${url.pathname}: ${op.operationId} is described but the double does not implement it`,
      );
      return error(501, 'Not implemented by the double');
    }
    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (isWrite && !token.write) return error(403, 'Resource not accessible by integration', op);
    const reply = handler({
      op,
      query: url.searchParams,
      body: (body ?? {}) as Record<string, unknown>,
      token,
      url,
    });
    send(reply, op, reply.status < 400 || this.validator.describes(op, reply.status));
  }

  // ---- responses -------------------------------------------------------------------------------------------

  private get web(): string {
    return 'https://github.com';
  }

  private paginate(items: unknown[], ctx: HandlerContext): Reply {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? 30)));
    const page = Math.max(1, Number(ctx.query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number): string => {
      const u = new URL(ctx.url);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const rels: string[] = [];
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    return { status: 200, body: slice, headers: rels.length ? { link: rels.join(', ') } : {} };
  }

  private repoOf(ctx: HandlerContext): RepoRecord | undefined {
    return this.repos.get(`${ctx.op.params['owner']}/${ctx.op.params['repo']}`);
  }

  private commentJson(c: CommentRecord): Record<string, unknown> {
    const api = this.url;
    return {
      id: c.id,
      node_id: nodeId('IssueComment', c.id),
      url: `${api}/repos/${c.repo}/issues/comments/${c.id}`,
      html_url: `${this.web}/${c.repo}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${api}/repos/${c.repo}/issues/${c.issueNumber}`,
      body: c.body,
      user: simpleUser(api, this.web, c.author),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.author.type === 'Bot' ? 'NONE' : 'MEMBER',
      performed_via_github_app: null,
      reactions: {
        url: `${api}/repos/${c.repo}/issues/comments/${c.id}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        confused: 0,
        heart: 0,
        hooray: 0,
        eyes: 0,
        rocket: 0,
      },
    };
  }

  private pullJson(pr: PullRecord, full: boolean): Record<string, unknown> {
    const api = this.url;
    const repo = this.repos.get(pr.repo)!;
    const url = `${api}/repos/${pr.repo}/pulls/${pr.number}`;
    const html = `${this.web}/${pr.repo}/pull/${pr.number}`;
    const repoJson = repository(api, this.web, repo, pr.createdAt);
    const branch = (ref: string, sha: string) => ({
      label: `${repo.owner.login}:${ref}`,
      ref,
      sha,
      user: simpleUser(api, this.web, repo.owner),
      repo: repoJson,
    });
    const json: Record<string, unknown> = {
      url,
      id: 100000 + pr.number,
      node_id: nodeId('PullRequest', 100000 + pr.number),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/repos/${pr.repo}/issues/${pr.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${api}/repos/${pr.repo}/pulls/comments{/number}`,
      comments_url: `${api}/repos/${pr.repo}/issues/${pr.number}/comments`,
      statuses_url: `${api}/repos/${pr.repo}/statuses/${pr.headSha}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: simpleUser(api, this.web, pr.author),
      body: pr.body,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branch(pr.headRef, pr.headSha),
      base: branch(pr.baseRef, pr.baseSha),
      _links: {
        self: { href: url },
        html: { href: html },
        issue: { href: `${api}/repos/${pr.repo}/issues/${pr.number}` },
        comments: { href: `${api}/repos/${pr.repo}/issues/${pr.number}/comments` },
        review_comments: { href: `${url}/comments` },
        review_comment: { href: `${api}/repos/${pr.repo}/pulls/comments{/number}` },
        commits: { href: `${url}/commits` },
        statuses: { href: `${api}/repos/${pr.repo}/statuses/${pr.headSha}` },
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: pr.draft,
    };
    if (full) {
      Object.assign(json, {
        merged: pr.merged,
        mergeable: pr.state === 'open' ? true : null,
        rebaseable: pr.state === 'open' ? true : null,
        mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
        merged_by: pr.mergedBy ? simpleUser(api, this.web, pr.mergedBy) : null,
        comments: this.comments.filter((c) => c.repo === pr.repo && c.issueNumber === pr.number).length,
        review_comments: 0,
        maintainer_can_modify: false,
        commits: pr.commits.length,
        additions: pr.files.reduce((n, f) => n + f.additions, 0),
        deletions: pr.files.reduce((n, f) => n + f.deletions, 0),
        changed_files: pr.files.length,
      });
    }
    return json;
  }

  private reviewJson(pr: PullRecord, r: ReviewRecord): Record<string, unknown> {
    const html = `${this.web}/${pr.repo}/pull/${pr.number}#pullrequestreview-${r.id}`;
    return {
      id: r.id,
      node_id: nodeId('PullRequestReview', r.id),
      user: simpleUser(this.url, this.web, r.author),
      body: r.body,
      state: r.state,
      html_url: html,
      pull_request_url: `${this.url}/repos/${pr.repo}/pulls/${pr.number}`,
      _links: {
        html: { href: html },
        pull_request: { href: `${this.url}/repos/${pr.repo}/pulls/${pr.number}` },
      },
      submitted_at: r.submittedAt,
      commit_id: r.commitId,
      author_association: 'MEMBER',
    };
  }

  private commitJson(pr: PullRecord, c: CommitRecord): Record<string, unknown> {
    const api = this.url;
    const person = {
      name: c.author.login,
      email: `${c.author.login}@users.noreply.github.com`,
      date: c.date,
    };
    return {
      url: `${api}/repos/${pr.repo}/commits/${c.sha}`,
      sha: c.sha,
      node_id: nodeId('Commit', parseInt(c.sha.slice(0, 8), 16)),
      html_url: `${this.web}/${pr.repo}/commit/${c.sha}`,
      comments_url: `${api}/repos/${pr.repo}/commits/${c.sha}/comments`,
      commit: {
        url: `${api}/repos/${pr.repo}/git/commits/${c.sha}`,
        author: person,
        committer: person,
        message: c.message,
        comment_count: 0,
        tree: {
          sha: fakeSha(`tree-${c.sha}`),
          url: `${api}/repos/${pr.repo}/git/trees/${fakeSha(`tree-${c.sha}`)}`,
        },
        verification: {
          verified: false,
          reason: 'unsigned',
          payload: null,
          signature: null,
          verified_at: null,
        },
      },
      author: simpleUser(api, this.web, c.author),
      committer: simpleUser(api, this.web, c.author),
      parents: c.parents.map((sha) => ({
        sha,
        url: `${api}/repos/${pr.repo}/commits/${sha}`,
        html_url: `${this.web}/${pr.repo}/commit/${sha}`,
      })),
    };
  }

  private findPull(ctx: HandlerContext, param = 'pull_number'): PullRecord | undefined {
    return this.pulls.get(`${ctx.op.params['owner']}/${ctx.op.params['repo']}#${ctx.op.params[param]}`);
  }

  private notFound(): Reply {
    return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
  }

  private readonly handlers: Record<string, Handler> = {
    'users/get-authenticated': (ctx) => {
      if (ctx.token.installation) {
        return {
          status: 403,
          body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
        };
      }
      return { status: 200, body: privateUser(this.url, this.web, ctx.token.user, this.now()) };
    },
    'issues/list-comments': (ctx) => {
      const number = Number(ctx.op.params['issue_number']);
      if (!this.hasIssue(ctx.op.params['owner']!, ctx.op.params['repo']!, number)) return this.notFound();
      const since = ctx.query.get('since');
      const list = this.commentsOn(ctx.op.params['owner']!, ctx.op.params['repo']!, number).filter(
        (c) => !since || c.updatedAt >= since,
      );
      return this.paginate(
        list.map((c) => this.commentJson(c)),
        ctx,
      );
    },
    'issues/create-comment': (ctx) => {
      const repo = this.repoOf(ctx);
      if (!repo || !this.hasIssue(repo.owner.login, repo.name, Number(ctx.op.params['issue_number'])))
        return this.notFound();
      const body = String(ctx.body['body']);
      if (body.length > 65536) return commentTooLong();
      const c = this.addComment(repo.owner.login, repo.name, Number(ctx.op.params['issue_number']), {
        author: ctx.token.user.login,
        body,
      });
      return {
        status: 201,
        body: this.commentJson(c),
        headers: { location: `${this.url}/repos/${c.repo}/issues/comments/${c.id}` },
      };
    },
    'issues/get-comment': (ctx) => {
      const c = this.comments.find(
        (x) =>
          x.id === Number(ctx.op.params['comment_id']) &&
          x.repo === `${ctx.op.params['owner']}/${ctx.op.params['repo']}`,
      );
      return c ? { status: 200, body: this.commentJson(c) } : this.notFound();
    },
    'issues/update-comment': (ctx) => {
      const c = this.comments.find(
        (x) =>
          x.id === Number(ctx.op.params['comment_id']) &&
          x.repo === `${ctx.op.params['owner']}/${ctx.op.params['repo']}`,
      );
      if (!c) return this.notFound();
      if (c.author.login !== ctx.token.user.login) {
        // GitHub answers 403 to an edit of someone else's comment (not described for this operation: sent as is)
        return {
          status: 403,
          body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
        };
      }
      const body = String(ctx.body['body']);
      if (body.length > 65536) return commentTooLong();
      c.body = body;
      c.updatedAt = this.tick();
      return { status: 200, body: this.commentJson(c) };
    },
    'issues/delete-comment': (ctx) => {
      const i = this.comments.findIndex(
        (x) =>
          x.id === Number(ctx.op.params['comment_id']) &&
          x.repo === `${ctx.op.params['owner']}/${ctx.op.params['repo']}`,
      );
      if (i < 0) return this.notFound();
      if (this.comments[i]!.author.login !== ctx.token.user.login) {
        return {
          status: 403,
          body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
        };
      }
      this.comments.splice(i, 1);
      this.tick();
      return { status: 204 };
    },
    'pulls/get': (ctx) => {
      const pr = this.findPull(ctx);
      return pr ? { status: 200, body: this.pullJson(pr, true) } : this.notFound();
    },
    'pulls/list': (ctx) => {
      const repo = this.repoOf(ctx);
      if (!repo) return this.notFound();
      const state = ctx.query.get('state') ?? 'open';
      const list = [...this.pulls.values()]
        .filter(
          (p) => p.repo === `${repo.owner.login}/${repo.name}` && (state === 'all' || p.state === state),
        )
        .sort((a, b) => b.number - a.number);
      return this.paginate(
        list.map((p) => this.pullJson(p, false)),
        ctx,
      );
    },
    'pulls/list-reviews': (ctx) => {
      const pr = this.findPull(ctx);
      if (!pr) return this.notFound();
      return this.paginate(
        pr.reviews.filter((r) => r.state !== 'PENDING').map((r) => this.reviewJson(pr, r)),
        ctx,
      );
    },
    'pulls/create-review': (ctx) => {
      const pr = this.findPull(ctx);
      if (!pr) return this.notFound();
      const event = String(ctx.body['event'] ?? 'PENDING');
      const state: ReviewState =
        event === 'APPROVE'
          ? 'APPROVED'
          : event === 'REQUEST_CHANGES'
            ? 'CHANGES_REQUESTED'
            : event === 'COMMENT'
              ? 'COMMENTED'
              : 'PENDING';
      const review = this.addReview(ctx.op.params['owner']!, ctx.op.params['repo']!, pr.number, {
        author: ctx.token.user.login,
        state,
        commitId: typeof ctx.body['commit_id'] === 'string' ? ctx.body['commit_id'] : pr.headSha,
        body: typeof ctx.body['body'] === 'string' ? ctx.body['body'] : '',
      });
      return { status: 200, body: this.reviewJson(pr, review) };
    },
    'pulls/dismiss-review': (ctx) => {
      const pr = this.findPull(ctx);
      const review = pr?.reviews.find((r) => r.id === Number(ctx.op.params['review_id']));
      if (!pr || !review) return this.notFound();
      review.state = 'DISMISSED';
      this.tick();
      return { status: 200, body: this.reviewJson(pr, review) };
    },
    'pulls/list-commits': (ctx) => {
      const pr = this.findPull(ctx);
      if (!pr) return this.notFound();
      return this.paginate(
        pr.commits.map((c) => this.commitJson(pr, c)),
        ctx,
      );
    },
    'pulls/list-files': (ctx) => {
      const pr = this.findPull(ctx);
      if (!pr) return this.notFound();
      const files = pr.files.map((f) => ({
        sha: fakeSha(`${pr.headSha}:${f.filename}`),
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        blob_url: `${this.web}/${pr.repo}/blob/${pr.headSha}/${f.filename}`,
        raw_url: `${this.web}/${pr.repo}/raw/${pr.headSha}/${f.filename}`,
        contents_url: `${this.url}/repos/${pr.repo}/contents/${f.filename}?ref=${pr.headSha}`,
        ...(f.previousFilename ? { previous_filename: f.previousFilename } : {}),
      }));
      return this.paginate(files, ctx);
    },
    'repos/list-pull-requests-associated-with-commit': (ctx) => {
      const repo = this.repoOf(ctx);
      if (!repo) return this.notFound();
      const sha = ctx.op.params['commit_sha'];
      const list = [...this.pulls.values()].filter(
        (p) =>
          p.repo === `${repo.owner.login}/${repo.name}` &&
          (p.commits.some((c) => c.sha === sha) || p.mergeCommitSha === sha),
      );
      return this.paginate(
        list.map((p) => this.pullJson(p, false)),
        ctx,
      );
    },
    'issues/get': (ctx) => {
      const repo = this.repoOf(ctx);
      const pr = this.findPull(ctx, 'issue_number');
      if (!repo || !pr) return this.notFound();
      const api = this.url;
      return {
        status: 200,
        body: {
          id: 200000 + pr.number,
          node_id: nodeId('Issue', 200000 + pr.number),
          url: `${api}/repos/${pr.repo}/issues/${pr.number}`,
          repository_url: `${api}/repos/${pr.repo}`,
          labels_url: `${api}/repos/${pr.repo}/issues/${pr.number}/labels{/name}`,
          comments_url: `${api}/repos/${pr.repo}/issues/${pr.number}/comments`,
          events_url: `${api}/repos/${pr.repo}/issues/${pr.number}/events`,
          html_url: `${this.web}/${pr.repo}/pull/${pr.number}`,
          number: pr.number,
          state: pr.state,
          title: pr.title,
          body: pr.body,
          user: simpleUser(api, this.web, pr.author),
          labels: [],
          assignee: null,
          assignees: [],
          milestone: null,
          locked: false,
          comments: this.commentsOn(repo.owner.login, repo.name, pr.number).length,
          pull_request: {
            url: `${api}/repos/${pr.repo}/pulls/${pr.number}`,
            html_url: `${this.web}/${pr.repo}/pull/${pr.number}`,
            diff_url: `${this.web}/${pr.repo}/pull/${pr.number}.diff`,
            patch_url: `${this.web}/${pr.repo}/pull/${pr.number}.patch`,
            merged_at: pr.mergedAt,
          },
          closed_at: pr.closedAt,
          created_at: pr.createdAt,
          updated_at: pr.updatedAt,
          author_association: 'MEMBER',
        },
      };
    },
    'repos/get-content': (ctx) => {
      const repo = this.repoOf(ctx);
      if (!repo) return this.notFound();
      const path = ctx.op.params['path']!;
      const ref = ctx.query.get('ref') ?? repo.defaultBranch;
      const key = `${repo.owner.login}/${repo.name}`;
      const text = this.contents.get(`${key}@${ref}:${path}`) ?? this.contents.get(`${key}@*:${path}`);
      if (text === undefined) return this.notFound();
      const sha = fakeSha(`blob:${text}`);
      const url = `${this.url}/repos/${key}/contents/${path}?ref=${encodeURIComponent(ref)}`;
      return {
        status: 200,
        body: {
          type: 'file',
          encoding: 'base64',
          size: Buffer.byteLength(text),
          name: path.split('/').at(-1),
          path,
          content: Buffer.from(text).toString('base64'),
          sha,
          url,
          git_url: `${this.url}/repos/${key}/git/blobs/${sha}`,
          html_url: `${this.web}/${key}/blob/${ref}/${path}`,
          download_url: `https://raw.githubusercontent.com/${key}/${ref}/${path}`,
          _links: {
            self: url,
            git: `${this.url}/repos/${key}/git/blobs/${sha}`,
            html: `${this.web}/${key}/blob/${ref}/${path}`,
          },
        },
      };
    },
    'teams/get-membership-for-user-in-org': (ctx) => {
      if (!ctx.token.readOrg) {
        // not described for this operation: GitHub sends it all the same
        return {
          status: 403,
          body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
        };
      }
      const { org, team_slug: team, username } = ctx.op.params as Record<string, string>;
      const members = this.teams.get(`${org}/${team}`.toLowerCase());
      if (!username || !members?.has(username.toLowerCase())) return this.notFound();
      return {
        status: 200,
        body: { url: `${this.url}/teams/${team}/memberships/${username}`, role: 'member', state: 'active' },
      };
    },
    'repos/get-collaborator-permission-level': (ctx) => {
      const repo = this.repoOf(ctx);
      if (!repo) return this.notFound();
      const login = ctx.op.params['username']!;
      const permission =
        this.permissions.get(`${repo.owner.login}/${repo.name}:${login.toLowerCase()}`) ?? 'read';
      const user = this.user(login);
      return {
        status: 200,
        body: {
          permission,
          role_name: permission,
          user: {
            ...simpleUser(this.url, this.web, user),
            permissions: {
              admin: permission === 'admin',
              maintain: false,
              push: permission === 'write' || permission === 'admin',
              triage: false,
              pull: true,
            },
          },
        },
      };
    },
    'rate-limit/get': () => {
      const reset = Math.floor(Date.now() / 1000) + 3600;
      const r = { limit: 5000, remaining: 4999, reset, used: 1 };
      return { status: 200, body: { resources: { core: r, search: r, graphql: r }, rate: r } };
    },
  };
}

/** GitHub's answer to a comment body over 65,536 characters. */
function commentTooLong(): Reply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
      documentation_url: DOCS,
      status: '422',
    },
  };
}

function defaultMessage(status: number): string {
  switch (status) {
    case 403:
      return 'Resource not accessible by integration';
    case 404:
      return 'Not Found';
    case 422:
      return 'Validation Failed';
    default:
      return 'Server Error';
  }
}
