/**
 * Test support for the Terraform domain: a deterministic generator of plans (seeded, so fast-check can drive it by
 * its parameters and shrink them), and the hostile, invisible and multi-byte strings it mixes in.
 */
import type { MarkTree, RawPlan, RawResourceChange } from '../../src/terraform/plan.js';
import { clone } from './plans.js';
import { mulberry32 } from './random.js';

/** Strings that must render as data, never as markup. */
export const HOSTILE = [
  '`',
  '``',
  '```',
  '````',
  '`````````',
  '</details>',
  '<details>',
  '<!--',
  '-->',
  '<script>alert(1)</script>',
  '@octocat',
  '#123',
  'x|y',
  '*em*',
  '_u_',
  '[a](https://example.com)',
  '<b>bold</b>',
  '&amp;',
  '~~s~~',
  '\\',
  '"q"',
  'line\nbreak',
  '\r\n',
] as const;
/** Invisible and bidirectional-control characters that must only ever be shown escaped. */
export const INVISIBLE_CHARS = [
  '\u202e',
  '\u202a',
  '\u2066',
  '\u2069',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u061c',
];
const MULTI_BYTE = ['é', 'ß', '漢字', '🚀', '👩‍💻', '✓', 'ünïcödé'];
const LONE_SURROGATES = ['\ud800', '\udfff'];

export interface PlanParams {
  seed: number;
  resources: number;
  /** Share of resources that are destroyed or replaced. */
  destroyShare: number;
  /** Upper bound of a generated attribute's length. */
  maxStringLength: number;
  hostile: boolean;
  multiByte: boolean;
  loneSurrogates: boolean;
  secrets: boolean;
  errored?: boolean;
}

export const DEFAULT_PARAMS: PlanParams = {
  seed: 1,
  resources: 10,
  destroyShare: 0.2,
  maxStringLength: 40,
  hostile: false,
  multiByte: false,
  loneSurrogates: false,
  secrets: false,
};

