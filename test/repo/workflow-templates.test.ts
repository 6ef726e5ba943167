/**
 * Each workflow template does what its name says: its jobs and steps, read from the parsed YAML, in order; the
 * shell the steps run, run here with jq and stand-ins for terraform and gh where it decides something; and the
 * organisation workflow-template metadata beside them.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseMetrics } from '../../src/canary/metrics-config.js';
import { ROOT } from '../harness/runner.js';

const DIR = join(ROOT, 'templates/workflows');
const PRIMARY_FIRST = ['us-east-1', 'eu-west-1'];

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  strategy?: { 'max-parallel'?: number; 'fail-fast'?: boolean; matrix: Record<string, unknown> };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  defaults?: { run?: { 'working-directory'?: string } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, any>;
  env?: Record<string, string>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
  return parse(readFileSync(join(DIR, name), 'utf8')) as Workflow;
}

/** index of the first step matching, failing the test with the list of steps when none does */
function indexOf(job: Job, what: string, match: (s: Step) => boolean): number {
  const i = job.steps.findIndex(match);
  if (i < 0)
    throw new Error(`no step ${what} in ${job.steps.map((s) => s.name ?? s.uses ?? s.run).join(' | ')}`);
  return i;
}
const uses = (action: string) => (s: Step) => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`);
const runs = (pattern: RegExp) => (s: Step) => typeof s.run === 'string' && pattern.test(s.run);
const ours = (name: string) => uses(`openclaw/gitops-actions/actions/${name}`);

/** the stacks of a matrix, in order: `stack` or `region` of each include, or the region list */
function stacks(job: Job): string[] {
  const matrix = job.strategy!.matrix;
  if (Array.isArray(matrix['region'])) return matrix['region'] as string[];
  return (matrix['include'] as Record<string, string>[]).map((i) => i['stack'] ?? i['region']!);
}

/** run a step's script with bash as the runner does (bash -e -o pipefail), in a directory, with env */
function runScript(script: string, cwd: string, env: Record<string, string>) {
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    env: { PATH: process.env['PATH']!, HOME: process.env['HOME'] ?? '/tmp', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function outputsOf(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** a scratch directory with stand-in commands on PATH */
function sandbox(commands: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-step-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(commands)) {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const env = {
    PATH: `${bin}:${process.env['PATH']}`,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  writeFileSync(env.GITHUB_OUTPUT, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  return { dir, env, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('terraform-plan.yml', () => {
  const wf = workflow('terraform-plan.yml');
  const plan = wf.jobs['plan']!;

  test('runs on pull requests that touch the Terraform, never on pull_request_target', () => {
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.on['pull_request'].paths).toEqual(['templates/terraform/**']);
    expect(wf.env!['TF_ROOT']).toBe('templates/terraform');
  });

  test('static: fmt, validate of every stack without a backend, tflint, checkov that fails', () => {
    const s = wf.jobs['static']!;
    const fmt = indexOf(s, 'fmt', runs(/terraform fmt -check -recursive/));
    const validate = indexOf(s, 'validate', runs(/terraform init -backend=false[\s\S]*terraform validate/));
    expect(s.steps[validate]!.run).toMatch(/for stack in bootstrap environments\/\*\//);
    indexOf(s, 'setup-tflint', uses('terraform-linters/setup-tflint'));
    indexOf(s, 'tflint', runs(/tflint --recursive/));
    const checkov = s.steps[indexOf(s, 'checkov', uses('bridgecrewio/checkov-action'))]!;
    expect(checkov.with!['soft_fail']).toBe(false);
    expect(fmt).toBeLessThan(validate);
    expect(s.permissions).toEqual({ contents: 'read' });
  });

  test('plan: every stack, primary region first, with the plan role, after static', () => {
    expect(plan.needs).toBe('static');
    expect(stacks(plan)).toEqual([...PRIMARY_FIRST, 'global']);
    expect(plan.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      'id-token': 'write',
      actions: 'read',
    });
    expect(plan.defaults!.run!['working-directory']).toBe(
      '${{ env.TF_ROOT }}/environments/${{ matrix.stack }}',
    );
    const aws = plan.steps[indexOf(plan, 'credentials', uses('aws-actions/configure-aws-credentials'))]!;
    expect(aws.with!['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
  });

  test('plan: init, plan -out=tfplan, show -json, upload tfplan-<stack>-<head sha>, then plan-comment', () => {
    const init = indexOf(plan, 'init', runs(/^terraform init\b/));
    const planStep = indexOf(plan, 'plan', runs(/terraform plan -out=tfplan -input=false -lock-timeout=5m/));
    const show = indexOf(plan, 'show', runs(/terraform show -json tfplan > tfplan\.json/));
    const upload = indexOf(plan, 'upload', uses('actions/upload-artifact'));
    const comment = indexOf(plan, 'plan-comment', ours('plan-comment'));
    expect([init, planStep, show, upload, comment]).toEqual(
      [...[init, planStep, show, upload, comment]].sort((a, b) => a - b),
    );
    const artifact = plan.steps[upload]!.with!;
    expect(artifact['name']).toBe('tfplan-${{ matrix.stack }}-${{ github.event.pull_request.head.sha }}');
    const paths = String(artifact['path'])
      .trim()
      .split('\n')
      .map((p) => p.split('/').pop());
    expect(paths).toEqual(['tfplan', 'tfplan.json', '.terraform.lock.hcl']);
    expect(artifact['include-hidden-files']).toBe(true);
    expect(Number(artifact['retention-days'])).toBeLessThanOrEqual(14);
    expect(plan.steps[comment]!.with).toEqual(
      expect.objectContaining({
        'plan-json': 'tfplan.json',
        label: '${{ matrix.stack }}',
        'details-url': expect.stringContaining('/actions/runs/${{ github.run_id }}'),
      }),
    );
  });
});

describe('terraform-apply.yml', () => {
  const text = readFileSync(join(DIR, 'terraform-apply.yml'), 'utf8');
  const wf = workflow('terraform-apply.yml');
  const apply = wf.jobs['apply']!;

  test('runs after the merge on exactly the paths that are planned, or by hand with a pull request number', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(wf.on['push'].branches).toEqual(['main']);
    expect(wf.on['push'].paths).toEqual(workflow('terraform-plan.yml').on['pull_request'].paths);
    expect(wf.on['workflow_dispatch'].inputs['pull-request'].required).toBe(true);
    // the choice is explained where people read it
    expect(text.split('\n')[0]).toMatch(/after the merge/);
    expect(text).toMatch(/Not pull_request_review, because:/);
    expect(readFileSync(join(DIR, 'README.md'), 'utf8')).toMatch(/pull_request_review/);
  });

  test('finds the plan run of the pull request head through the API, values passed by env', () => {
    const resolve = wf.jobs['resolve']!;
    expect(resolve.if).toBe("github.ref == 'refs/heads/main'");
    const find = resolve.steps[0]!;
    expect(find.run).toMatch(/commits\/\$COMMIT_SHA\/pulls/);
    expect(find.run).toMatch(
      /actions\/workflows\/\$PLAN_WORKFLOW\/runs\?head_sha=\$head_sha&event=pull_request&status=success/,
    );
    expect(wf.env!['PLAN_WORKFLOW']).toBe('terraform-plan.yml');
    expect(existsSync(join(DIR, wf.env!['PLAN_WORKFLOW']!))).toBe(true);
    expect(find.env).toEqual(expect.objectContaining({ DISPATCHED_PR: '${{ inputs.pull-request }}' }));
    expect(Object.keys(resolve.outputs!).sort()).toEqual(['head-sha', 'plan-run-id', 'pull-request']);
  });

  test('one stack at a time, primary first, in the stack lock, in the production environment', () => {
    expect(apply.needs).toBe('resolve');
    expect(stacks(apply)).toEqual([...PRIMARY_FIRST, 'global']);
    expect(apply.strategy!['max-parallel']).toBe(1);
    expect(apply.strategy!['fail-fast']).toBe(true);
    expect(apply.concurrency).toEqual({
      group: 'terraform-${{ matrix.stack }}',
      'cancel-in-progress': false,
    });
    expect(apply.environment).toBe('production');
    const aws = apply.steps[indexOf(apply, 'credentials', uses('aws-actions/configure-aws-credentials'))]!;
    expect(aws.with!['role-to-assume']).toBe('${{ vars.AWS_APPLY_ROLE_ARN }}');
  });

  test('downloads the approved plan, inits with its lock file, gates, applies that file, marks the comment', () => {
    const download = indexOf(apply, 'download', uses('actions/download-artifact'));
    const init = indexOf(apply, 'init', runs(/^terraform init\b/));
    const gate = indexOf(apply, 'apply-gate', ours('apply-gate'));
    const applyStep = indexOf(apply, 'apply', runs(/terraform apply/));
    const applied = indexOf(apply, 'applied', (s) => s.with?.['status'] === 'applied');
    const failed = indexOf(apply, 'apply-failed', (s) => s.with?.['status'] === 'apply-failed');
    expect(download).toBeLessThan(init);
    expect(init).toBeLessThan(gate);
    expect(gate).toBeLessThan(applyStep);
    expect(applyStep).toBeLessThan(applied);
    expect(applyStep).toBeLessThan(failed);

    expect(apply.steps[download]!.with).toEqual(
      expect.objectContaining({
        name: 'tfplan-${{ matrix.stack }}-${{ needs.resolve.outputs.head-sha }}',
        'run-id': '${{ needs.resolve.outputs.plan-run-id }}',
        'github-token': '${{ github.token }}',
      }),
    );
    expect(apply.steps[init]!.run).toMatch(/-lockfile=readonly/);
    const g = apply.steps[gate]!;
    expect(g.id).toBe('gate');
    expect(g.with).toEqual(
      expect.objectContaining({ 'plan-json': 'tfplan.json', label: '${{ matrix.stack }}' }),
    );
    const a = apply.steps[applyStep]!;
    expect(a.if).toBe("steps.gate.outputs.allowed == 'true'");
    // exactly the downloaded plan: no -auto-approve, no -var, no new plan
    expect(a.run!.trim()).toMatch(/^terraform apply -input=false -lock-timeout=5m tfplan$/);
    expect(apply.steps.filter(runs(/terraform plan/))).toEqual([]);
    expect(apply.steps[applied]!.if).toMatch(/success\(\) && steps\.apply\.outcome == 'success'/);
    expect(apply.steps[failed]!.if).toMatch(/failure\(\) && steps\.apply\.outcome == 'failure'/);
    for (const i of [applied, failed])
      expect(apply.steps[i]!.with).toEqual(
        expect.objectContaining({ 'plan-json': 'tfplan.json', label: '${{ matrix.stack }}' }),
      );
  });
});

describe('canary-release.yml', () => {
  const wf = workflow('canary-release.yml');
  const build = wf.jobs['build']!;
  const canary = wf.jobs['canary']!;
  const WEIGHTS = [10, 30, 60];

  test('builds service/Dockerfile from the repository root and pushes it to every region', () => {
    const push = build.steps[indexOf(build, 'build-push', uses('docker/build-push-action'))]!;
    expect(push.with).toEqual(
      expect.objectContaining({ context: '.', file: 'service/Dockerfile', push: true }),
    );
    expect(build.steps.filter(uses('aws-actions/amazon-ecr-login'))).toHaveLength(PRIMARY_FIRST.length);
    expect(
      build.steps[indexOf(build, 'ecr outputs', runs(/terraform output -raw ecr_repository_url/))],
    ).toBeDefined();
    expect(build.outputs!['digest']).toBe('${{ steps.push.outputs.digest }}');
  });

  test('one region at a time, primary first, in the region lock', () => {
    expect(canary.needs).toBe('build');
    expect(stacks(canary)).toEqual(PRIMARY_FIRST);
    expect(canary.strategy!['max-parallel']).toBe(1);
    expect(canary.concurrency).toEqual({
      group: 'terraform-${{ matrix.region }}',
      'cancel-in-progress': false,
    });
  });

  test("the canary's tasks start at weight 0 and the ECS service is stable before any traffic goes to them", () => {
    const start = indexOf(
      canary,
      'start at 0',
      runs(/-out=canary-0\.tfplan -var "canary_image=\$IMAGE" -var canary_weight=0/),
    );
    const script = canary.steps[start]!.run!;
    expect(script).toMatch(/check-plan-scope" canary-0\.json "\$CANARY_PLAN_SCOPE"/);
    const apply = script.indexOf('terraform apply -input=false -lock-timeout=5m canary-0.tfplan');
    const wait = script.indexOf(
      'aws ecs wait services-stable --cluster "$CLUSTER" --services "$CANARY_SERVICE"',
    );
    expect(apply).toBeGreaterThan(0);
    expect(wait).toBeGreaterThan(apply);
    expect(canary.steps[start]!.env).toMatchObject({
      CLUSTER: '${{ steps.stack.outputs.cluster_name }}',
      CANARY_SERVICE: '${{ steps.stack.outputs.canary_service_name }}',
    });
    expect(start).toBeLessThan(indexOf(canary, 'plan 10', runs(/-var canary_weight=10\b/)));
  });

  test('10, 30, 60: plan (checked to touch only the canary), apply that plan, then the gate, in that order', () => {
    let last = -1;
    for (const weight of WEIGHTS) {
      const plan = indexOf(canary, `plan ${weight}`, runs(new RegExp(`-var canary_weight=${weight}\\b`)));
      const script = canary.steps[plan]!.run!;
      expect(script).toMatch(new RegExp(`-out=canary-${weight}\\.tfplan -var "canary_image=\\$IMAGE"`));
      expect(script).toMatch(new RegExp(`check-plan-scope" canary-${weight}\\.json "\\$CANARY_PLAN_SCOPE"`));
      expect(canary.steps[plan]!.env!['IMAGE']).toBe('${{ steps.stack.outputs.image }}');
      const applyStep = indexOf(
        canary,
        `apply ${weight}`,
        runs(new RegExp(`terraform apply .*canary-${weight}\\.tfplan$`, 'm')),
      );
      const gate = indexOf(canary, `gate ${weight}`, (s) => s.id === `gate-${weight}`);
      expect(canary.steps[gate]!.uses).toBe('openclaw/gitops-actions/actions/canary-gate@v1');
      expect(last).toBeLessThan(plan);
      expect(plan).toBeLessThan(applyStep);
      expect(applyStep).toBeLessThan(gate);
      last = gate;
    }
  });

  test('rollback: on any failure, weight 0 with the committed release file, and the job fails', () => {
    const i = indexOf(canary, 'rollback', runs(/-out=rollback\.tfplan -var canary_weight=0/));
    const rollback = canary.steps[i]!;
    expect(rollback.if).toMatch(/^failure\(\)/);
    expect(rollback.run).toMatch(/git restore --source=HEAD -- release\.auto\.tfvars\.json/);
    expect(rollback.run).toMatch(/terraform apply .*rollback\.tfplan/);
    expect(rollback.run!.trim().split('\n').pop()).toBe('exit 1');
    expect(rollback.run).not.toMatch(/canary_image=/);
    expect(i).toBeGreaterThan(indexOf(canary, 'gate 60', (s) => s.id === 'gate-60'));
  });

  test('promote after 60%: rewrite the release file, apply it, open a pull request with it', () => {
    const p = indexOf(canary, 'promote', (s) => s.id === 'promote');
    const promote = canary.steps[p]!;
    expect(promote.if).toBe("steps.gate-60.outputs.decision == 'promote'");
    expect(promote.run).toMatch(/\.stable_image = \$image \| \.canary_image = null \| \.canary_weight = 0/);
    expect(promote.run).toMatch(/terraform apply .*promote\.tfplan/);
    const pr = canary.steps[indexOf(canary, 'create-pull-request', uses('peter-evans/create-pull-request'))]!;
    expect(pr.if).toBe("steps.promote.outcome == 'success'");
    expect(pr.with!['add-paths']).toBe(
      '${{ env.TF_ROOT }}/environments/${{ matrix.region }}/release.auto.tfvars.json',
    );
    expect(canary.steps.indexOf(pr)).toBeGreaterThan(p);
  });

  test('the summary links the region dashboard', () => {
    const summary = canary.steps.find((s) => s.name === 'Job summary')!;
    expect(summary.env!['DASHBOARD_URL']).toBe('${{ steps.stack.outputs.dashboard_url }}');
    expect(summary.run).toMatch(/\[dashboard\]\(\$DASHBOARD_URL\)/);
  });

  test('the CloudWatch metrics are what canary-gate accepts: 5xx ratio per target group and p99 latency', () => {
    const env = {
      LOAD_BALANCER: 'app/rating/0123456789abcdef',
      CANARY_TARGET_GROUP: 'targetgroup/rating-canary/aaaa',
      STABLE_TARGET_GROUP: 'targetgroup/rating-stable/bbbb',
    };
    const rendered = canary.env!['CLOUDWATCH_METRICS']!.replace(
      /\$\{(\w+)\}/g,
      (_, name: keyof typeof env) => env[name],
    );
    const metrics = parseMetrics(rendered, 'metrics');
    expect(metrics.map((m) => [m.name, m.kind])).toEqual([
      ['http-5xx-ratio', 'ratio'],
      ['target-response-time-p99', 'value'],
    ]);
    const [errors, latency] = metrics;
    expect(errors!.queries.kind === 'ratio' && errors!.queries.canaryFailures).toBe(
      `SELECT SUM(HTTPCode_Target_5XX_Count) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${env.LOAD_BALANCER}' AND TargetGroup = '${env.CANARY_TARGET_GROUP}'`,
    );
    expect(errors!.queries.kind === 'ratio' && errors!.queries.baselineTotal).toMatch(
      /SUM\(RequestCount\).*TargetGroup = 'targetgroup\/rating-stable\/bbbb'/,
    );
    expect(latency!.queries.kind === 'value' && latency!.queries.canaryQuery).toBe(
      `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="TargetResponseTime" LoadBalancer="${env.LOAD_BALANCER}" TargetGroup="${env.CANARY_TARGET_GROUP}"', 'p99')`,
    );
    // the gates read these through the metrics step; with prometheus, the AMP query URL and track selectors
    const metricsStep = canary.steps.find((s) => s.id === 'metrics')!;
    expect(metricsStep.run).toMatch(
      /envsubst '\$\{LOAD_BALANCER\} \$\{CANARY_TARGET_GROUP\} \$\{STABLE_TARGET_GROUP\}'/,
    );
    expect(metricsStep.env!['PROMETHEUS_URL']).toBe('${{ steps.stack.outputs.prometheus_query_url }}');
    expect(metricsStep.run).toMatch(
      /canary-selector=job=\\"rating\\", region=\\"\$REGION\\", track=\\"canary\\"/,
    );
    expect(metricsStep.run).toMatch(
      /baseline-selector=job=\\"rating\\", region=\\"\$REGION\\", track=\\"stable\\"/,
    );
  });

  describe('the plan scope check', () => {
    const script = canary.steps.find((s) => s.name === 'Plan scope check')!.run!;
    const scope = (name: string) => /\|\| '(.*)' \}\}$/.exec(canary.env![name]!)![1]!;
    const change = (address: string, actions: string[]) => ({ address, change: { actions } });
    function check(scopeName: string, changes: object[]) {
      const box = sandbox({});
      try {
        expect(runScript(script, box.dir, box.env).code).toBe(0);
        writeFileSync(join(box.dir, 'plan.json'), JSON.stringify({ resource_changes: changes }));
        return runScript(`"$RUNNER_TEMP/check-plan-scope" plan.json "$SCOPE"`, box.dir, {
          ...box.env,
          SCOPE: scope(scopeName),
        });
      } finally {
        box.done();
      }
    }
    const canaryOnly = [
      change('module.rating_service.aws_ecs_service.canary', ['update']),
      change('module.rating_service.aws_ecs_task_definition.this["canary"]', ['create', 'delete']),
      change('module.rating_service.aws_lb_listener.https', ['update']),
      change('module.rating_service.aws_ecs_service.stable', ['no-op']),
      change('data.aws_caller_identity.current', ['read']),
    ];

    test('a plan that changes only the canary passes', () => {
      expect(check('CANARY_PLAN_SCOPE', canaryOnly)).toEqual(expect.objectContaining({ code: 0 }));
    });
    test('a canary plan that also changes the stable service, or anything else, is refused, naming them', () => {
      const result = check('CANARY_PLAN_SCOPE', [
        ...canaryOnly,
        change('module.rating_service.aws_ecs_service.stable', ['update']),
        change('module.network.aws_nat_gateway.this[0]', ['delete']),
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/module\.rating_service\.aws_ecs_service\.stable/);
      expect(result.stdout).toMatch(/module\.network\.aws_nat_gateway\.this\[0\]/);
    });
    test('promotion may change the stable service and its task definition, nothing else', () => {
      const stable = [
        change('module.rating_service.aws_ecs_service.stable', ['update']),
        change('module.rating_service.aws_ecs_task_definition.this["stable"]', ['create', 'delete']),
      ];
      expect(check('RELEASE_PLAN_SCOPE', [...canaryOnly, ...stable]).code).toBe(0);
      expect(
        check('RELEASE_PLAN_SCOPE', [...stable, change('aws_route53_record.failover["primary"]', ['update'])])
          .code,
      ).toBe(1);
    });
  });
  describe('the rollback', () => {
    const rollback = canary.steps.find((s) => s.name === 'Roll back (canary weight 0)')!;
    const scopeScript = canary.steps.find((s) => s.name === 'Plan scope check')!.run!;
    const defaultScope = /\|\| '(.*)' \}\}$/.exec(canary.env!['CANARY_PLAN_SCOPE']!)![1]!;
    const change = (address: string, actions: string[]) => ({ address, change: { actions } });
    const canaryBack = [
      change('module.rating_service.aws_ecs_service.canary', ['update']),
      change('module.rating_service.aws_lb_listener.https', ['update']),
    ];

    /** the rollback step with a terraform that plans `full` (or, with -target, only the canary) and logs calls */
    function roll(full: object[]) {
      const box = sandbox({
        terraform: [
          'printf "%s\\n" "$*" >> "$RUNNER_TEMP/terraform.log"',
          'case "$1" in',
          '  plan) if [[ "$*" == *-target=* ]]; then echo targeted > "$RUNNER_TEMP/planned"; else echo full > "$RUNNER_TEMP/planned"; fi ;;',
          '  show) cat "$RUNNER_TEMP/$(cat "$RUNNER_TEMP/planned").json" ;;',
          'esac',
        ].join('\n'),
        git: 'printf "git %s\\n" "$*" >> "$RUNNER_TEMP/terraform.log"',
      });
      try {
        expect(runScript(scopeScript, box.dir, box.env).code).toBe(0);
        writeFileSync(join(box.dir, 'full.json'), JSON.stringify({ resource_changes: full }));
        writeFileSync(join(box.dir, 'targeted.json'), JSON.stringify({ resource_changes: canaryBack }));
        const result = runScript(rollback.run!, box.dir, {
          ...box.env,
          CANARY_PLAN_SCOPE: defaultScope,
          REGION: 'us-east-1',
          DECISION_10: 'promote',
          DECISION_30: 'rollback',
        });
        return { ...result, calls: readFileSync(join(box.dir, 'terraform.log'), 'utf8').trim().split('\n') };
      } finally {
        box.done();
      }
    }

    test('restores the committed release file, applies weight 0, and fails the job saying why', () => {
      const { code, stdout, calls } = roll(canaryBack);
      expect(calls).toEqual([
        'git restore --source=HEAD -- release.auto.tfvars.json',
        'plan -input=false -lock-timeout=5m -out=rollback.tfplan -var canary_weight=0',
        'show -json rollback.tfplan',
        'apply -input=false -lock-timeout=5m rollback.tfplan',
      ]);
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /::error::The canary in us-east-1 was rolled back \(decisions: 10% promote, 30% rollback, 60% none\)/,
      );
    });

    test('with other changes pending, rolls back only the canary (-target), never applying the others', () => {
      const { code, calls } = roll([
        ...canaryBack,
        change('module.network.aws_nat_gateway.this[0]', ['delete']),
      ]);
      expect(calls.filter((c) => c.startsWith('plan'))).toEqual([
        'plan -input=false -lock-timeout=5m -out=rollback.tfplan -var canary_weight=0',
        'plan -input=false -lock-timeout=5m -out=rollback.tfplan -var canary_weight=0 ' +
          '-target=module.rating_service.aws_ecs_service.canary -target=module.rating_service.aws_lb_listener.https',
      ]);
      expect(calls.pop()).toBe('apply -input=false -lock-timeout=5m rollback.tfplan');
      expect(code).toBe(1);
    });
  });
});

