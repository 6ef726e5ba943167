#!/usr/bin/env node
// Checks that a version tag may be released, and says what the release is:
//
//   node scripts/release-check.mjs v1.2.3 [--root DIR] [--notes FILE]
//
// The tag must be vMAJOR.MINOR.PATCH (no pre-release, no leading zeros), package.json's version must be the
// tag's version, and CHANGELOG.md must have a dated section for it (`## [1.2.3] - 2026-12-07`) with something
// in it. Every problem is printed (stderr) and the exit code is 1. When all hold, it prints for $GITHUB_OUTPUT:
//
//   version=1.2.3
//   major=v1            the moving tag users pin (@v1)
//   move-major=true     false when a higher v1.x.y tag exists already (a backport must not move @v1 back)
//   latest=true         false when a higher version tag exists (of any major)
//
// and, with --notes, writes the CHANGELOG section (without its heading) to FILE as the release notes.
// The existing tags are read with `git tag --list` in the root (the repository's root by default).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const SECTION = /^## \[([^\]]+)\](.*)$/;
const DATED = /^\s+-\s+\d{4}-\d{2}-\d{2}\s*$/;
/** Markdown link reference definitions (`[1.2.3]: https://...`), which Keep a Changelog puts at the end. */
const LINK_DEFINITION = /^\[[^\]]+\]:\s*\S+/;

/** [major, minor, patch] of a version tag, or undefined when it is not one. */
export function parseVersionTag(tag) {
  const m = VERSION_TAG.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The section of CHANGELOG.md for a version: its heading's tail (` - date`) and its body, or undefined. */
export function changelogSection(changelog, version) {
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((line) => SECTION.exec(line)?.[1] === version);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !lines[end].startsWith('## ')) end++;
  const body = lines
    .slice(start + 1, end)
    .filter((line) => !LINK_DEFINITION.test(line))
    .join('\n')
    .trim();
  return { heading: lines[start], dated: DATED.test(SECTION.exec(lines[start])[2]), body };
}

/**
 * What releasing `tag` means, given package.json's text, CHANGELOG.md's text and the existing tag names; or the
 * list of problems that forbid it.
 */
export function planRelease({ tag, packageJson, changelog, existingTags }) {
  const problems = [];
  const parts = parseVersionTag(tag);
  if (!parts) {
    problems.push(`tag '${tag}' is not a release tag: expected vMAJOR.MINOR.PATCH, e.g. v1.2.3`);
    return { problems };
  }
  const version = parts.join('.');
  let packageVersion;
  if (packageJson === undefined) problems.push('there is no package.json');
  else
    try {
      packageVersion = JSON.parse(packageJson).version;
      if (packageVersion === undefined) problems.push('package.json has no version');
    } catch (error) {
      problems.push(`package.json is not JSON: ${error.message}`);
    }
  if (packageVersion !== undefined && packageVersion !== version)
    problems.push(
      `package.json has version '${packageVersion}', the tag '${tag}' says '${version}': bump package.json (npm version ${version} --no-git-tag-version) or tag v${packageVersion}`,
    );
  const section = changelog === undefined ? undefined : changelogSection(changelog, version);
  if (changelog === undefined) problems.push('there is no CHANGELOG.md');
  else if (!section)
    problems.push(`CHANGELOG.md has no section '## [${version}] - YYYY-MM-DD' (rename Unreleased to it)`);
  else {
    if (!section.dated)
      problems.push(`CHANGELOG.md: '${section.heading}' has no date: write '## [${version}] - YYYY-MM-DD'`);
    if (section.body === '') problems.push(`CHANGELOG.md: the section '${section.heading}' is empty`);
  }
  if (problems.length > 0) return { problems };

  const others = existingTags
    .filter((t) => t !== tag)
    .map(parseVersionTag)
    .filter((p) => p !== undefined);
  return {
    problems,
    version,
    major: `v${parts[0]}`,
    moveMajor: !others.some((p) => p[0] === parts[0] && compare(p, parts) > 0),
    latest: !others.some((p) => compare(p, parts) > 0),
    notes: section.body,
  };
}

function readIfThere(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function main(argv) {
  const args = [...argv];
  const option = (name) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const [, value] = args.splice(at, 2);
    if (value === undefined) usage(`${name} needs a value`);
    return value;
  };
  const root = resolve(option('--root') ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const notesFile = option('--notes');
  if (args.length !== 1 || args[0].startsWith('--')) usage('give exactly one tag');
  const tag = args[0];

  let existingTags;
  try {
    existingTags = execFileSync('git', ['-C', root, 'tag', '--list'], { encoding: 'utf8' }).split('\n');
  } catch (error) {
    console.error(`release-check: cannot list the tags of ${root} (git tag --list): ${error.message}`);
    process.exit(1);
  }
  const plan = planRelease({
    tag,
    packageJson: readIfThere(join(root, 'package.json')),
    changelog: readIfThere(join(root, 'CHANGELOG.md')),
    existingTags,
  });
  if (plan.problems.length > 0) {
    for (const problem of plan.problems) console.error(`release-check: ${problem}`);
    process.exit(1);
  }
  if (notesFile) writeFileSync(notesFile, `${plan.notes}\n`);
  console.log(
    [
      `version=${plan.version}`,
      `major=${plan.major}`,
      `move-major=${plan.moveMajor}`,
      `latest=${plan.latest}`,
    ].join('\n'),
  );
}

function usage(problem) {
  console.error(
    `release-check: ${problem}\nusage: node scripts/release-check.mjs <vX.Y.Z> [--root DIR] [--notes FILE]`,
  );
  process.exit(2);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));