class Gen {
  readonly random: () => number;
  constructor(
    seed: number,
    readonly params: PlanParams,
  ) {
    this.random = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A piece of text: words, and when asked for, hostile, multi-byte and invisible characters. */
  piece(): string {
    const kinds: (() => string)[] = [
      () => this.pick(['alpha', 'beta', 'gamma', 'delta', 'x-1', 'eu-west-1']),
    ];
    if (this.params.hostile)
      kinds.push(
        () => this.pick(HOSTILE),
        () => this.pick(INVISIBLE_CHARS),
      );
    if (this.params.multiByte) kinds.push(() => this.pick(MULTI_BYTE));
    if (this.params.loneSurrogates) kinds.push(() => this.pick(LONE_SURROGATES));
    return this.pick(kinds)();
  }
  text(maxLength: number): string {
    const target = 1 + this.int(Math.max(1, maxLength));
    let out = '';
    while (out.length < target) out += this.piece() + (this.chance(0.3) ? ' ' : '');
    return out;
  }
}

const TYPES = ['aws_instance', 'aws_s3_bucket', 'google_storage_bucket', 'terraform_data', 'aws_iam_policy'];
const DESTROY_REASONS = [
  'delete_because_no_resource_config',
  'delete_because_each_key',
  'delete_because_count_index',
];
const REPLACE_REASONS = ['replace_because_cannot_update', 'replace_by_request', 'replace_because_tainted'];

/** A deterministic plan from its parameters. Secrets are registered in `sensitive`, never elsewhere. */
export function generatePlan(params: PlanParams): RawPlan {
  const g = new Gen(params.seed, params);
  const max = params.maxStringLength;
  const secretFor = (i: number): string =>
    `s3cr3t-${params.seed}-${i}` + (params.hostile ? g.pick(['<!--`x`-->', '|', '\u202e', '']) : '');

  const objectValue = (i: number, variant: number): Record<string, unknown> => {
    const value: Record<string, unknown> = {
      id: `id-${i}`,
      name: `res-${i}`,
      description: g.text(max),
      count: variant,
      enabled: variant % 2 === 0,
      tags: { env: g.text(12), team: 'platform', [g.text(10)]: g.text(10) },
      ports: [80, 443, 8000 + (i % 10)],
      rule: [{ from: 1, to: 2, note: g.text(10) }],
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: g.text(20) }] }),
      script: [g.text(30), g.text(30), g.text(30)].join('\n'),
      empty_list: [],
      empty_map: {},
    };
    return value;
  };
  const mutate = (value: Record<string, unknown>): Record<string, unknown> => {
    const after = clone(value);
    after['description'] = g.text(max);
    after['count'] = (value['count'] as number) + 1;
    const ports = after['ports'] as number[];
    ports.splice(1, 0, 8443);
    (after['tags'] as Record<string, string>)['env'] = g.text(12);
    after['policy'] = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: g.text(20) }],
    });
    const lines = (value['script'] as string).split('\n');
    lines[1] = g.text(30);
    after['script'] = lines.join('\n');
    return after;
  };

  const changes: RawResourceChange[] = [];
  for (let i = 0; i < params.resources; i++) {
    const type = g.pick(TYPES);
    const key = params.hostile && g.chance(0.5) ? `["${g.text(16)}"]` : g.chance(0.3) ? `[${i}]` : '';
    const module = g.chance(0.2) ? `module.m${i % 3}.` : '';
    const name = `r${i}`;
    const address = `${module}${type}.${name}${key}`;
    const roll = g.random();
    let actions: string[];
    if (roll < params.destroyShare) {
      actions = g.pick([['delete'], ['delete', 'create'], ['create', 'delete'], ['delete']]);
    } else {
      actions = g.pick([
        ['create'],
        ['update'],
        ['update'],
        ['no-op'],
        ['forget'],
        ['create', 'forget'],
        ['read'],
      ]);
    }
    const base = objectValue(i, 1);
    let before: Record<string, unknown> | null = null;
    let after: Record<string, unknown> | null = null;
    const has = (a: string): boolean => actions.includes(a);
    if (has('create') && (has('delete') || has('forget'))) {
      before = base;
      after = mutate(base);
    } else if (has('create') || has('read')) after = base;
    else if (has('delete') || has('forget')) before = base;
    else if (has('update')) {
      before = base;
      after = mutate(base);
    } else {
      before = base;
      after = clone(base);
    }
    const beforeSensitive: Record<string, MarkTree> = {};
    const afterSensitive: Record<string, MarkTree> = {};
    if (params.secrets && g.chance(0.6)) {
      for (const [side, marks] of [
        [before, beforeSensitive],
        [after, afterSensitive],
      ] as const) {
        if (!side) continue;
        // a replacement or update rotates the secret
        const rotate = side === after && (has('update') || (has('create') && before !== null));
        const secret = rotate ? `${secretFor(i)}-next` : secretFor(i);
        const multiLine = `-----BEGIN KEY-----\n${secret}-pem\n-----END KEY-----`;
        side['password'] = secret;
        marks['password'] = true;
        side['private_key'] = multiLine;
        marks['private_key'] = true;
        // echoed unmarked, the way providers and terraform_data do
        side['connection'] = `postgres://app:${secret}@db.internal:5432/app`;
        side['echo'] = { password: secret, user: 'app' };
        side['echo_json'] = JSON.stringify({ token: secret, [secret]: 1 });
        side['echo_script'] = `#!/bin/sh\nexport KEY='${multiLine}'\nrun`;
        side['echo_map'] = { [secret]: 'value' };
      }
    }
    const afterUnknown: Record<string, MarkTree> = {};
    if (after && !has('read')) {
      if (has('create')) afterUnknown['id'] = true;
      if (g.chance(0.3)) {
        afterUnknown['arn'] = true;
      }
    }
    const change: RawResourceChange = {
      address,
      mode: has('read') ? 'data' : 'managed',
      type,
      name,
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions,
        before,
        after,
        after_unknown: afterUnknown,
        before_sensitive: before ? beforeSensitive : false,
        after_sensitive: after ? afterSensitive : false,
      },
    };
    if (has('read')) change.address = `${module}data.${type}.${name}${key}`;
    if (has('delete') && has('create')) {
      change.change.replace_paths = g.chance(0.5) ? [['description']] : [['rule', 0, 'note']];
      change.action_reason = g.pick(REPLACE_REASONS);
    } else if (has('delete')) {
      change.action_reason =
        params.hostile && g.chance(0.2) ? `delete_because_${g.text(12)}` : g.pick(DESTROY_REASONS);
      if (g.chance(0.1)) change.deposed = params.hostile ? `0000${g.text(6)}` : `0000${i.toString(16)}`;
    }
    if (has('update') && g.chance(0.2)) change.change.importing = { id: `import-${i}` };
    if ((has('update') || has('no-op')) && g.chance(0.2)) change.previous_address = `${type}.old_${name}`;
    changes.push(change);
  }

  const plan: RawPlan = {
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_changes: changes,
    output_changes: {
      endpoint: {
        actions: ['update'],
        before: `https://${g.text(20)}`,
        after: `https://${g.text(20)}`,
        after_unknown: false,
        before_sensitive: false,
        after_sensitive: false,
      },
      new_id: {
        actions: ['create'],
        before: null,
        after_unknown: true,
        before_sensitive: false,
        after_sensitive: false,
      },
    },
    configuration: { root_module: { outputs: {}, variables: {} } },
    timestamp: '2026-01-01T00:00:00Z',
    applyable: !params.errored,
    complete: !params.errored,
    errored: params.errored === true,
  };
  if (params.secrets) {
    const secret = `v4r-${params.seed}-secret`;
    plan.variables = { db_password: { value: secret }, region: { value: 'eu-west-1' } };
    plan.configuration!.root_module!.variables = { db_password: { sensitive: true }, region: {} };
    plan.output_changes!['db_password'] = {
      actions: ['update'],
      before: `old-${secret}`,
      after: secret,
      after_unknown: false,
      before_sensitive: true,
      after_sensitive: true,
    };
    // declared sensitive in the configuration, but not marked in the change (as format 0.x plans write it)
    plan.configuration!.root_module!.outputs = { legacy_secret: { sensitive: true } };
    plan.output_changes!['legacy_secret'] = {
      actions: ['create'],
      before: null,
      after: `legacy-${secret}`,
      after_unknown: false,
    };
    plan.output_changes!['echo'] = {
      actions: ['create'],
      before: null,
      after: `dsn=postgres://app:${secret}@db`,
      after_unknown: false,
      before_sensitive: false,
      after_sensitive: false,
    };
  }
  if (params.hostile) {
    plan.checks = [
      {
        address: { kind: 'check', to_display: `check.${g.text(10)}` },
        status: 'fail',
        instances: [
          {
            address: { to_display: `check.c ${g.pick(HOSTILE)}` },
            status: 'fail',
            problems: [{ message: g.text(40) }],
          },
        ],
      },
    ];
    plan.resource_drift = [
      {
        address: `aws_s3_bucket.drifted["${g.text(10)}"]`,
        mode: 'managed',
        type: 'aws_s3_bucket',
        name: 'drifted',
        change: {
          actions: ['update'],
          before: { id: 'b', acl: g.text(20) },
          after: { id: 'b', acl: g.text(20) },
          after_unknown: {},
          before_sensitive: {},
          after_sensitive: {},
        },
      },
    ];
    plan.deferred_changes = [
      {
        reason: 'resource_config_unknown',
        resource_change: {
          address: `aws_instance.later["${g.text(10)}"]`,
          mode: 'managed',
          type: 'aws_instance',
          name: 'later',
          change: {
            actions: ['create'],
            before: null,
            after: { ami: g.text(10) },
            after_unknown: { id: true },
          },
        },
      },
    ];
    plan.complete = false;
  }
  return plan;
}
