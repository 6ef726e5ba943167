/**
 * The plan comment's decisions, without GitHub: what on-no-changes does to the label's comment for each kind of
 * plan, and what a 403 or 404 while commenting means for the step.
 */
import { describe, expect, it } from '@jest/globals';
import { commentActionFor, explainCommentFailure, NO_CHANGES_POLICIES } from './plan-comment.js';

const changes = { hasChanges: true, errored: false };
const noChanges = { hasChanges: false, errored: false };
const erroredEmpty = { hasChanges: false, errored: true };

/** An Octokit request error as the client throws it. */
function apiError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

const repo = { owner: 'o', repo: 'r' };

describe('commentActionFor (on-no-changes)', () => {
  it('posts a plan with changes whatever the policy', () => {
    for (const policy of NO_CHANGES_POLICIES) expect(commentActionFor(changes, policy)).toBe('write');
  });

  it('posts an errored plan even when it has no changes: it must be seen, and never applied', () => {
    for (const policy of NO_CHANGES_POLICIES) expect(commentActionFor(erroredEmpty, policy)).toBe('write');
  });

  it('for a plan without changes: comment posts, delete removes, silent only updates an existing comment', () => {
    expect(commentActionFor(noChanges, 'comment')).toBe('write');
    expect(commentActionFor(noChanges, 'delete')).toBe('delete');
    expect(commentActionFor(noChanges, 'silent')).toBe('update-existing');
  });
});

describe('explainCommentFailure', () => {
  it('a 403 is skipped with a warning that names the pull request and the fork case', () => {
    const failure = explainCommentFailure(apiError(403, 'Resource not accessible by integration'), {
      repo,
      pullNumber: 2,
      fromInput: false,
    });
    expect(failure).toEqual({ outcome: 'skip', warning: expect.any(String) });
    const warning = (failure as { warning: string }).warning;
    expect(warning).toMatch(
      /^The token cannot write comments on #2 \(403: Resource not accessible by integration\)/,
    );
    expect(warning).toContain('forks get a read-only GITHUB_TOKEN');
    expect(warning).toContain('permissions: pull-requests: write');
  });

  it('a 403 before the pull request is known says "this pull request"', () => {
    const failure = explainCommentFailure(apiError(403, 'Forbidden'), {
      repo,
      pullNumber: undefined,
      fromInput: false,
    });
    expect(failure).toMatchObject({
      outcome: 'skip',
      warning: expect.stringContaining('on this pull request (403'),
    });
  });

  it('a 404 on a known pull request fails, pointing at the input when the input chose it', () => {
    expect(
      explainCommentFailure(apiError(404, 'Not Found'), { repo, pullNumber: 999, fromInput: true }),
    ).toEqual({
      outcome: 'fail',
      message:
        "Pull request #999 was not found in o/r (404), or the token cannot see it: check the 'pull-request' input.",
    });
    expect(
      explainCommentFailure(apiError(404, 'Not Found'), { repo, pullNumber: 7, fromInput: false }),
    ).toEqual({
      outcome: 'fail',
      message: 'Pull request #7 was not found in o/r (404), or the token cannot see it.',
    });
  });

  it('other errors are not its to explain', () => {
    const where = { repo, pullNumber: 2, fromInput: false };
    expect(
      explainCommentFailure(apiError(404, 'Not Found'), { ...where, pullNumber: undefined }),
    ).toBeUndefined();
    expect(explainCommentFailure(apiError(500, 'Server Error'), where)).toBeUndefined();
    expect(explainCommentFailure(apiError(422, 'Validation Failed'), where)).toBeUndefined();
    expect(explainCommentFailure(new Error('boom'), where)).toBeUndefined();
  });
});
