/**
 * The project's own workflows and every action.yml, checked with GitHub's workflow parser
 * (@actions/workflow-parser: the schema and converter behind the Actions language service).
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const files = workflowFiles(join(ROOT, '.github/workflows'));
  test('ci.yml and check-dist.yml exist', () => {
    expect(files.map((f) => f.split('/').pop())).toEqual(
      expect.arrayContaining(['ci.yml', 'check-dist.yml']),
    );
  });
  test.each(files)('%s parses without errors', async (file) => {
    const trace = new NoOperationTraceWriter();
    const parsed = parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, trace);
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(Object.keys(template.jobs ?? {}).length).toBeGreaterThan(0);
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
