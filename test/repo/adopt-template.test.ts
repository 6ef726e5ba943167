/**
 * scripts/adopt-template.mjs on a temporary copy of the repository's templates: what it rewrites, what it copies,
 * that it lists exactly the files it changed, that --dry-run writes nothing, and that it refuses a malformed
 * repository name.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from '../harness/runner.js';

let copy: string;

beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'adopt-template-'));
  for (const path of [
    'scripts/adopt-template.mjs',
    'templates/template.json',
    'templates/workflows',
    'templates/terraform',
    'templates/observability',
    'docs/runbooks',
    '.github/workflows',
  ]) {
    mkdirSync(join(copy, path, '..'), { recursive: true });
    cpSync(join(ROOT, path), join(copy, path), { recursive: true });
  }
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

function adopt(...args: string[]) {
  const result = spawnSync(process.execPath, [join(copy, 'scripts/adopt-template.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** every file of the copy and its content */
function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(copy, path), readFileSync(path, 'utf8'));
    }
  };
  walk(copy);
  return files;
}

function changedBetween(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
}

/** the files the script says it changed or copied */
function listed(stdout: string): string[] {
  return stdout
    .split('\n')
    .map(
      (line) =>
        /^(?:changed|would change) ([^:]+):/.exec(line)?.[1] ??
        /^(?:copied|would copy) \S+ -> (\S+)$/.exec(line)?.[1],
    )
    .filter((f): f is string => f !== undefined)
    .sort();
}

const read = (path: string) => readFileSync(join(copy, path), 'utf8');
const WORKFLOWS = [
  'terraform-plan.yml',
  'terraform-apply.yml',
  'canary-release.yml',
  'failover-drill.yml',
  'drift-detection.yml',
];

