/**
 * The Terraform templates pass a static stand-in for `terraform validate` (the AWS provider cannot be downloaded
 * here, so `terraform init/validate` cannot run): test/support/terraform/check.ts, also run by
 * `npx tsx scripts/check-terraform.ts`. Each rule is shown to fire on a copy of a valid fixture tree broken in
 * exactly one way (test/fixtures/terraform-static/cases/<case>/ holds the files that replace or add to valid/),
 * and to fire alone; every rule has at least one case (checked below). The README tables of every module and
 * stack are what scripts/terraform-docs.mjs generates.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  availableFormatter,
  checkTree,
  formatProblem,
  RULES,
  type Problem,
  type Rule,
} from '../support/terraform/check.js';
import { loadSchema } from '../support/terraform/schema.js';
import { ROOT } from '../harness/runner.js';

const TEMPLATES = join(ROOT, 'templates/terraform');
const FIXTURES = join(ROOT, 'test/fixtures/terraform-static');
const VALID = join(FIXTURES, 'valid');
const schema = loadSchema();
const formatter = availableFormatter();
const scratch = mkdtempSync(join(tmpdir(), 'terraform-static-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A copy of the valid tree with the case's files laid over it. */
function brokenCopy(name: string): string {
  const dir = join(scratch, `${++copies}-${name}`);
  cpSync(VALID, dir, { recursive: true });
  cpSync(join(FIXTURES, 'cases', name), dir, { recursive: true });
  return dir;
}

const lines = (problems: Problem[]): string[] =>
  problems.map((p) => formatProblem({ ...p, detail: undefined }));

describe('templates/terraform', () => {
  test('exists, with modules and stacks', () => {
    expect(existsSync(join(TEMPLATES, 'modules'))).toBe(true);
    expect(existsSync(join(TEMPLATES, 'environments'))).toBe(true);
  });

  test(`passes every rule of the static check (formatting judged by ${formatter})`, async () => {
    const result = await checkTree(TEMPLATES, { schema });
    expect(result.formatter).toBe(formatter);
    expect(result.directories.length).toBeGreaterThan(0);
    expect(result.problems.map(formatProblem)).toEqual([]);
  }, 60_000);
});

describe('the valid fixture tree', () => {
  test(`passes every rule (formatting judged by ${formatter})`, async () => {
    const result = await checkTree(VALID, { schema });
    expect(result.directories).toEqual([
      'bootstrap',
      'environments/global',
      'environments/us-east-1',
      'modules/network',
    ]);
    expect(lines(result.problems)).toEqual([]);
  });

  test('passes the formatting rule judged by @cdktf/hcl-tools as well', async () => {
    const result = await checkTree(VALID, { schema, formatter: 'hcl-tools', rules: ['format'] });
    expect(result.problems).toEqual([]);
  });
});

