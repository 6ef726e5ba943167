/**
 * The release workflow (.github/workflows/release.yml) read for its structure: it runs on version tags only,
 * checks the tag, package.json, CHANGELOG.md and dist/ before anything is released, gives write access to the one
 * job that releases, and moves the major tag the check script derives from the tag. And the check script
 * (scripts/release-check.mjs) run for real on temporary repositories: what it accepts, what it prints, and that
 * it names what is wrong. (workflow-rules.test.ts and workflows.test.ts check the file like every workflow.)
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../harness/runner.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, Record<string, unknown> | null>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const RELEASE_YML = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8');
const workflow = parse(RELEASE_YML) as Workflow;
const SCRIPT = join(ROOT, 'scripts/release-check.mjs');

/**
 * A GitHub Actions filter pattern (branches, tags) as a regular expression over the whole name: `*` any run of
 * characters but `/`, `**` any run, `?` and `+` zero-or-one and one-or-more of the preceding character, `[...]`
 * a class; everything else literal.
 */
function filterPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?' || c === '+') source += c;
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      source += pattern.slice(i, end + 1);
      i = end;
    } else source += c.replace(/[.\\^$|(){}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function stepRunning(job: Job, command: RegExp): Step | undefined {
  return job.steps.find((s) => typeof s.run === 'string' && command.test(s.run));
}

function stepIndex(job: Job, command: RegExp): number {
  return job.steps.findIndex((s) => typeof s.run === 'string' && command.test(s.run));
}

/** the jobs a job waits for, directly or through others */
function upstream(jobId: string, seen = new Set<string>()): Set<string> {
  const needs = ([] as string[]).concat(workflow.jobs[jobId]?.needs ?? []);
  for (const need of needs)
    if (!seen.has(need)) {
      seen.add(need);
      upstream(need, seen);
    }
  return seen;
}

describe('release.yml', () => {
  test('the filter reading is right: a pattern matches whole tag names', () => {
    expect(filterPattern('v*').test('v1.2.3')).toBe(true);
    expect(filterPattern('v*').test('release/v1')).toBe(false);
    expect(filterPattern('v[0-9]+').test('v12')).toBe(true);
    expect(filterPattern('v[0-9]+').test('v12a')).toBe(false);
  });

  test('runs on pushes of version tags vX.Y.Z only: no branch, no other event, no pre-release', () => {
    expect(Object.keys(workflow.on)).toEqual(['push']);
    const push = workflow.on['push']!;
    expect(Object.keys(push)).toEqual(['tags']);
    const patterns = (push['tags'] as string[]).map(filterPattern);
    const triggers = (tag: string) => patterns.some((p) => p.test(tag));
    for (const tag of ['v1.0.0', 'v1.2.3', 'v10.20.300', 'v0.1.0'])
      expect([tag, triggers(tag)]).toEqual([tag, true]);
    for (const tag of ['v1', 'v1.2', '1.2.3', 'v1.2.3-rc.1', 'v1.2.3.4', 'v1.2.x', 'release-1.2.3'])
      expect([tag, triggers(tag)]).toEqual([tag, false]);
  });

  test('contents: write in the releasing job only; read everywhere else', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const writes = Object.fromEntries(
      Object.entries(workflow.jobs)
        .map(([id, job]): [string, [string, string][]] => [
          id,
          Object.entries(job.permissions ?? {}).filter(([, level]) => level !== 'read'),
        ])
        .filter(([, scopes]) => scopes.length > 0),
    );
    expect(writes).toEqual({ release: [['contents', 'write']] });
  });

  test('the tag, the version, the changelog, main and dist/ are checked, with a read-only token, before releasing', () => {
    const verify = workflow.jobs['verify']!;
    expect(verify.permissions).toBeUndefined(); // the top level's contents: read
    expect(upstream('release')).toEqual(new Set(['verify']));
    const check = stepRunning(verify, /node scripts\/release-check\.mjs "\$TAG"/);
    expect(check?.env).toEqual({ TAG: '${{ github.ref_name }}' });
    expect(
      stepRunning(verify, /git merge-base --is-ancestor "refs\/tags\/\$TAG\^\{commit\}" origin\/main/),
    ).toBeDefined();
    const ci = stepIndex(verify, /^npm ci$/);
    const checkDist = stepIndex(verify, /^npm run check-dist$/);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(checkDist).toBeGreaterThan(ci);
    // the job that checks out with a token that can write runs no npm code
    for (const step of workflow.jobs['release']!.steps) expect(step.run ?? '').not.toMatch(/\bnpm\b/);
  });

  test('the release gets the CHANGELOG section as notes, and the major tag is the one the script derives', () => {
    const release = workflow.jobs['release']!;
    const plan = release.steps.find((s) => s.id === 'plan')!;
    expect(plan.run).toBe(
      'node scripts/release-check.mjs "$TAG" --notes "$RUNNER_TEMP/notes.md" >> "$GITHUB_OUTPUT"',
    );
    expect(plan.env).toEqual({ TAG: '${{ github.ref_name }}' });

    const create = stepRunning(release, /gh release create/)!;
    expect(create.run).toMatch(
      /gh release create "\$TAG" --verify-tag .*--notes-file "\$RUNNER_TEMP\/notes\.md"/,
    );
    expect(create.env).toMatchObject({
      GH_TOKEN: '${{ github.token }}',
      LATEST: '${{ steps.plan.outputs.latest }}',
    });
    expect(create.run).toContain('--latest="$LATEST"');

    const move = stepRunning(release, /git push --force/)!;
    expect(move.env).toEqual({ TAG: '${{ github.ref_name }}', MAJOR: '${{ steps.plan.outputs.major }}' });
    expect(move.run).toContain('git tag --force "$MAJOR" "refs/tags/$TAG^{commit}"');
    expect(move.run).toContain('git push --force origin "refs/tags/$MAJOR"');
    expect(move.if).toBe("steps.plan.outputs.move-major == 'true'");
    // the release is made before the major tag points at it
    expect(release.steps.indexOf(create)).toBeLessThan(release.steps.indexOf(move));
    // no major tag written out anywhere: it comes from the tag
    for (const step of release.steps) expect(step.run ?? '').not.toMatch(/\bv\d+\b/);
  });

  test('no ${{ }} inside any run: (values reach scripts through env:)', () => {
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ''));
    expect(runs.filter((run) => run.includes('${{'))).toEqual([]);
  });

  test('every action is pinned to the commit, and version, that ci.yml pins it to', () => {
    const pins = (text: string) =>
      new Map(
        [...text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\S+)/g)].map((m) => [
          m[1]!,
          `${m[2]} ${m[3]}`,
        ]),
      );
    const ours = pins(RELEASE_YML);
    const ci = pins(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8'));
    const uses = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter((s) => s.uses).map((s) => s.uses!),
    );
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.every((u) => ours.has(u.split('@')[0]!))).toBe(true);
    for (const [action, pin] of ours) expect([action, pin]).toEqual([action, ci.get(action)]);
  });
});