describe('adopt-template', () => {
  test('rewrites the actions repository, copies the workflows, fills the Terraform placeholders, lists each file', () => {
    const before = snapshot();
    const result = adopt(
      'acme/rating-gitops',
      '--state-bucket',
      'acme-rating-tfstate',
      '--domain',
      'acme.dev',
    );
    expect(result).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    const after = snapshot();
    expect(listed(result.stdout)).toEqual(changedBetween(before, after));

    for (const name of WORKFLOWS) {
      const text = read(`templates/workflows/${name}`);
      expect(text).not.toContain('openclaw/gitops-actions');
      expect(text).toMatch(/uses: acme\/rating-gitops\/actions\/[a-z-]+@v1\n/);
      expect(read(`.github/workflows/${name}`)).toBe(text);
    }
    expect(read('templates/workflows/README.md')).toContain('acme/rating-gitops/actions/<name>@v1');
    // the one record of the name, which the tests read
    expect(JSON.parse(read('templates/template.json'))).toEqual({
      repository: 'acme/rating-gitops',
      ref: 'v1',
    });
    // every alert's runbook link, in the rules and in their promtool tests
    for (const dir of [
      'templates/observability/prometheus/rules',
      'templates/observability/prometheus/tests',
    ]) {
      for (const name of readdirSync(join(copy, dir))) {
        const text = read(`${dir}/${name}`);
        expect(text).not.toContain('github.com/openclaw/gitops-actions');
        if (!name.includes('.test.') || /runbook_url/.test(text))
          expect(text).toMatch(
            /runbook_url: https:\/\/github\.com\/acme\/rating-gitops\/blob\/main\/docs\/runbooks\/\w+\.md/,
          );
      }
    }
    // the project's own workflows are left alone
    expect(read('.github/workflows/ci.yml')).toBe(before.get('.github/workflows/ci.yml'));

    const backends = [...after.keys()].filter((f) => /^templates\/terraform\/.*backend\.tf$/.test(f));
    expect(backends.length).toBeGreaterThan(0);
    for (const f of backends) {
      expect(before.get(f)).toContain('"REPLACE_WITH_STATE_BUCKET"');
      expect(read(f)).toContain('bucket       = "acme-rating-tfstate"');
    }
    const bootstrap = read('templates/terraform/bootstrap/terraform.tfvars.example');
    expect(bootstrap).toMatch(/^github_repository = "acme\/rating-gitops"$/m);
    expect(bootstrap).toMatch(/^state_bucket_name = "acme-rating-tfstate"$/m);
    for (const stack of ['us-east-1', 'eu-west-1', 'global']) {
      const tfvars = read(`templates/terraform/environments/${stack}/terraform.tfvars`);
      expect(tfvars).toMatch(/^domain_name\s+= "acme\.dev"$/m);
    }
    // prose that names the example domain or the placeholder is not rewritten
    const description = read('templates/terraform/environments/us-east-1/variables.tf');
    expect(description).toBe(before.get('templates/terraform/environments/us-east-1/variables.tf'));
    expect(result.stdout).toMatch(/Still to fill in under templates\/terraform: .*REPLACE_WITH_ACCOUNT_ID/);
  });

  test('--ref pins our actions to that ref', () => {
    expect(adopt('acme/rating-gitops', '--ref', 'v2.0.0').code).toBe(0);
    const text = read('templates/workflows/terraform-apply.yml');
    expect(text).toContain('uses: acme/rating-gitops/actions/apply-gate@v2.0.0');
    expect(text).not.toMatch(/rating-gitops\/actions\/[a-z-]+@v1\b/);
    expect(JSON.parse(read('templates/template.json')).ref).toBe('v2.0.0');
  });

  test('adopting again from the adopted name moves every reference on (the name is read from template.json)', () => {
    expect(adopt('acme/rating-gitops', '--ref', 'v2.0.0').code).toBe(0);
    expect(adopt('acme-platform/rating', '--ref', 'v2.1.0').code).toBe(0);
    const text = read('templates/workflows/terraform-apply.yml');
    expect(text).toContain('uses: acme-platform/rating/actions/apply-gate@v2.1.0');
    expect(text).not.toContain('acme/rating-gitops');
    expect(read('templates/observability/prometheus/rules/rating-targets.yml')).toContain(
      'https://github.com/acme-platform/rating/blob/main/docs/runbooks/RatingRegionDown.md',
    );
  });

  test('without the Terraform options, only the repository changes there (github_repository)', () => {
    const before = snapshot();
    const result = adopt('acme/rating-gitops');
    const changed = changedBetween(before, snapshot()).filter((f) => f.startsWith('templates/terraform/'));
    expect(changed).toEqual(['templates/terraform/bootstrap/terraform.tfvars.example']);
    expect(result.stdout).toMatch(/REPLACE_WITH_STATE_BUCKET/);
    expect(result.stdout).toMatch(/domain_name = "example\.com" \(--domain\)/);
  });

  test('--dry-run lists the same files and writes nothing', () => {
    const before = snapshot();
    const dry = adopt(
      'acme/rating-gitops',
      '--state-bucket',
      'acme-rating-tfstate',
      '--domain',
      'acme.dev',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(changedBetween(before, snapshot())).toEqual([]);
    const real = adopt('acme/rating-gitops', '--state-bucket', 'acme-rating-tfstate', '--domain', 'acme.dev');
    expect(listed(dry.stdout)).toEqual(listed(real.stdout));
    expect(listed(dry.stdout).length).toBeGreaterThan(0);
  });

  test('a second run changes nothing', () => {
    expect(adopt('acme/rating-gitops', '--domain', 'acme.dev').code).toBe(0);
    const before = snapshot();
    const again = adopt('acme/rating-gitops', '--domain', 'acme.dev');
    expect(again.stdout).toMatch(/Nothing to change: already adopted\./);
    expect(changedBetween(before, snapshot())).toEqual([]);
  });

  test.each([
    ['acme', 'no slash'],
    ['acme/', 'no repository'],
    ['-acme/repo', 'owner starting with a hyphen'],
    ['ac--me/repo', 'double hyphen'],
    ['acme/re po', 'a space'],
    ['acme/..', 'dot-dot'],
    ['a'.repeat(40) + '/repo', 'owner too long'],
    ['acme/repo/extra', 'three parts'],
  ])('refuses %s (%s), naming the argument and the expected form, writing nothing', (bad) => {
    const before = snapshot();
    const result = adopt(bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`<owner>/<repo> must be a GitHub repository such as acme/rating-gitops`);
    expect(result.stderr).toContain(`not '${bad}'`);
    expect(result.stderr).toMatch(/^usage: node scripts\/adopt-template\.mjs/m);
    expect(changedBetween(before, snapshot())).toEqual([]);
  });

  test('refuses a bad bucket name, domain or an unknown option', () => {
    expect(adopt('acme/repo', '--state-bucket', 'Bad_Bucket').stderr).toMatch(
      /--state-bucket must be an S3 bucket name/,
    );
    expect(adopt('acme/repo', '--domain', 'acme.dev.').stderr).toMatch(
      /--domain must be a lower-case DNS name/,
    );
    expect(adopt('acme/repo', '--force').stderr).toMatch(/unknown option --force/);
    expect(adopt().stderr).toMatch(/give exactly one <owner>\/<repo>/);
    expect(existsSync(join(copy, '.github/workflows/terraform-plan.yml'))).toBe(false);
  });
});
