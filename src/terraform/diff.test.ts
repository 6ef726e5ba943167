/**
 * The attribute diff, drawn as `terraform plan` draws it with the change marker in the first column (`!` for
 * Terraform's `~`). Small hand-written changes are pinned line by line: each expected block below is what
 * Terraform prints for that change (see its "Terraform will perform the following actions" output), with the
 * marker moved to column one and two columns per marker, four spaces per nesting level.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { toResourceChange } from './changes.js';
import { buildPlanModel } from './model.js';
import { alignSequences, renderDriftDiff, renderOutputDiff, renderResourceDiff } from './diff.js';
import type { RawChange, RawResourceChange } from './plan.js';
import { SensitiveValues } from './sensitive.js';

const options = { sensitive: new SensitiveValues(), maxStringLength: 4000 };

function resource(
  change: Partial<RawChange> & { actions: string[] },
  extra: Partial<RawResourceChange> = {},
) {
  return toResourceChange({
    address: 'aws_instance.web',
    mode: 'managed',
    type: 'aws_instance',
    name: 'web',
    ...extra,
    change: { before: null, after: null, ...change },
  });
}

function diff(
  change: Partial<RawChange> & { actions: string[] },
  extra: Partial<RawResourceChange> = {},
): string[] {
  return renderResourceDiff(resource(change, extra), options);
}

/** The lines of a block written in the test as an indented template literal. */
function lines(block: string): string[] {
  const rows = block.split('\n').slice(1, -1);
  const indent = Math.min(...rows.filter((r) => r.trim() !== '').map((r) => r.length - r.trimStart().length));
  return rows.map((r) => r.slice(indent));
}

