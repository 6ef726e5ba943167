/**
 * Every workflow (templates/workflows and the project's own .github/workflows) keeps the rules in
 * workflow-rules.ts; and each rule fires on a small workflow that breaks it.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../harness/runner.js';
import { checkWorkflow, loadOurActions, type RuleName } from './workflow-rules.js';

const actions = loadOurActions(ROOT);
const files = ['templates/workflows', '.github/workflows'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => relative(ROOT, join(ROOT, dir, f))),
);

describe('every workflow keeps the rules', () => {
  test('the templates are all there', () => {
    expect(files).toEqual(
      expect.arrayContaining(
        [
          'terraform-plan.yml',
          'terraform-apply.yml',
          'canary-release.yml',
          'failover-drill.yml',
          'drift-detection.yml',
        ].map((f) => `templates/workflows/${f}`),
      ),
    );
  });
  test.each(files)('%s', (file) => {
    expect(checkWorkflow(readFileSync(join(ROOT, file), 'utf8'), actions)).toEqual([]);
  });
});

/** A workflow that keeps every rule; each negative test breaks exactly one thing in it. */
const GOOD = `
on: pull_request
permissions:
  contents: read
jobs:
  plan:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
      id-token: write
      pull-requests: write
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3
        with:
          role-to-assume: \${{ vars.AWS_PLAN_ROLE_ARN }}
          aws-region: us-east-1
      - id: comment
        uses: openclaw/gitops-actions/actions/plan-comment@v1
        with:
          plan-json: tfplan.json
          label: us-east-1
      - env:
          TITLE: \${{ github.event.pull_request.title }}
          SUMMARY: \${{ steps.comment.outputs.summary }}
        run: echo "$TITLE $SUMMARY"
`;

function rulesBroken(text: string): RuleName[] {
  return [...new Set(checkWorkflow(text, actions).map((v) => v.rule))].sort();
}

function breaking(from: string, to: string): string {
  expect(GOOD).toContain(from);
  return GOOD.replace(from, to);
}

