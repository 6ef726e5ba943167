/**
 * Getting the plan's JSON: read from a file (`plan-json`), or shown from a binary plan (`plan-file`) with
 * `<terraform-cmd> show -json`, which works for `terraform`, `tofu` and wrappers that take the same arguments.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CommandNotFoundError, type CommandRunner } from '../common/command.js';
import { ActionError, InputError } from '../common/errors.js';
import { readOptional, readString, type InputReader } from '../common/inputs.js';
import { parsePlanJson, type RawPlan } from './plan.js';

export type PlanInput = { kind: 'json'; path: string } | { kind: 'binary'; path: string; command: string };

/**
 * The `plan-json` / `plan-file` pair (with `terraform-cmd` for a binary plan): at most one of the two, and
 * exactly one when `required`. Undefined when neither is set and none is required. `terraformCmd`: the
 * action's default for `terraform-cmd`.
 */
export function readPlanInput(io: InputReader, required: true, terraformCmd: string): PlanInput;
export function readPlanInput(
  io: InputReader,
  required: boolean,
  terraformCmd: string,
): PlanInput | undefined;
export function readPlanInput(
  io: InputReader,
  required: boolean,
  terraformCmd: string,
): PlanInput | undefined {
  const planJson = readOptional(io, 'plan-json');
  const planFile = readOptional(io, 'plan-file');
  const howMany = required ? 'exactly one' : 'at most one';
  if (planJson && planFile)
    throw new InputError(
      'plan-file',
      planFile,
      `nothing when 'plan-json' is set: give ${howMany} of plan-json or plan-file`,
    );
  if (planJson) return { kind: 'json', path: planJson };
  if (planFile)
    return { kind: 'binary', path: planFile, command: readString(io, 'terraform-cmd', terraformCmd) };
  if (required)
    throw new InputError(
      'plan-json',
      undefined,
      "the path of `terraform show -json` output, or set 'plan-file' to a binary plan: exactly one of the two is required",
    );
  return undefined;
}

export interface LoadedPlan {
  plan: RawPlan;
  /** Where it came from, for the log. */
  origin: string;
  /** Size of the JSON text in bytes. */
  bytes: number;
  /** What the reader should know about how the plan was read (for the log). */
  warnings: string[];
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError('working-directory', dir, 'an existing directory');
}

async function assertFile(input: string, path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(input, path, `the path of ${what}; no file exists at ${path}`);
  if (!info.isFile()) throw new InputError(input, path, `the path of ${what}; ${path} is not a file`);
}

export async function loadPlan(
  input: PlanInput,
  workingDirectory: string,
  runner: CommandRunner,
): Promise<LoadedPlan> {
  await assertDirectory(workingDirectory);
  const path = resolve(workingDirectory, input.path);
  if (input.kind === 'json') {
    await assertFile('plan-json', path, '`terraform show -json` output');
    // one decode of the whole buffer: readFile(path, 'utf8') decodes in chunks into a string of many pieces,
    // which the parse then has to copy into one (a large share of the read for a plan of many megabytes)
    const bytes = await readFile(path);
    const parsed = parsePlanJson(bytes.toString('utf8'), {
      input: 'plan-json',
      description: `The file ${path}`,
    });
    return { ...parsed, origin: path, bytes: bytes.length };
  }
  await assertFile('plan-file', path, 'a binary plan saved with `terraform plan -out`');
  const [command, ...prefix] = input.command.split(/\s+/).filter(Boolean);
  if (!command) throw new InputError('terraform-cmd', input.command, 'a command such as terraform or tofu');
  const args = [...prefix, 'show', '-json', '-no-color', path];
  let result;
  try {
    result = await runner.run(command, args, {
      cwd: workingDirectory,
      env: { ...process.env, TF_IN_AUTOMATION: '1', NO_COLOR: '1' },
    });
  } catch (error) {
    if (error instanceof CommandNotFoundError) {
      throw new InputError(
        'terraform-cmd',
        input.command,
        `a command on PATH (${command} was not found): add a setup step before this one (hashicorp/setup-terraform with terraform_wrapper: false, or opentofu/setup-opentofu) or pass plan-json instead`,
      );
    }
    throw error;
  }
  const shown = `${[command, ...args].join(' ')}`;
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-15).join('\n');
    throw new ActionError(
      `\`${shown}\` failed with exit code ${result.exitCode} in ${workingDirectory}${tail ? `:\n${tail}` : ''}\nRun \`terraform init\` in the same working-directory before this step, with the same backend and providers as the plan.`,
    );
  }
  const text = result.stdout.toString('utf8');
  const parsed = parsePlanJson(text, { input: 'plan-file', description: `The output of \`${shown}\`` });
  return { ...parsed, origin: shown, bytes: result.stdout.length };
}
