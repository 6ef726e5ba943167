/**
 * `npm run bench:plan-comment`: how long rendering a plan takes next to merely parsing its JSON.
 *
 * For a generated 10,000-resource plan (creates, in-place updates, replacements, deletes; nested blocks, tags,
 * JSON policies, sensitive values) and for the largest real fixture, it measures in one run:
 *   parse   JSON.parse of the file's text
 *   render  everything plan-comment does after the parse: the model, sensitive values, the fingerprint, the
 *           comment (65,000 characters) and the job summary (1 MiB)
 * and prints the median of several rounds, the ratio render/parse, and the peak memory (RSS) of the process.
 * Targets (issue #2): render at most 3x the parse time, and under 1 s for 10,000 resources.
 *
 * Then, for the generated plan written to a file, the whole process as the runner runs it:
 *   action  `node dist/plan-comment/index.js` (the built bundle; `npm run build` first) with INPUT_* variables,
 *           mode off, the job summary and outputs written to files
 *   read    `node` that reads the same file and JSON.parses it
 * and prints the median wall time of each and the ratio action/read (target: at most 2.5).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawPlan } from '../src/terraform/plan.js';
import { buildPlanReports } from '../src/terraform/pipeline.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 7;

function secretFor(i: number, variant: number): string {
  let x = (i * 2654435761 + variant * 40503 + 12345) >>> 0;
  let out = '';
  for (let k = 0; k < 20; k++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + k) >>> 0;
    out += 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'[x % 57];
  }
  return out;
}

function instance(i: number, variant: number): Record<string, unknown> {
  return {
    ami: `ami-${(1000000 + i).toString(16)}`,
    instance_type: variant ? 't3.large' : 't3.medium',
    availability_zone: `us-east-1${'abc'[i % 3]}`,
    subnet_id: `subnet-${(i % 17).toString(16).padStart(8, '0')}`,
    vpc_security_group_ids: [`sg-${(i % 5).toString(16).padStart(8, '0')}`, `sg-0000ffff`],
    associate_public_ip_address: false,
    monitoring: true,
    ebs_optimized: true,
    user_data: variant
      ? `#!/bin/bash\necho region=us-east-1\necho node=${i}\nsystemctl restart rating`
      : `#!/bin/bash\necho node=${i}`,
    root_block_device: [
      { volume_size: 20 + variant * 10, volume_type: 'gp3', encrypted: true, iops: 3000, throughput: 125 },
    ],
    ebs_block_device: [
      { device_name: '/dev/sdf', volume_size: 100, volume_type: 'gp3', encrypted: true },
      { device_name: '/dev/sdg', volume_size: 200 + variant * 50, volume_type: 'gp3', encrypted: true },
    ],
    tags: {
      Name: `rating-${i}`,
      Team: 'platform',
      Env: 'prod',
      Service: 'openclaw-rating',
      Version: variant ? 'v2' : 'v1',
    },
    metadata_options: [{ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 }],
    iam_policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', ...(variant ? ['s3:PutObject'] : [])],
          Resource: `arn:aws:s3:::ratings-${i}/*`,
        },
      ],
    }),
    // one resource in ten holds a secret (a database password), random as a real one would be
    ...(i % 10 === 0 ? { db_password: secretFor(i, variant) } : {}),
  };
}

/** Keys sorted at every depth, as Terraform writes them. */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** A plan with `count` resources: 40% create, 30% update, 10% replace, 10% delete, 10% no-op. */
export function generatePlan(count: number): RawPlan {
  const resourceChanges = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 10;
    const actions =
      kind < 4
        ? ['create']
        : kind < 7
          ? ['update']
          : kind === 7
            ? ['delete', 'create']
            : kind === 8
              ? ['delete']
              : ['no-op'];
    const before =
      actions[0] === 'create'
        ? null
        : (sortKeys({ id: `i-${i.toString(16).padStart(12, '0')}`, ...instance(i, 0) }) as Record<
            string,
            unknown
          >);
    const after =
      actions[0] === 'delete' && actions.length === 1
        ? null
        : sortKeys({
            ...(before ? { id: before['id'] } : {}),
            ...instance(i, actions[0] === 'no-op' ? 0 : 1),
          });
    const sensitive = i % 10 === 0 ? { db_password: true } : {};
    resourceChanges.push({
      address: `module.region["us-east-1"].aws_instance.rating["node-${i}"]`,
      module_address: 'module.region["us-east-1"]',
      mode: 'managed' as const,
      type: 'aws_instance',
      name: 'rating',
      index: `node-${i}`,
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions,
        before,
        after,
        after_unknown:
          actions[0] === 'create' || actions[0] === 'delete' ? { id: true, arn: true, private_ip: true } : {},
        before_sensitive: before ? sensitive : false,
        after_sensitive: after ? sensitive : false,
        ...(kind === 7 ? { replace_paths: [['ami']] } : {}),
      },
      ...(kind === 7
        ? { action_reason: 'replace_because_cannot_update' }
        : kind === 8
          ? { action_reason: 'delete_because_no_resource_config' }
          : {}),
    });
  }
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_changes: resourceChanges,
    output_changes: {
      endpoint: {
        actions: ['update'],
        before: 'https://a',
        after: 'https://b',
        after_unknown: false,
        before_sensitive: false,
        after_sensitive: false,
      },
    },
    configuration: { root_module: {} },
    applyable: true,
    complete: true,
    errored: false,
  } as RawPlan;
}