describe('renderResourceDiff: pinned formats', () => {
  it('draws an update: changed attributes, id and name kept for context, the rest counted', () => {
    expect(
      diff({
        actions: ['update'],
        before: {
          id: 'i-1',
          name: 'web',
          ami: 'ami-1',
          instance_type: 't3.micro',
          tags: { env: 'dev', team: 'a' },
        },
        after: {
          id: 'i-1',
          name: 'web',
          ami: 'ami-1',
          instance_type: 't3.small',
          tags: { env: 'prod', team: 'a' },
        },
      }),
    ).toEqual(
      lines(`
        # aws_instance.web will be updated in-place
        ! resource "aws_instance" "web" {
              id            = "i-1"
        !     instance_type = "t3.micro" -> "t3.small"
              name          = "web"
        !     tags          = {
        !         env = "dev" -> "prod"
                  # (1 unchanged attribute hidden)
              }
              # (1 unchanged attribute hidden)
          }
      `),
    );
  });

  it('counts every unchanged attribute (not id and name, not nulls)', () => {
    const before: Record<string, unknown> = { id: 'x', name: 'n', gone: null };
    for (let i = 0; i < 12; i++) before[`a${i}`] = i;
    const after = { ...before, a0: 100 };
    const out = diff({ actions: ['update'], before, after });
    expect(out).toContain('      # (11 unchanged attributes hidden)');
    expect(out).toContain('!     a0   = 0 -> 100');
  });

  it('draws a create, with (known after apply), (sensitive value) and no empty collections', () => {
    expect(
      diff({
        actions: ['create'],
        after: { ami: 'ami-1', password: 'pw', tags: {}, sg: [], ports: [80, 443], arn: null },
        after_unknown: { id: true, arn: true },
        after_sensitive: { password: true },
      }),
    ).toEqual(
      lines(`
        # aws_instance.web will be created
        + resource "aws_instance" "web" {
        +     ami      = "ami-1"
        +     arn      = (known after apply)
        +     id       = (known after apply)
        +     password = (sensitive value)
        +     ports    = [
        +         80,
        +         443,
              ]
          }
      `),
    );
  });

  it('draws a delete with the reason, every attribute going to null, no empty collections', () => {
    expect(
      renderResourceDiff(
        resource(
          { actions: ['delete'], before: { id: 'i-1', tags: {}, list: [], nested: { a: 'b' } } },
          { action_reason: 'delete_because_no_resource_config' },
        ),
        options,
        'its resource block is no longer in the configuration',
      ),
    ).toEqual(
      lines(`
        # aws_instance.web will be destroyed
        #   (because its resource block is no longer in the configuration)
        - resource "aws_instance" "web" {
        -     id     = "i-1" -> null
        -     nested = {
        -         a = "b" -> null
              } -> null
          }
      `),
    );
  });

  it('marks the attribute that forces a replacement, also inside a block', () => {
    expect(
      diff({
        actions: ['delete', 'create'],
        before: { id: 'i-1', ami: 'ami-1', ebs: [{ size: 8, type: 'gp3' }] },
        after: { id: null, ami: 'ami-2', ebs: [{ size: 16, type: 'gp3' }] },
        after_unknown: { id: true },
        replace_paths: [['ami'], ['ebs', 0, 'size']],
      }),
    ).toEqual(
      lines(`
        # aws_instance.web must be replaced
        #   (forced by ami, ebs[0].size)
        -/+ resource "aws_instance" "web" {
        !     ami = "ami-1" -> "ami-2" # forces replacement
        !     ebs = [
        !         {
        !             size = 8 -> 16 # forces replacement
                      # (1 unchanged attribute hidden)
                  },
              ]
        !     id  = "i-1" -> (known after apply)
          }
      `),
    );
  });

  it('draws create-before-destroy and create-then-forget replacements with their own markers', () => {
    expect(diff({ actions: ['create', 'delete'], before: { a: 1 }, after: { a: 2 } }).slice(0, 2)).toEqual([
      '# aws_instance.web must be replaced (create before destroy)',
      '+/- resource "aws_instance" "web" {',
    ]);
    expect(diff({ actions: ['create', 'forget'], before: { a: 1 }, after: { a: 2 } }).slice(0, 2)).toEqual([
      '# aws_instance.web will be replaced; the old object will be forgotten, not destroyed',
      '+/. resource "aws_instance" "web" {',
    ]);
  });

  it('shows only the inserted element of a list', () => {
    expect(
      diff({
        actions: ['update'],
        before: { l: ['a', 'b', 'c', 'd'] },
        after: { l: ['a', 'b', 'x', 'c', 'd'] },
      }).slice(2),
    ).toEqual(
      lines(`
        !     l = [
                  # (2 unchanged elements hidden)
        +         "x",
                  # (2 unchanged elements hidden)
              ]
          }
      `),
    );
  });

  it('shows a removed set element and a changed element of a list of objects', () => {
    expect(
      diff({
        actions: ['update'],
        before: {
          s: ['a', 'b', 'c'],
          rules: [
            { port: 80, cidr: 'x' },
            { port: 443, cidr: 'y' },
          ],
        },
        after: {
          s: ['a', 'c'],
          rules: [
            { port: 80, cidr: 'x' },
            { port: 8443, cidr: 'y' },
          ],
        },
      }).slice(2),
    ).toEqual(
      lines(`
        !     rules = [
                  # (1 unchanged element hidden)
        !         {
        !             port = 443 -> 8443
                      # (1 unchanged attribute hidden)
                  },
              ]
        !     s     = [
                  # (1 unchanged element hidden)
        -         "b",
                  # (1 unchanged element hidden)
              ]
          }
      `),
    );
  });

  it('diffs JSON strings as jsonencode(...)', () => {
    const policy = (action: string) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action }] });
    expect(
      diff({
        actions: ['update'],
        before: { policy: policy('s3:Get*') },
        after: { policy: policy('s3:*') },
      }).slice(2),
    ).toEqual(
      lines(`
        !     policy = jsonencode(
        !         {
        !             Statement = [
        !                 {
        !                     Action = "s3:Get*" -> "s3:*"
                              # (1 unchanged attribute hidden)
                          },
                      ]
                      # (1 unchanged attribute hidden)
                  }
              )
          }
      `),
    );
  });

  it('diffs multi-line strings line by line', () => {
    expect(
      diff({
        actions: ['update'],
        before: { user_data: '#!/bin/sh\necho a\nexit 0' },
        after: { user_data: '#!/bin/sh\necho b\nexit 0' },
      }).slice(2),
    ).toEqual(
      lines(`
        !     user_data = <<-EOT
                  #!/bin/sh
        -         echo a
        +         echo b
                  exit 0
              EOT
          }
      `),
    );
  });

  it('shows a value that becomes unknown, whole values for type changes, and sensitivity changes', () => {
    expect(
      diff({
        actions: ['update'],
        before: { arn: 'arn:1', block: { a: 1 }, kind: 'x', secret: 'same' },
        after: { arn: null, block: null, kind: ['x'], secret: 'same' },
        after_unknown: { arn: true, block: true },
        before_sensitive: {},
        after_sensitive: { secret: true },
      }).slice(2),
    ).toEqual(
      lines(`
        !     arn    = "arn:1" -> (known after apply)
        !     block  = {
                  a = 1
              } -> (known after apply)
        -     kind   = "x" -> null
        +     kind   = [
        +         "x",
              ]
        !     secret = (sensitive value) # (sensitivity changed)
          }
      `),
    );
  });

  it('never shows a marked value, in any position, on any side', () => {
    const out = diff({
      actions: ['update'],
      before: { list: ['pub', 'sec-b'], map: { k: 'sec-m' }, obj: { inner: 'sec-o' }, whole: ['sec-w'] },
      after: { list: ['pub', 'sec-a'], map: { k: 'sec-n' }, obj: { inner: 'sec-p' }, whole: ['sec-x'] },
      before_sensitive: { list: [false, true], map: { k: true }, obj: true, whole: true },
      after_sensitive: { list: [false, true], map: { k: true }, obj: true, whole: true },
    }).join('\n');
    expect(out).not.toMatch(/sec-/);
    expect(out).toContain('(sensitive value)');
  });

  it('says what a header must say for moves, imports, deposed objects, forgets and reads', () => {
    const moved = diff(
      { actions: ['no-op'], before: { id: 'a', x: 1 }, after: { id: 'a', x: 1 }, importing: { id: 'imp-1' } },
      { previous_address: 'aws_instance.old' },
    );
    expect(moved).toEqual(
      lines(`
        # aws_instance.old has moved to aws_instance.web
        # aws_instance.web will be imported (id "imp-1")
          resource "aws_instance" "web" {
              id = "a"
              # (1 unchanged attribute hidden)
          }
      `),
    );
    expect(diff({ actions: ['delete'], before: { id: 'a' } }, { deposed: '00ab' })[0]).toBe(
      '# aws_instance.web (deposed object 00ab) will be destroyed',
    );
    expect(diff({ actions: ['forget'], before: { id: 'a', b: 1 } })).toEqual(
      lines(`
        # aws_instance.web will be removed from the state, not destroyed
        . resource "aws_instance" "web" {
              # (2 attributes; the object stays, Terraform stops managing it)
          }
      `),
    );
    expect(
      diff(
        { actions: ['read'], after: { id: 'a' } },
        { mode: 'data', address: 'data.aws_ami.x', type: 'aws_ami', name: 'x' },
      ),
    ).toEqual(
      lines(`
        # data.aws_ami.x will be read during apply
        <= data "aws_ami" "x" {
        +     id = "a"
          }
      `),
    );
  });

  it('cuts long strings and says by how much', () => {
    const out = renderResourceDiff(resource({ actions: ['create'], after: { s: 'x'.repeat(50) } }), {
      sensitive: new SensitiveValues(),
      maxStringLength: 10,
    });
    expect(out).toContain(`+     s = "${'x'.repeat(10)}… (40 more characters)"`);
  });
});

