#!/usr/bin/env node
/**
 * Adopt the templates in a repository cloned from this one:
 *
 *   node scripts/adopt-template.mjs <owner>/<repo> [--ref <ref>] [--state-bucket <name>] [--domain <domain>] [--dry-run]
 *
 * - the repository the templates name (templates/template.json: `openclaw/gitops-actions` in a fresh clone)
 *   becomes <owner>/<repo> in templates/workflows/*.yml (where the actions now live; with --ref their `@v1`
 *   becomes `@<ref>`), in the READMEs, and in the alert rules' and dashboard's runbook links
 *   (templates/observability, docs/runbooks); the workflows are then copied into .github/workflows/, and
 *   templates/template.json records the new name and ref (the tests read it from there);
 * - templates/terraform: REPLACE_WITH_STATE_BUCKET (every backend) and the bootstrap's state_bucket_name become
 *   --state-bucket; the bootstrap's github_repository becomes <owner>/<repo> (the OIDC roles trust it); the
 *   stacks' example domain (domain_name = "example.com") becomes --domain.
 *
 * Every file changed is listed (with --dry-run, what would change; nothing is written). Placeholders left for
 * later are named at the end.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE_FILE = join(ROOT, 'templates/template.json');
const EXAMPLE_DOMAIN = 'example.com';
const USAGE =
  'usage: node scripts/adopt-template.mjs <owner>/<repo> [--ref <ref>] [--state-bucket <name>] [--domain <domain>] [--dry-run]';

class UsageError extends Error {}

/** GitHub's rules: owner 1-39 letters, digits or single hyphens inside; repository 1-100 of [A-Za-z0-9._-], not . or .. */
export function parseRepository(value) {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})\/([A-Za-z0-9._-]{1,100})$/.exec(
    value ?? '',
  );
  if (!match || match[2] === '.' || match[2] === '..')
    throw new UsageError(
      `<owner>/<repo> must be a GitHub repository such as acme/rating-gitops (owner: letters, digits and single hyphens, ` +
        `at most 39; repository: letters, digits, '.', '_', '-', at most 100), not '${value ?? ''}'`,
    );
  return value;
}

function parseArgs(argv) {
  const options = { dryRun: false };
  const positional = [];
  const valueOf = (flag, i) => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--ref') options.ref = valueOf(arg, i++);
    else if (arg === '--state-bucket') options.stateBucket = valueOf(arg, i++);
    else if (arg === '--domain') options.domain = valueOf(arg, i++);
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError('give exactly one <owner>/<repo>');
  options.repository = parseRepository(positional[0]);
  if (options.ref !== undefined && !/^(?!.*\.\.)(?!\/)[A-Za-z0-9._/-]+(?<![./])$/.test(options.ref))
    throw new UsageError(
      `--ref must be a tag, branch or commit SHA (letters, digits, '.', '_', '-', '/'), not '${options.ref}'`,
    );
  if (
    options.stateBucket !== undefined &&
    !/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.stateBucket)
  )
    throw new UsageError(
      `--state-bucket must be an S3 bucket name (3-63 lower-case letters, digits, '.', '-'), not '${options.stateBucket}'`,
    );
  if (
    options.domain !== undefined &&
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(options.domain)
  )
    throw new UsageError(
      `--domain must be a lower-case DNS name without a trailing dot (e.g. acme.dev), not '${options.domain}'`,
    );
  return options;
}

function filesUnder(dir, accept) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === '.terraform' ? [] : filesUnder(path, accept);
    return accept(name) ? [path] : [];
  });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The rewrites, as [files, [what, (text) => text]] */