/** case folder, the one rule it must break, and every problem the checker must report (file:line: message [rule]). */
const CASES: Array<[string, Rule, string[]]> = [
  [
    'parse-syntax-error',
    'parse',
    [
      'modules/network/broken.tf:2: Invalid expression; Expected the start of an expression, but found an invalid expression token. [parse]',
    ],
  ],
  [
    'format-unaligned',
    'format',
    [
      'modules/network/extra.tf:2: not formatted as `terraform fmt` writes it (run `terraform fmt -recursive`) [format]',
    ],
  ],
  [
    'schema-unknown-type',
    'schema',
    [
      'modules/network/extra.tf:1: aws_virtual_private_cloud.main: unknown resource type "aws_virtual_private_cloud" in hashicorp/aws 6.25.0 [schema]',
    ],
  ],
  [
    'schema-unknown-argument',
    'schema',
    ['modules/network/extra.tf:4: aws_vpc_dhcp_options.main: unsupported argument "dns_servers" [schema]'],
  ],
  [
    'schema-unknown-nested-argument',
    'schema',
    [
      'modules/network/extra.tf:10: aws_security_group.extra.egress: unsupported argument "cidr_ranges" [schema]',
    ],
  ],
  [
    'schema-missing-required',
    'schema',
    [
      'modules/network/extra.tf:1: aws_subnet.public: missing required argument "vpc_id" [schema]',
      'modules/network/extra.tf:5: aws_s3_bucket_versioning.logs: missing required block "versioning_configuration" [schema]',
    ],
  ],
  [
    'schema-ignore-changes',
    'schema',
    [
      'modules/network/extra.tf:5: aws_vpc_dhcp_options.main: lifecycle.ignore_changes names "domain_name_server", which is not an argument of aws_vpc_dhcp_options [schema]',
    ],
  ],
  [
    'schema-block-for-argument',
    'schema',
    [
      'modules/network/extra.tf:4: aws_vpc_dhcp_options.main: "tags" is an argument (map<string>): write tags = ..., not a tags { } block [schema]',
    ],
  ],
  [
    'references-each-without-for-each',
    'references',
    [
      'modules/network/extra.tf:2: aws_vpc_dhcp_options.main: each.key is used but the block has no for_each [references]',
    ],
  ],
  [
    'references-unconfigured-provider',
    'references',
    [
      'environments/global/extra.tf:2: data.aws_region.secondary: provider aws.secondary is not configured in environments/global (no provider "aws" with alias = "secondary", no configuration_aliases entry) [references]',
    ],
  ],
  [
    'schema-literal-type',
    'schema',
    [
      'modules/network/extra.tf:3: aws_vpc_dhcp_options.main: "domain_name_servers" must be a list of string, not the string "AmazonProvidedDNS" [schema]',
      'modules/network/extra.tf:8: aws_vpc.extra: "enable_dns_hostnames" must be a bool, not the string "yes" [schema]',
    ],
  ],
  [
    'references-undeclared-resource',
    'references',
    [
      'modules/network/extra.tf:3: output "public_subnet_id": aws_subnet.public is not declared in modules/network [references]',
      'modules/network/extra.tf:8: output "zone_name": data.aws_availability_zones.enabled is not declared in modules/network [references]',
    ],
  ],
  [
    'references-unknown-attribute',
    'references',
    [
      'modules/network/extra.tf:3: output "vpc_arn": aws_vpc.main.vpc_arn: aws_vpc has no argument or attribute "vpc_arn" [references]',
      'modules/network/extra.tf:8: output "first_route_table_routes": aws_route_table.private[…].routes: aws_route_table has no argument or attribute "routes" [references]',
      'modules/network/extra.tf:13: output "zone_names": data.aws_availability_zones.available.zone_names: aws_availability_zones has no argument or attribute "zone_names" [references]',
    ],
  ],
  [
    'references-unknown-attribute-in-for',
    'references',
    [
      'modules/network/extra.tf:3: output "private_subnet_arns": aws_subnet.private[…].subnet_arn: aws_subnet has no argument or attribute "subnet_arn" [references]',
    ],
  ],
  [
    'variables-undeclared-variable',
    'variables',
    [
      'modules/network/extra.tf:3: output "environment": var.environment is not declared in modules/network [variables]',
    ],
  ],
  [
    'variables-undefined-local',
    'variables',
    [
      'modules/network/extra.tf:3: output "zone_count": local.zone_names is not defined in modules/network [variables]',
    ],
  ],
  [
    'variables-unused-variable',
    'variables',
    [
      'modules/network/extra.tf:1: warning: variable "enable_flow_logs" is declared but never used [variables]',
    ],
  ],
  [
    'variables-tfvars',
    'variables',
    [
      'environments/us-east-1/release.auto.tfvars.json:2: sets "stable_image", which is not a variable of environments/us-east-1 [variables]',
      'environments/us-east-1/terraform.tfvars:1: "region" must be a string, not a list [variables]',
    ],
  ],
  [
    'modules-unknown-argument',
    'modules',
    [
      'environments/us-east-1/main.tf:10: module "network": argument "nat_count" is not a variable of ../../modules/network (it has: allowed_ports, cidr_block, name, tags, zone_count) [modules]',
    ],
  ],
  [
    'modules-missing-variable',
    'modules',
    [
      'environments/us-east-1/main.tf:5: module "network": required variable "name" of ../../modules/network is not set [modules]',
    ],
  ],
  [
    'modules-unknown-output',
    'modules',
    [
      'environments/us-east-1/extra.tf:3: output "subnet_ids": module.network.subnet_ids: ../../modules/network has no output "subnet_ids" [modules]',
    ],
  ],
  [
    'modules-registry-source',
    'modules',
    [
      'environments/us-east-1/extra.tf:2: module "vpc": source "terraform-aws-modules/vpc/aws" is not a local path (./ or ../): the templates must not download modules [modules]',
    ],
  ],
  [
    'conventions-missing-files',
    'conventions',
    ['outputs.tf', 'README.md', 'variables.tf', 'versions.tf'].map(
      (file) =>
        `modules/bare/${file}: modules/bare has no ${file} (every module and stack has main.tf, variables.tf, outputs.tf, versions.tf, README.md) [conventions]`,
    ),
  ],
  [
    'conventions-undescribed',
    'conventions',
    [
      'modules/network/extra.tf:1: variable "flow_log_retention_days" has no type [conventions]',
      'modules/network/extra.tf:1: variable "flow_log_retention_days" has no description [conventions]',
      'modules/network/extra.tf:5: output "flow_log_retention_days" has no description [conventions]',
    ],
  ],
  [
    'conventions-versions',
    'conventions',
    [
      'modules/network/versions.tf:1: required_version is null, expected ">= 1.10" [conventions]',
      'modules/network/versions.tf:5: hashicorp/aws version is ">= 5.0", expected "~> 6.25" [conventions]',
      'modules/network/versions.tf:7: provider "http" (hashicorp/http) is not allowed: only hashicorp/aws, hashicorp/random [conventions]',
    ],
  ],
  [
    'conventions-no-backend',
    'conventions',
    [
      'environments/global/versions.tf: stack environments/global has no remote backend (terraform { backend "s3" { ... } }) [conventions]',
    ],
  ],
  [
    'conventions-bootstrap-silent',
    'conventions',
    [
      'bootstrap/versions.tf: bootstrap has no backend and does not say it keeps local state (a comment "local state") [conventions]',
    ],
  ],
  [
    'remote-state-unknown-output',
    'remote-state',
    [
      'environments/global/extra.tf:3: output "primary_subnet_ids": data.terraform_remote_state.primary.outputs.private_subnet_ids: stack environments/us-east-1 has no output "private_subnet_ids" [remote-state]',
    ],
  ],
  [
    'remote-state-for-each-unknown-output',
    'remote-state',
    [
      'environments/global/extra.tf:14: output "vpc_ids": data.terraform_remote_state.regions[…].outputs.network_id: stack environments/us-east-1 has no output "network_id" [remote-state]',
    ],
  ],
  [
    'sensitive-output',
    'sensitive',
    [
      'modules/network/extra.tf:14: output "flow_logs_enabled" derives from the sensitive local.flow_logs_enabled: set sensitive = true (or wrap it in nonsensitive()) [sensitive]',
    ],
  ],
];