describe('renderOutputDiff', () => {
  it('draws outputs created, updated, deleted, unknown and sensitive', () => {
    const model = buildPlanModel({
      format_version: '1.2',
      output_changes: {
        endpoint: { actions: ['update'], before: 'a', after: 'b' },
        id: { actions: ['create'], before: null, after: null, after_unknown: true },
        old: { actions: ['delete'], before: 'x', after: null },
        password: {
          actions: ['update'],
          before: 'p1',
          after: 'p2',
          before_sensitive: true,
          after_sensitive: true,
        },
        list: { actions: ['create'], before: null, after: ['a'] },
      },
    });
    expect(renderOutputDiff(model.outputs, options)).toEqual(
      lines(`
        ! endpoint = "a" -> "b"
        + id       = (known after apply)
        + list     = [
        +     "a",
          ]
        - old      = "x" -> null
        ! password = (sensitive value)
      `),
    );
  });
});

describe('renderDriftDiff', () => {
  it('draws an object changed outside of Terraform, and one deleted', () => {
    const model = buildPlanModel({
      format_version: '1.2',
      resource_drift: [
        {
          address: 'aws_s3_bucket.b',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'b',
          change: {
            actions: ['update'],
            before: { id: 'b', acl: 'private', v: 1 },
            after: { id: 'b', acl: 'public-read', v: 1 },
          },
        },
        {
          address: 'aws_s3_bucket.c',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'c',
          change: { actions: ['delete'], before: { id: 'c' }, after: null },
        },
      ],
    });
    expect(renderDriftDiff(model.drift[0]!, options)).toEqual(
      lines(`
        # aws_s3_bucket.b has changed outside of Terraform
        ! resource "aws_s3_bucket" "b" {
        !     acl = "private" -> "public-read"
              id  = "b"
              # (1 unchanged attribute hidden)
          }
      `),
    );
    expect(renderDriftDiff(model.drift[1]!, options)).toEqual(
      lines(`
        # aws_s3_bucket.c has been deleted outside of Terraform
        - resource "aws_s3_bucket" "c" {
        -     id = "c" -> null
          }
      `),
    );
  });
});

describe('alignSequences', () => {
  /** Length of a longest common subsequence, by the textbook recurrence. */
  function lcs(a: readonly number[], b: readonly number[]): number {
    const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--)
      for (let j = b.length - 1; j >= 0; j--)
        t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
    return t[0]![0]!;
  }

  it('aligns by a longest common subsequence and accounts for every element once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }),
        (a, b) => {
          const ops = alignSequences(a.length, b.length, (i, j) => a[i] === b[j]);
          const same = ops.filter((o) => o.kind === 'same');
          expect(same).toHaveLength(lcs(a, b));
          for (const o of same) expect(a[o.i]).toBe(b[o.j]);
          const is = ops.flatMap((o) => (o.kind === 'insert' ? [] : [o.i]));
          const js = ops.flatMap((o) => (o.kind === 'delete' ? [] : [o.j]));
          expect(is).toEqual(a.map((_, i) => i));
          expect(js).toEqual(b.map((_, j) => j));
        },
      ),
      { numRuns: 500 },
    );
  });
});
