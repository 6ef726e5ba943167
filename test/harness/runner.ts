/**
 * Runs a built action bundle the way the GitHub Actions runner does: `node dist/<name>/index.js` as a child
 * process with INPUT_* variables (defaults from the action's action.yml, `${{ github.token }}` expanded),
 * GITHUB_EVENT_NAME / GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, and fresh GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and RUNNER_TEMP files. Returns the exit code, the outputs the action set, its step
 * summary, and the workflow commands it printed (annotations, masks, groups).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface RunResult {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  commands: WorkflowCommand[];
  /** error, warning and notice annotations, in order. */
  annotations: { level: 'error' | 'warning' | 'notice'; message: string }[];
  /** Values registered with ::add-mask::. */
  masks: string[];
  /** The whole log as the runner would show it (stdout, then stderr). */
  log: string;
  /** Files the action left in RUNNER_TEMP (read before the folder is removed), by path. */
  runnerTemp: Record<string, string>;
}

export interface RunOptions {
  /** Action folder name (`plan-comment`), or `.` for the root action (dist/index.js). */
  action: string;
  inputs?: Record<string, string>;
  eventName?: string;
  /** The event payload written to GITHUB_EVENT_PATH. */
  event?: unknown;
  repository?: string;
  apiUrl?: string;
  token?: string;
  sha?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Defaults declared in an action.yml, with `${{ github.token }}` expanded as the runner does. */
export function actionDefaults(action: string, token: string): Record<string, string> {
  const file = action === '.' ? join(ROOT, 'action.yml') : join(ROOT, 'actions', action, 'action.yml');
  const meta = parseYaml(readFileSync(file, 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(meta.inputs ?? {})) {
    if (input.default === undefined || input.default === null) continue;
    defaults[name] = String(input.default).replace(/\$\{\{\s*github\.token\s*\}\}/g, token);
  }
  return defaults;
}

/** The runner's name for an input's variable: INPUT_ + upper case, spaces to underscores (hyphens kept). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function runAction(options: RunOptions): Promise<RunResult> {
  const temp = mkdtempSync(join(tmpdir(), 'openclaw-runner-'));
  try {
    const runnerTemp = join(temp, 'runner-temp');
    mkdirSync(runnerTemp);
    const outputFile = join(temp, 'output');
    const summaryFile = join(temp, 'summary');
    const eventFile = join(temp, 'event.json');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    writeFileSync(eventFile, JSON.stringify(options.event ?? {}));
    const token = options.token ?? 'ghs_workflow_token';
    const inputs = { ...actionDefaults(options.action, token), ...options.inputs };
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? temp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_REPOSITORY: options.repository ?? 'Codertocat/Hello-World',
      GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_SHA: options.sha ?? 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'terraform',
      GITHUB_JOB: 'plan',
      GITHUB_WORKSPACE: options.cwd ?? ROOT,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      ...options.env,
    };
    for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
    const script =
      options.action === '.'
        ? join(ROOT, 'dist', 'index.js')
        : join(ROOT, 'dist', options.action, 'index.js');
    const { exitCode, stdout, stderr } = await spawnNode(
      script,
      env,
      options.cwd ?? ROOT,
      options.timeoutMs ?? 60_000,
    );
    const commands = parseCommands(stdout);
    const runnerTempFiles: Record<string, string> = {};
    for (const name of readdirSync(runnerTemp))
      runnerTempFiles[join(runnerTemp, name)] = readFileSync(join(runnerTemp, name), 'utf8');
    return {
      exitCode,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
      stdout,
      stderr,
      commands,
      annotations: commands
        .filter((c) => c.command === 'error' || c.command === 'warning' || c.command === 'notice')
        .map((c) => ({ level: c.command as 'error' | 'warning' | 'notice', message: c.message })),
      masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
      log: `${stdout}\n${stderr}`,
      runnerTemp: runnerTempFiles,
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function spawnNode(
  script: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 1, stdout, stderr });
    });
  });
}

/** GITHUB_OUTPUT: `name<<DELIMITER\nvalue\nDELIMITER` blocks (and the older `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]!);
      outputs[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const eq = line.indexOf('=');
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return outputs;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** Workflow commands (`::name key=value,...::message`) printed on stdout. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    commands.push({ command: m[1]!, properties, message: unescapeData(m[3] ?? '') });
  }
  return commands;
}
