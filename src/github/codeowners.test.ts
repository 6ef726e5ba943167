/** CODEOWNERS matching, checked against the examples in GitHub's documentation of the file. */
import { describe, expect, test } from '@jest/globals';
import { ownersOf, parseCodeOwners } from './codeowners.js';

// The example file from GitHub's docs (about-code-owners), owners shortened.
const EXAMPLE = `
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

# JavaScript files
*.js    @js-owner #This is an inline comment.

*.go docs@example.com

*.txt @octo-org/octocats

/build/logs/ @doctocat

docs/*  docs@example.com

apps/ @octocat

/docs/ @doctocat

/scripts/ @doctocat @octocat

**/logs @octocat

/apps/ @octocat
/apps/github

/foo/* @ghost
`;

const owners = parseCodeOwners(EXAMPLE, '.github/CODEOWNERS');
const of = (path: string) => ownersOf(owners, path).owners;

describe("GitHub's documented examples", () => {
  test.each([
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/index.js', ['@js-owner']],
    ['main.go', ['docs@example.com']],
    ['notes/todo.txt', ['@octo-org/octocats']],
    // /build/logs/ owns its tree, but the later **/logs line matches it too, and the last match wins
    ['build/logs/today.log', ['@octocat']],
    ['build/other/today.log', ['@global-owner1', '@global-owner2']],
    // docs/* matches files directly in docs, but /docs/ (a later line) then owns the whole tree
    ['docs/getting-started.md', ['@doctocat']],
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    ['scripts/deploy.sh', ['@doctocat', '@octocat']],
    ['deep/logs/x.log', ['@octocat']],
    ['logs/x.log', ['@octocat']],
    // /apps/github has no owners: it is explicitly unowned, the last match wins
    ['apps/github/index.ts', []],
    ['apps/other/index.ts', ['@octocat']],
    ['foo/bar.md', ['@ghost']],
    // foo/* matches only files directly in foo: a nested file falls back to earlier rules
    ['foo/nested/bar.md', ['@global-owner1', '@global-owner2']],
  ])('%s', (path, expected) => {
    expect(of(path)).toEqual(expected);
  });
});

describe('patterns', () => {
  const single = (pattern: string, path: string) =>
    ownersOf(parseCodeOwners(`${pattern} @x`, 'CODEOWNERS'), path).owners.length > 0;
  test.each([
    ['apps/', 'apps/a.ts', true],
    ['apps/', 'src/apps/a.ts', true],
    ['apps/', 'apps', false],
    ['/apps/', 'src/apps/a.ts', false],
    ['docs/*', 'docs/a.md', true],
    ['docs/*', 'docs/x/a.md', false],
    ['docs/**', 'docs/x/a.md', true],
    ['**/logs', 'a/b/logs/c', true],
    ['*.tf', 'modules/vpc/main.tf', true],
    ['/*.tf', 'modules/vpc/main.tf', false],
    ['/*.tf', 'main.tf', true],
    ['environments/prod', 'environments/prod/main.tf', true],
    ['environments/prod', 'x/environments/prod/main.tf', false],
    ['main?.tf', 'main1.tf', true],
    ['main?.tf', 'main/.tf', false],
    ['with\\ space.txt', 'with space.txt', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(single(pattern, path)).toBe(expected);
  });
});

describe('lines GitHub rejects are skipped and reported', () => {
  test.each([
    ['!*.md @x', /negation/],
    ['[abc].md @x', /character ranges/],
    ['*.md not-an-owner', /not a user, team or email/],
  ])('%s', (line, reason) => {
    const parsed = parseCodeOwners(`* @default\n${line}\n`, 'CODEOWNERS');
    expect(parsed.rules).toHaveLength(1);
    expect(parsed.errors[0]!.reason).toMatch(reason);
    expect(ownersOf(parsed, 'README.md').owners).toEqual(['@default']);
  });
});