test('every rule has a case that breaks it', () => {
  expect([...new Set(CASES.map(([, rule]) => rule))].sort()).toEqual([...RULES].sort());
});

describe.each(CASES)('case %s', (name, rule, expected) => {
  test(`breaks rule ${rule} and no other`, async () => {
    const result = await checkTree(brokenCopy(name), { schema });
    expect([...new Set(result.problems.map((p) => p.rule))]).toEqual([rule]);
    expect(lines(result.problems)).toEqual(expected);
  });
});

describe('formatting rule', () => {
  test('hcl-tools also finds the unaligned file, with the line that differs', async () => {
    const result = await checkTree(brokenCopy('format-unaligned'), { schema, formatter: 'hcl-tools' });
    expect(lines(result.problems)).toEqual([
      'modules/network/extra.tf:2: not formatted as `terraform fmt` writes it (run `terraform fmt -recursive`) [format]',
    ]);
    expect(result.problems[0]?.detail).toBe(
      '-   domain_name = "example.internal"\n+   domain_name         = "example.internal"',
    );
  });

  test(`the ${formatter} report carries the diff`, async () => {
    const result = await checkTree(brokenCopy('format-unaligned'), { schema, rules: ['format'] });
    expect(result.problems[0]?.detail).toContain('+  domain_name         = "example.internal"');
  });
});