function plan(options) {
  const current = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8'));
  const TEMPLATE_REPOSITORY = current.repository;
  const ref = options.ref ?? current.ref;
  const workflowsDir = join(ROOT, 'templates/workflows');
  const workflows = filesUnder(workflowsDir, (n) => /\.ya?ml$/.test(n)).filter(
    (f) => dirname(f) === workflowsDir,
  );
  const ours = new RegExp(
    `${escapeRegExp(TEMPLATE_REPOSITORY)}((?:/actions/[\\w-]+)?)@${escapeRegExp(current.ref)}(?![\\w.-])`,
    'g',
  );
  const repositoryRewrite = [
    `${TEMPLATE_REPOSITORY} -> ${options.repository}${ref !== current.ref ? `, @${current.ref} -> @${ref}` : ''}`,
    (text) =>
      text
        .replace(ours, (_, path) => `${options.repository}${path}@${ref}`)
        .replaceAll(TEMPLATE_REPOSITORY, options.repository),
  ];
  // the runbook links of the alert rules (and their promtool tests) and of the dashboard and runbooks
  const linkRewrite = [
    `github.com/${TEMPLATE_REPOSITORY} -> github.com/${options.repository}`,
    (text) => text.replaceAll(`github.com/${TEMPLATE_REPOSITORY}/`, `github.com/${options.repository}/`),
  ];
  const observability = [
    ...filesUnder(join(ROOT, 'templates/observability'), (n) => /\.(ya?ml|json|md)$/.test(n)),
    ...filesUnder(join(ROOT, 'docs/runbooks'), (n) => n.endsWith('.md')),
  ];
  const rewrites = [
    [[...workflows, join(workflowsDir, 'README.md')], repositoryRewrite],
    [observability, linkRewrite],
    [
      [TEMPLATE_FILE],
      [
        `repository ${options.repository}, ref ${ref}`,
        () => JSON.stringify({ ...current, repository: options.repository, ref }, null, 2) + '\n',
      ],
    ],
  ];
  const terraform = join(ROOT, 'templates/terraform');
  const tfFiles = filesUnder(terraform, (n) => /\.(tf|tfvars|tfvars\.example|tfvars\.json|hcl)$/.test(n));
  const bootstrapVars = tfFiles.filter(
    (f) => relative(terraform, f).startsWith('bootstrap/') && /\.tfvars/.test(f),
  );
  rewrites.push([
    bootstrapVars,
    [
      `github_repository = "${options.repository}"`,
      (text) => text.replace(/^(\s*github_repository\s*=\s*)"[^"]*"/m, `$1"${options.repository}"`),
    ],
  ]);
  if (options.stateBucket) {
    rewrites.push([
      tfFiles,
      // the quoted value only: prose that names the placeholder stays as it is
      [
        `"REPLACE_WITH_STATE_BUCKET" -> "${options.stateBucket}"`,
        (text) => text.replaceAll('"REPLACE_WITH_STATE_BUCKET"', `"${options.stateBucket}"`),
      ],
    ]);
    rewrites.push([
      bootstrapVars,
      [
        `state_bucket_name = "${options.stateBucket}"`,
        (text) => text.replace(/^(\s*state_bucket_name\s*=\s*)"[^"]*"/m, `$1"${options.stateBucket}"`),
      ],
    ]);
  }
  if (options.domain) {
    const example = new RegExp(`^(\\s*domain_name\\s*=\\s*)"${escapeRegExp(EXAMPLE_DOMAIN)}"`, 'm');
    rewrites.push([
      tfFiles.filter((f) => /\.tfvars/.test(f)),
      [`domain_name = "${options.domain}"`, (text) => text.replace(example, `$1"${options.domain}"`)],
    ]);
  }
  return { rewrites, workflows, tfFiles };
}

export function adopt(argv, log = console.log) {
  const options = parseArgs(argv);
  const { rewrites, workflows, tfFiles } = plan(options);
  const contents = new Map();
  const changes = new Map();
  const read = (file) => (contents.has(file) ? contents.get(file) : readFileSync(file, 'utf8'));
  for (const [files, [what, rewrite]] of rewrites) {
    for (const file of files) {
      if (!existsSync(file)) continue;
      const before = read(file);
      const after = rewrite(before);
      if (after === before) continue;
      contents.set(file, after);
      changes.set(file, [...(changes.get(file) ?? []), what]);
    }
  }
  // the workflows, as rewritten, into .github/workflows
  const copies = [];
  for (const file of workflows) {
    const target = join(ROOT, '.github/workflows', file.split('/').pop());
    const text = read(file);
    if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
    copies.push([target, text, relative(ROOT, file)]);
  }

  const verb = options.dryRun ? 'would change' : 'changed';
  for (const [file, what] of changes) log(`${verb} ${relative(ROOT, file)}: ${what.join('; ')}`);
  for (const [target, , source] of copies)
    log(`${options.dryRun ? 'would copy' : 'copied'} ${source} -> ${relative(ROOT, target)}`);
  if (!options.dryRun) {
    for (const file of changes.keys()) writeFileSync(file, contents.get(file));
    mkdirSync(join(ROOT, '.github/workflows'), { recursive: true });
    for (const [target, text] of copies) writeFileSync(target, text);
  }
  if (changes.size === 0 && copies.length === 0) log('Nothing to change: already adopted.');

  // what is still to fill in by hand
  const left = new Set();
  for (const file of tfFiles) {
    const text = read(file);
    for (const m of text.matchAll(/REPLACE_WITH_[A-Z_]+|REPLACEME/g)) left.add(m[0]);
    if (new RegExp(`domain_name\\s*=\\s*"${escapeRegExp(EXAMPLE_DOMAIN)}"`).test(text))
      left.add(`domain_name = "${EXAMPLE_DOMAIN}" (--domain)`);
  }
  if (left.size > 0) log(`Still to fill in under templates/terraform: ${[...left].sort().join(', ')}`);
  return {
    changed: [...changes.keys()].map((f) => relative(ROOT, f)),
    copied: copies.map(([t]) => relative(ROOT, t)),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    adopt(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(`adopt-template: ${error.message}`);
      console.error(USAGE);
      process.exit(2);
    }
    throw error;
  }
}