describe('failover-drill.yml', () => {
  const wf = workflow('failover-drill.yml');
  const DRILLS = ['health-check-inversion', 'fis-stop-tasks', 'latency'];

  test('weekly and by hand, with the drill to run', () => {
    expect(wf.on['schedule']).toHaveLength(1);
    expect(wf.on['workflow_dispatch'].inputs.drill.options).toEqual(['all', ...DRILLS, 'none']);
  });

  test('probe: every region against the SLA, and the failover record answers the primary target', () => {
    const probe = wf.jobs['probe']!;
    const check = probe.steps[indexOf(probe, 'failover-check', ours('failover-check'))]!;
    expect(check.with).toEqual({
      regions: '${{ needs.outputs.outputs.regions }}',
      sla: '${{ env.SLA }}',
      'dns-name': '${{ needs.outputs.outputs.dns-name }}',
      'dns-expect': '${{ needs.outputs.outputs.primary-target }}',
    });
  });

  test('the drills run one after another, in production-drill with the drill role, in one concurrency group', () => {
    let before = 'probe';
    for (const name of DRILLS) {
      const job = wf.jobs[name]!;
      expect(job.needs).toContain(before);
      expect(job.if).toContain(`inputs.drill == '${name}'`);
      expect(job.environment).toBe('production-drill');
      expect(job.concurrency).toEqual({ group: 'failover-drill', 'cancel-in-progress': false });
      const aws = job.steps[indexOf(job, 'credentials', uses('aws-actions/configure-aws-credentials'))]!;
      expect(aws.with!['role-to-assume']).toBe('${{ vars.AWS_DRILL_ROLE_ARN }}');
      before = name;
    }
  });

  test('health check inversion: inverted, then not, and the secondary must answer within rto-max', () => {
    const job = wf.jobs['health-check-inversion']!;
    const drill = job.steps[indexOf(job, 'failover-check', ours('failover-check'))]!;
    expect(drill.env!['PRIMARY_HC']).toBe('${{ needs.outputs.outputs.primary-health-check-id }}');
    expect(drill.with).toEqual(
      expect.objectContaining({
        'drill-inject': 'aws route53 update-health-check --health-check-id "$PRIMARY_HC" --inverted',
        'drill-recover': 'aws route53 update-health-check --health-check-id "$PRIMARY_HC" --no-inverted',
        'drill-url': 'https://${{ needs.outputs.outputs.dns-name }}/health',
        'drill-expect-region': '${{ needs.outputs.outputs.secondary-region }}',
        'rto-max': '${{ env.RTO_MAX }}',
      }),
    );
  });

  test('FIS stop tasks: starts the primary experiment, stops it on recover if still running', () => {
    const job = wf.jobs['fis-stop-tasks']!;
    const drill = job.steps[indexOf(job, 'failover-check', ours('failover-check'))]!;
    expect(drill.with!['drill-inject']).toBe(
      'aws fis start-experiment --experiment-template-id "$FIS_TEMPLATE" --query experiment.id --output text > "$RUNNER_TEMP/experiment"',
    );
    expect(drill.with!['drill-recover']).toMatch(
      /pending\|initiating\|running\) aws fis stop-experiment --id "\$id"/,
    );
    expect(drill.env!['FIS_TEMPLATE']).toBe('${{ needs.outputs.outputs.primary-stop-tasks-template }}');
    expect(drill.with!['drill-expect-region']).toBe('${{ needs.outputs.outputs.secondary-region }}');
  });

  test('latency: slow the secondary, its region flagged, the entry point within the SLA, experiment stopped', () => {
    const job = wf.jobs['latency']!;
    const start = indexOf(job, 'start', runs(/aws fis start-experiment/));
    const check = indexOf(job, 'failover-check', ours('failover-check'));
    const assert = indexOf(
      job,
      'assert',
      (s) => s.env?.['UNHEALTHY'] === '${{ steps.check.outputs.unhealthy-regions }}' && !!s.run,
    );
    const stop = indexOf(job, 'stop', runs(/aws fis stop-experiment/));
    expect([start, check, assert]).toEqual([start, start + 1, start + 2]);
    expect(stop).toBeGreaterThan(assert);
    expect(job.steps[stop]!.if).toMatch(/^always\(\)/);
    expect(job.steps[check]!.with).toEqual(
      expect.objectContaining({
        regions: '${{ needs.outputs.outputs.latency-regions }}',
        sla: '${{ env.LATENCY_SLA }}',
      }),
    );
    expect(job.steps[start]!.env!['FIS_TEMPLATE']).toBe(
      '${{ needs.outputs.outputs.secondary-latency-template }}',
    );
  });

  test('the latency assertion passes only when the slowed region is flagged and the entry point is not', () => {
    const job = wf.jobs['latency']!;
    const script = job.steps.find((s) => s.env?.['UNHEALTHY'] && s.run?.includes('jq -e'))!.run!;
    const run = (unhealthy: string[], healthy: string[]) =>
      runScript(script, tmpdir(), {
        SLOWED: 'eu-west-1',
        UNHEALTHY: JSON.stringify(unhealthy),
        HEALTHY: JSON.stringify(healthy),
      }).code;
    expect(run(['eu-west-1'], ['global'])).toBe(0);
    expect(run([], ['eu-west-1', 'global'])).toBe(1);
    expect(run(['eu-west-1', 'global'], [])).toBe(1);
  });

  test('every failover-check uploads its report, every job summary links the dashboards', () => {
    for (const name of ['probe', ...DRILLS]) {
      const job = wf.jobs[name]!;
      const check = job.steps.filter(ours('failover-check'));
      expect(check).toHaveLength(1);
      const upload = job.steps[indexOf(job, 'upload', uses('actions/upload-artifact'))]!;
      expect(upload.with!['path']).toBe(`\${{ steps.${check[0]!.id}.outputs.report }}`);
      expect(upload.if).toMatch(/^always\(\)/);
      const summary = job.steps.find((s) => s.name === 'Job summary')!;
      expect(summary.env!['DASHBOARDS']).toBe('${{ needs.outputs.outputs.dashboards }}');
    }
  });

  test("the outputs job turns the stacks' outputs into failover-check's inputs", () => {
    const read = wf.jobs['outputs']!.steps.find((s) => s.id === 'read')!;
    const outputs: Record<string, object> = {
      global: {
        dns_name: { value: 'rating.acme.dev' },
        primary_region: { value: 'us-east-1' },
        secondary_region: { value: 'eu-west-1' },
        primary_target: { value: 'rating-us-east-1-123.us-east-1.elb.amazonaws.com' },
        health_check_ids: { value: { 'us-east-1': 'hc-primary', 'eu-west-1': 'hc-secondary' } },
      },
      ...Object.fromEntries(
        PRIMARY_FIRST.map((r) => [
          r,
          {
            region: { value: r },
            service_url: { value: `https://${r}.acme.dev` },
            dashboard_url: { value: `https://console.aws.amazon.com/cloudwatch/home?region=${r}#dashboards` },
            fis_stop_tasks_template_id: { value: `EXT-stop-${r}` },
            fis_latency_template_id: { value: `EXT-latency-${r}` },
          },
        ]),
      ),
    };
    const box = sandbox({
      terraform: 'case "$1" in init) ;; output) cat "$OUTPUTS/$(basename "$PWD").json" ;; *) exit 64 ;; esac',
    });
    try {
      for (const stack of Object.keys(outputs)) {
        mkdirSync(join(box.dir, 'templates/terraform/environments', stack), { recursive: true });
        mkdirSync(join(box.dir, 'fixtures'), { recursive: true });
        writeFileSync(join(box.dir, 'fixtures', `${stack}.json`), JSON.stringify(outputs[stack]));
      }
      const result = runScript(read.run!, box.dir, {
        ...box.env,
        OUTPUTS: join(box.dir, 'fixtures'),
        TF_ROOT: wf.env!['TF_ROOT']!,
        REGIONS: wf.env!['REGIONS']!,
      });
      expect(result).toEqual(expect.objectContaining({ code: 0 }));
      const got = outputsOf(box.env.GITHUB_OUTPUT);
      expect(JSON.parse(got['regions']!)).toEqual([
        { name: 'us-east-1', url: 'https://us-east-1.acme.dev', 'expect-region': 'us-east-1' },
        { name: 'eu-west-1', url: 'https://eu-west-1.acme.dev', 'expect-region': 'eu-west-1' },
      ]);
      expect(JSON.parse(got['latency-regions']!)).toEqual([
        { name: 'eu-west-1', url: 'https://eu-west-1.acme.dev', 'expect-region': 'eu-west-1' },
        { name: 'global', url: 'https://rating.acme.dev', 'expect-region': 'us-east-1' },
      ]);
      expect(got).toEqual(
        expect.objectContaining({
          'dns-name': 'rating.acme.dev',
          'primary-target': 'rating-us-east-1-123.us-east-1.elb.amazonaws.com',
          'primary-health-check-id': 'hc-primary',
          'primary-stop-tasks-template': 'EXT-stop-us-east-1',
          'secondary-latency-template': 'EXT-latency-eu-west-1',
        }),
      );
      expect(got['dashboards']).toMatch(/^\[us-east-1\]\(https:.*\) \[eu-west-1\]\(https:.*\)$/);
    } finally {
      box.done();
    }
  });
});

