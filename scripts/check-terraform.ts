#!/usr/bin/env -S npx tsx
// Static checks of the Terraform templates, standing in for `terraform validate` (the AWS provider cannot be
// downloaded here): parse, fmt, the AWS provider schema, references, variables/locals, module calls,
// the house conventions and terraform_remote_state outputs. See test/support/terraform/check.ts for the rules.
//
//   npx tsx scripts/check-terraform.ts [dir]        # default: templates/terraform
//   npx tsx scripts/check-terraform.ts --formatter hcl-tools [dir]
//
// Prints every problem as `file:line: message [rule]` (paths relative to the repository) and exits 1 when there is
// an error; warnings (a variable never used, a remote state key no stack has) are printed and do not fail.
import { relative, resolve } from 'node:path';
import { checkTree, formatProblem, type Formatter } from '../test/support/terraform/check.js';

const args = process.argv.slice(2);
let formatter: Formatter | 'auto' = 'auto';
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--formatter') {
    const value = args[++i];
    if (value !== 'terraform' && value !== 'hcl-tools' && value !== 'auto') {
      console.error(
        `--formatter: expected terraform, hcl-tools or auto, got ${JSON.stringify(value ?? null)}`,
      );
      process.exit(2);
    }
    formatter = value;
  } else if (arg === '--help' || arg === '-h') {
    console.log('usage: npx tsx scripts/check-terraform.ts [--formatter terraform|hcl-tools|auto] [dir]');
    process.exit(0);
  } else if (arg.startsWith('-')) {
    console.error(`unknown option ${arg} (try --help)`);
    process.exit(2);
  } else positional.push(arg);
}
if (positional.length > 1) {
  console.error(`expected at most one directory, got ${positional.join(' ')}`);
  process.exit(2);
}
const dir = resolve(positional[0] ?? 'templates/terraform');
const shown = relative(process.cwd(), dir) || '.';

try {
  const result = await checkTree(dir, { formatter });
  for (const problem of result.problems) {
    console.log(formatProblem({ ...problem, file: `${shown === '.' ? '' : `${shown}/`}${problem.file}` }));
  }
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const warnings = result.problems.length - errors;
  const summary = `${shown}: ${result.directories.length} Terraform directories, ${errors} error(s), ${warnings} warning(s) (format checked with ${result.formatter ?? 'nothing'})`;
  if (errors > 0) {
    console.error(summary);
    process.exitCode = 1;
  } else {
    console.log(summary);
  }
} catch (error) {
  console.error(`check-terraform: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