describe('scripts/check-terraform.ts', () => {
  const cli = (dir: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/check-terraform.ts'), dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  test('prints file:line: message for every problem and exits 1', () => {
    const result = cli(brokenCopy('schema-unknown-argument'));
    expect(result.stdout).toMatch(
      /extra\.tf:4: aws_vpc_dhcp_options\.main: unsupported argument "dns_servers" \[schema\]\n$/,
    );
    expect(result.stderr).toMatch(/4 Terraform directories, 1 error\(s\), 0 warning\(s\)/);
    expect(result.status).toBe(1);
  }, 60_000);

  test('exits 0 on a tree without problems', () => {
    const result = cli(VALID);
    expect(result.stdout).toContain('0 error(s), 0 warning(s)');
    expect(result.status).toBe(0);
  }, 60_000);
});

describe('scripts/terraform-docs.mjs', () => {
  const docs = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'scripts/terraform-docs.mjs'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  test('the READMEs of templates/terraform are up to date', () => {
    const result = docs('--check', TEMPLATES);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 30_000);

  test('the READMEs of the valid fixture are up to date', () => {
    const result = docs('--check', VALID);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Terraform docs are up to date (4 READMEs).');
  }, 30_000);

  test('--check names each stale README; writing brings it up to date, sensitive inputs marked', () => {
    const dir = join(scratch, 'docs-stale');
    cpSync(VALID, dir, { recursive: true });
    const variables = join(dir, 'modules/network/variables.tf');
    writeFileSync(
      variables,
      `${readFileSync(variables, 'utf8')}
variable "flow_log_token" {
  type        = string
  description = "Token of the flow log sink."
  sensitive   = true
  default     = null
}
`,
    );
    const stale = docs('--check', dir);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('Terraform docs are out of date:');
    expect(stale.stderr).toContain('modules/network/README.md');
    expect(stale.stderr).not.toContain('us-east-1/README.md');

    expect(docs(dir).status).toBe(0);
    const readme = readFileSync(join(dir, 'modules/network/README.md'), 'utf8');
    expect(readme).toContain(
      '| `flow_log_token` (sensitive) | Token of the flow log sink. | `string` | `null` | no |',
    );
    expect(readme).toContain('| `name` | Prefix of every name. | `string` |  | yes |');
    expect(readme).toContain('| `aws_subnet.private` | resource | for_each |');
    expect(readme.startsWith('# network\n')).toBe(true);
    expect(docs('--check', dir).status).toBe(0);
  }, 30_000);

  test('a module README without the markers is an error naming it', () => {
    const dir = join(scratch, 'docs-markers');
    cpSync(VALID, dir, { recursive: true });
    writeFileSync(join(dir, 'modules/network/README.md'), '# network\n\nNo generated part.\n');
    const result = docs('--check', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'modules/network/README.md has no <!-- BEGIN_TF_DOCS --> ... <!-- END_TF_DOCS --> block',
    );
  }, 30_000);
});