async function render(plan: RawPlan): Promise<{ comment: number; summary: number }> {
  const reports = await buildPlanReports(plan, {
    context: { label: 'bench' },
    commentMaxLength: 65000,
    marker: (fingerprint) => `<!-- openclaw:plan-comment label=bench fingerprint=${fingerprint} -->`,
    summary: true,
  });
  return { comment: reports.comment.markdown.length, summary: Buffer.byteLength(reports.summary!.markdown) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(name: string, text: string): Promise<void> {
  const parseTimes: number[] = [];
  const renderTimes: number[] = [];
  let sizes = { comment: 0, summary: 0 };
  let resources = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    const plan = JSON.parse(text) as RawPlan;
    parseTimes.push(performance.now() - t);
    resources = plan.resource_changes?.length ?? 0;
    t = performance.now();
    sizes = await render(plan);
    renderTimes.push(performance.now() - t);
  }
  const parse = median(parseTimes);
  const rendered = median(renderTimes);
  console.log(
    `${name.padEnd(34)} ${String(resources).padStart(6)} resources  ${(text.length / 1e6).toFixed(1).padStart(5)} MB  ` +
      `parse ${parse.toFixed(0).padStart(5)} ms  render ${rendered.toFixed(0).padStart(5)} ms  ` +
      `render/parse ${(rendered / parse).toFixed(2)}  comment ${sizes.comment} chars, summary ${sizes.summary} bytes`,
  );
}

/** Wall time of one node process, in ms; fails loudly when the process fails. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const result = spawnSync(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const elapsed = performance.now() - t;
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return elapsed;
}

/** The whole plan-comment process vs a process that only reads and parses the same file. */
function measureProcess(name: string, text: string): void {
  const bundle = join(ROOT, 'dist/plan-comment/index.js');
  if (!existsSync(bundle)) {
    console.log(`process: ${bundle} is missing (npm run build), skipped`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-plan-comment-'));
  try {
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, text);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      'INPUT_PLAN-JSON': plan,
      INPUT_LABEL: 'bench',
      INPUT_MODE: 'off',
      'INPUT_JOB-SUMMARY': 'true',
    };
    const read = `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(plan)}, 'utf8'))`;
    const actionTimes: number[] = [];
    const readTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      writeFileSync(join(dir, 'output'), '');
      writeFileSync(join(dir, 'summary'), '');
      actionTimes.push(timeProcess([bundle], env));
      readTimes.push(timeProcess(['-e', read], { PATH: process.env['PATH'] }));
    }
    const action = median(actionTimes);
    const parse = median(readTimes);
    console.log(
      `${name.padEnd(34)} process: action ${action.toFixed(0).padStart(5)} ms  read+parse ${parse.toFixed(0).padStart(5)} ms  ` +
        `action/read ${(action / parse).toFixed(2)} (target 2.5)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

async function main(): Promise<void> {
  console.log(`plan-comment render benchmark (median of ${ROUNDS} rounds, Node ${process.version})`);
  const generated = JSON.stringify(generatePlan(10_000));
  await measure('generated 10,000 resources', generated);
  await measure(
    'borchero-300-foreach-create.json',
    readFileSync(join(ROOT, 'test/fixtures/terraform-plans/borchero-300-foreach-create.json'), 'utf8'),
  );
  await measure(
    'checkov-aws-55-create-outputs.json',
    readFileSync(join(ROOT, 'test/fixtures/terraform-plans/checkov-aws-55-create-outputs.json'), 'utf8'),
  );
  console.log(`peak memory (RSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  measureProcess('generated 10,000 resources', generated);
}