describe('scripts/release-check.mjs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** environment for git and the script: nothing of the caller's git settings */
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

  function git(dir: string, ...args: string[]) {
    const result = spawnSync(
      'git',
      ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  }

  /** a temporary repository with this package.json version, CHANGELOG.md and tags */
  function repository(options: { version?: string; changelog?: string; tags?: string[] }): string {
    const dir = mkdtempSync(join(tmpdir(), 'release-check-'));
    dirs.push(dir);
    if (options.version !== undefined)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: options.version }));
    if (options.changelog !== undefined) writeFileSync(join(dir, 'CHANGELOG.md'), options.changelog);
    git(dir, 'init', '-q');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'first');
    for (const tag of options.tags ?? []) git(dir, 'tag', tag);
    return dir;
  }

  function check(dir: string, tag: string, ...more: string[]) {
    const result = spawnSync(process.execPath, [SCRIPT, tag, '--root', dir, ...more], {
      env,
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function changelogWith(...versions: string[]): string {
    return [
      '# Changelog',
      '',
      '## [Unreleased]',
      '',
      '- something not released yet',
      '',
      ...versions.flatMap((v) => [`## [${v}] - 2026-12-07`, '', '### Fixed', '', `- the fix of ${v}`, '']),
      ...versions.map((v) => `[${v}]: https://github.com/openclaw/gitops-actions/releases/tag/v${v}`),
      '',
    ].join('\n');
  }

  test('a good tag: prints version, major tag, whether to move it and whether it is the latest; writes the notes', () => {
    const dir = repository({ version: '1.2.3', changelog: changelogWith('1.2.3', '1.2.2') });
    const notes = join(dir, 'notes.md');
    const result = check(dir, 'v1.2.3', '--notes', notes);
    expect(result).toEqual({
      status: 0,
      stdout: 'version=1.2.3\nmajor=v1\nmove-major=true\nlatest=true\n',
      stderr: '',
    });
    expect(readFileSync(notes, 'utf8')).toBe('### Fixed\n\n- the fix of 1.2.3\n');
  });

  test('the notes of the oldest section leave out the link definitions below it', () => {
    const dir = repository({ version: '1.2.2', changelog: changelogWith('1.2.3', '1.2.2') });
    const notes = join(dir, 'notes.md');
    expect(check(dir, 'v1.2.2', '--notes', notes).status).toBe(0);
    expect(readFileSync(notes, 'utf8')).toBe('### Fixed\n\n- the fix of 1.2.2\n');
  });

  test.each([
    ['v1.2.3', 'v1'],
    ['v0.4.0', 'v0'],
    ['v12.0.1', 'v12'],
  ])('the major tag of %s is %s', (tag, major) => {
    const version = tag.slice(1);
    const result = check(repository({ version, changelog: changelogWith(version) }), tag);
    expect(result.stdout).toContain(`\nmajor=${major}\n`);
  });

  test.each(['v1.2', '1.2.3', 'v01.2.3', 'v1.2.3-rc.1', 'v1', 'v1.2.3.4', 'V1.2.3'])(
    'refuses %s: not vMAJOR.MINOR.PATCH',
    (tag) => {
      const result = check(repository({ version: '1.2.3', changelog: changelogWith('1.2.3') }), tag);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `release-check: tag '${tag}' is not a release tag: expected vMAJOR.MINOR.PATCH, e.g. v1.2.3\n`,
      );
    },
  );

  test("refuses a tag that is not package.json's version, naming both", () => {
    const result = check(repository({ version: '1.2.2', changelog: changelogWith('1.2.3') }), 'v1.2.3');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("package.json has version '1.2.2', the tag 'v1.2.3' says '1.2.3'");
  });

  test('refuses a version without a CHANGELOG section (Unreleased is not one), with an undated or an empty one', () => {
    const none = check(repository({ version: '1.2.3', changelog: changelogWith('1.2.2') }), 'v1.2.3');
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(
      "release-check: CHANGELOG.md has no section '## [1.2.3] - YYYY-MM-DD' (rename Unreleased to it)\n",
    );
    const undated = check(
      repository({ version: '1.2.3', changelog: '# Changelog\n\n## [1.2.3]\n\n- a fix\n' }),
      'v1.2.3',
    );
    expect(undated.status).toBe(1);
    expect(undated.stderr).toContain("'## [1.2.3]' has no date");
    const empty = check(
      repository({
        version: '1.2.3',
        changelog: '# Changelog\n\n## [1.2.3] - 2026-12-07\n\n## [1.2.2] - 2026-12-01\n\n- x\n',
      }),
      'v1.2.3',
    );
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("the section '## [1.2.3] - 2026-12-07' is empty");
    const missing = check(repository({ version: '1.2.3' }), 'v1.2.3');
    expect(missing.stderr).toContain('there is no CHANGELOG.md');
  });

  test('names every problem at once', () => {
    const result = check(repository({ version: '1.0.0', changelog: changelogWith('0.9.0') }), 'v1.2.3');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining("package.json has version '1.0.0'"),
      expect.stringContaining("CHANGELOG.md has no section '## [1.2.3]"),
    ]);
  });

  test('a backport does not move the major tag back, and only the highest version is the latest', () => {
    const tags = ['v1.3.0', 'v2.0.0', 'v1', 'v2', 'v3.0.0-rc.1', 'nightly'];
    const plan = (version: string) => {
      const result = check(repository({ version, changelog: changelogWith(version), tags }), `v${version}`);
      expect(result.status).toBe(0);
      return result.stdout.trim().split('\n').slice(1).join(' ');
    };
    expect(plan('1.2.4')).toBe('major=v1 move-major=false latest=false');
    expect(plan('1.4.0')).toBe('major=v1 move-major=true latest=false');
    expect(plan('2.1.0')).toBe('major=v2 move-major=true latest=true');
    // the release run itself finds its own tag: it is not higher than itself
    expect(plan('2.0.0')).toBe('major=v2 move-major=true latest=true');
  });

  test('outside a git repository it says it cannot list the tags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-check-nogit-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.2.3' }));
    writeFileSync(join(dir, 'CHANGELOG.md'), changelogWith('1.2.3'));
    const result = spawnSync(process.execPath, [SCRIPT, 'v1.2.3', '--root', dir], {
      env: { ...env, GIT_CEILING_DIRECTORIES: tmpdir() },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`release-check: cannot list the tags of ${dir} (git tag --list)`);
  });

  test('the repository CHANGELOG.md has an Unreleased section and every other section dated vX.Y.Z', () => {
    const headings = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('## '));
    expect(headings[0]).toBe('## [Unreleased]');
    for (const heading of headings.slice(1))
      expect(heading).toMatch(/^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
  });
});