describe('each rule fires on a workflow that breaks it', () => {
  test('the good workflow breaks none', () => {
    expect(checkWorkflow(GOOD, actions)).toEqual([]);
  });

  test('an action pinned to a tag, a branch or a short SHA', () => {
    for (const ref of ['v7', 'main', '3d3c42e']) {
      const bad = breaking(
        'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
        `actions/checkout@${ref}`,
      );
      expect(rulesBroken(bad)).toEqual(['pinned-actions']);
    }
  });

  test('a pinned action without its version comment', () => {
    const bad = breaking(
      '3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      '3d3c42e5aac5ba805825da76410c181273ba90b1',
    );
    expect(checkWorkflow(bad, actions)).toEqual([
      expect.objectContaining({ rule: 'pinned-actions', message: expect.stringContaining('# vX.Y.Z') }),
    ]);
  });

  test('an event field, an input, a step output or the head ref inside run:', () => {
    for (const expression of [
      'github.event.pull_request.title',
      "github.event['issue'].body",
      'github.head_ref',
      'inputs.pull-request',
      'steps.comment.outputs.summary',
    ]) {
      const bad = breaking('run: echo "$TITLE $SUMMARY"', `run: echo "\${{ ${expression} }}"`);
      expect(rulesBroken(bad)).toEqual(['no-untrusted-expressions-in-scripts']);
    }
  });

  test('safe expressions inside run: are fine', () => {
    const ok = breaking(
      'run: echo "$TITLE $SUMMARY"',
      'run: echo "${{ github.run_id }} ${{ matrix.region }}"',
    );
    expect(checkWorkflow(ok, actions)).toEqual([]);
  });

  test('missing or broad top-level permissions', () => {
    expect(rulesBroken(breaking('permissions:\n  contents: read\njobs:', 'jobs:'))).toEqual([
      'top-level-permissions',
    ]);
    expect(
      rulesBroken(breaking('permissions:\n  contents: read\njobs:', 'permissions: write-all\njobs:')),
    ).toEqual(['top-level-permissions']);
    expect(
      rulesBroken(
        breaking(
          'permissions:\n  contents: read\njobs:',
          'permissions:\n  contents: read\n  pull-requests: write\njobs:',
        ),
      ),
    ).toEqual(['top-level-permissions']);
    expect(
      checkWorkflow(breaking('permissions:\n  contents: read\njobs:', 'permissions: {}\njobs:'), actions),
    ).toEqual([]);
  });

  test('an input our action does not declare, or a required one missing', () => {
    const bad = breaking(
      '          label: us-east-1\n',
      '          label: us-east-1\n          comment-mode: sticky\n',
    );
    expect(checkWorkflow(bad, actions)).toEqual([
      expect.objectContaining({
        rule: 'declared-inputs',
        message: "plan-comment declares no input 'comment-mode'",
      }),
    ]);
    const missing = breaking(
      'plan-comment@v1\n        with:\n          plan-json: tfplan.json\n          label: us-east-1',
      'failover-check@v1\n        with:\n          sla: p(95)<1s',
    );
    expect(checkWorkflow(missing, actions)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'declared-inputs',
          message: "failover-check needs the input 'regions'",
        }),
      ]),
    );
  });

  test('an output our action does not declare, or of a step that does not exist', () => {
    const bad = breaking('steps.comment.outputs.summary', 'steps.comment.outputs.markdown');
    expect(checkWorkflow(bad, actions)).toEqual([
      expect.objectContaining({
        rule: 'declared-outputs',
        message: expect.stringContaining("no output 'markdown'"),
      }),
    ]);
    expect(rulesBroken(breaking('steps.comment.outputs.summary', 'steps.coment.outputs.summary'))).toEqual([
      'declared-outputs',
    ]);
  });

  test('AWS keys instead of a role', () => {
    const keys = breaking(
      'role-to-assume: ${{ vars.AWS_PLAN_ROLE_ARN }}',
      'aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}',
    );
    expect(rulesBroken(keys)).toEqual(['aws-oidc-only']);
    const env = breaking('      - env:\n', '      - env:\n          AWS_SECRET_ACCESS_KEY: x\n');
    expect(rulesBroken(env)).toEqual(['aws-oidc-only']);
    const noIdToken = breaking('      id-token: write\n', '');
    expect(rulesBroken(noIdToken)).toEqual(['aws-oidc-only']);
  });

  test('id-token: write in a job that assumes no role', () => {
    const bad = breaking(
      '      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3\n        with:\n          role-to-assume: ${{ vars.AWS_PLAN_ROLE_ARN }}\n          aws-region: us-east-1\n',
      '',
    );
    expect(rulesBroken(bad)).toEqual(['job-permissions']);
  });

  test('pull_request_target', () => {
    expect(rulesBroken(breaking('on: pull_request', 'on: [push, pull_request_target]'))).toEqual([
      'no-pull-request-target',
    ]);
  });

  test('a job without timeout-minutes', () => {
    expect(rulesBroken(breaking('    timeout-minutes: 10\n', ''))).toEqual(['timeout-minutes']);
  });

  test('a job that applies without the stack lock, or that may cancel an apply', () => {
    const applies = breaking('run: echo "$TITLE $SUMMARY"', 'run: terraform apply -input=false tfplan');
    expect(rulesBroken(applies)).toEqual(['apply-concurrency']);
    const cancels = applies.replace(
      '    timeout-minutes: 10\n',
      '    timeout-minutes: 10\n    concurrency:\n      group: terraform-us-east-1\n      cancel-in-progress: true\n',
    );
    expect(rulesBroken(cancels)).toEqual(['apply-concurrency']);
    const locked = cancels.replace('cancel-in-progress: true', 'cancel-in-progress: false');
    expect(checkWorkflow(locked, actions)).toEqual([]);
  });
});