describe('drift-detection.yml', () => {
  const wf = workflow('drift-detection.yml');
  const drift = wf.jobs['drift']!;
  const planStep = drift.steps.find((s) => s.id === 'plan')!;
  const issueStep = drift.steps.find((s) => s.name === 'Open, update or close the drift issue')!;

  test('nightly and by hand, every stack, with the plan role, issues writable', () => {
    expect(wf.on['schedule']).toHaveLength(1);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    expect(stacks(drift)).toEqual([...PRIMARY_FIRST, 'global']);
    expect(drift.permissions).toEqual({ contents: 'read', issues: 'write', 'id-token': 'write' });
    const aws = drift.steps[indexOf(drift, 'credentials', uses('aws-actions/configure-aws-credentials'))]!;
    expect(aws.with!['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
  });

  test('plan -detailed-exitcode -lock=false, then plan-comment with mode off, then the issue', () => {
    expect(planStep.run).toMatch(/terraform plan -detailed-exitcode -lock=false/);
    const report = drift.steps.findIndex(ours('plan-comment'));
    expect(drift.steps[report]!.with).toEqual(
      expect.objectContaining({ mode: 'off', 'plan-json': 'tfplan.json' }),
    );
    expect(drift.steps.indexOf(planStep)).toBeLessThan(report);
    expect(report).toBeLessThan(drift.steps.indexOf(issueStep));
    expect(issueStep.env!['DRIFT']).toBe('${{ steps.plan.outputs.drift }}');
  });

  /** the plan step with terraform exiting as given */
  function plan(exitCode: number) {
    const box = sandbox({
      terraform: `case "$1" in plan) exit ${exitCode} ;; show) echo '{}' ;; esac`,
    });
    try {
      const result = runScript(planStep.run!, box.dir, { ...box.env, STACK: 'us-east-1' });
      return { ...result, outputs: outputsOf(box.env.GITHUB_OUTPUT) };
    } finally {
      box.done();
    }
  }

  test('exit 2 is drift, 0 is none, anything else fails the job', () => {
    expect(plan(2)).toEqual(expect.objectContaining({ code: 0, outputs: { exitcode: '2', drift: 'true' } }));
    expect(plan(0)).toEqual(expect.objectContaining({ code: 0, outputs: { exitcode: '0', drift: 'false' } }));
    const failed = plan(1);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/::error::terraform plan failed in us-east-1 \(exit 1\)/);
  });

  /** the issue step with a gh that answers `issue list` with the given issues and logs every call */
  function issue(drifting: boolean, open: { number: number; title: string }[]) {
    const box = sandbox({
      gh: 'printf "%s\\n" "$*" >> "$RUNNER_TEMP/gh.log"; if [ "$1 $2" = "issue list" ]; then printf "%s" "$OPEN_ISSUES"; fi',
    });
    try {
      writeFileSync(join(box.dir, 'tfplan.txt'), '  # aws_s3_bucket.state has changed\n');
      const result = runScript(issueStep.run!, box.dir, {
        ...box.env,
        OPEN_ISSUES: JSON.stringify(open),
        STACK: 'eu-west-1',
        REPO: 'acme/rating-gitops',
        DRIFT: String(drifting),
        SUMMARY: '0 to add, 1 to change, 0 to destroy',
        RUN_URL: 'https://github.com/acme/rating-gitops/actions/runs/1',
        DRIFT_LABEL: wf.env!['DRIFT_LABEL']!,
      });
      expect(result).toEqual(expect.objectContaining({ code: 0 }));
      const log = existsSync(join(box.dir, 'gh.log')) ? readFileSync(join(box.dir, 'gh.log'), 'utf8') : '';
      const body = existsSync(join(box.dir, 'drift.md'))
        ? readFileSync(join(box.dir, 'drift.md'), 'utf8')
        : '';
      return { calls: log.trim().split('\n').filter(Boolean), body };
    } finally {
      box.done();
    }
  }
  const other = { number: 7, title: 'Drift detected: us-east-1' };
  const mine = { number: 9, title: 'Drift detected: eu-west-1' };

  test('drift without an issue opens "Drift detected: <stack>" with the plan', () => {
    const { calls, body } = issue(true, [other]);
    expect(calls.filter((c) => c.startsWith('issue create'))).toEqual([
      expect.stringMatching(
        /^issue create --repo acme\/rating-gitops --title Drift detected: eu-west-1 --label drift --body-file /,
      ),
    ]);
    expect(body).toMatch(/aws_s3_bucket\.state has changed/);
    expect(body).toMatch(/0 to add, 1 to change, 0 to destroy/);
    expect(calls.some((c) => c.startsWith('issue close'))).toBe(false);
  });

  test('drift with its issue open updates that issue, never another one', () => {
    const { calls } = issue(true, [other, mine]);
    expect(calls.filter((c) => /^issue (edit|comment|create)/.test(c))).toEqual([
      expect.stringMatching(/^issue edit 9 /),
      expect.stringMatching(/^issue comment 9 /),
    ]);
  });

  test('a clean plan closes its issue, and does nothing when there is none', () => {
    expect(issue(false, [other, mine]).calls.filter((c) => !c.startsWith('issue list'))).toEqual([
      expect.stringMatching(/^issue close 9 --repo acme\/rating-gitops --comment No drift any more/),
    ]);
    expect(issue(false, [other]).calls.filter((c) => !c.startsWith('issue list'))).toEqual([]);
  });
});

describe('workflow-templates/*.properties.json', () => {
  const templates = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
  const metaDir = join(DIR, 'workflow-templates');

  test('one per workflow, and none without one', () => {
    const names = readdirSync(metaDir).filter((f) => f.endsWith('.properties.json'));
    expect(names.sort()).toEqual(templates.map((t) => t.replace(/\.yml$/, '.properties.json')).sort());
  });

  test.each(templates)(
    '%s: name, description, an icon that exists, categories, valid file patterns',
    (template) => {
      const meta = JSON.parse(
        readFileSync(join(metaDir, template.replace(/\.yml$/, '.properties.json')), 'utf8'),
      );
      expect(Object.keys(meta).sort()).toEqual([
        'categories',
        'description',
        'filePatterns',
        'iconName',
        'name',
      ]);
      expect(meta.name).toMatch(/\S/);
      expect(meta.description.length).toBeGreaterThan(20);
      if (!String(meta.iconName).startsWith('octicon '))
        expect(existsSync(join(metaDir, `${meta.iconName}.svg`))).toBe(true);
      expect(meta.categories.length).toBeGreaterThan(0);
      for (const pattern of meta.filePatterns) expect(() => new RegExp(pattern)).not.toThrow();
    },
  );
});
