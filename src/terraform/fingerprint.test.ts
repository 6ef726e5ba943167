/**
 * The plan fingerprint: the same for the same planned change however the JSON is laid out or whenever it was
 * planned, different for any change to what applying would do, and sensitive values enter it only through scrypt.
 */
import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import type * as crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { RawPlan } from './plan.js';
import { clone, deepShuffle, fixture, fixtureNames } from '../../test/support/plans.js';
import { DEFAULT_PARAMS, generatePlan } from '../../test/support/plan-generator.js';

// node:crypto is wrapped to record everything hashed at sha256 speed (the data given to createHash().update),
// so a test can check that no sensitive value is among it.
const hashedInClear: string[] = [];
let recording = false;
const real = createRequire(import.meta.url)('node:crypto') as typeof crypto;
jest.unstable_mockModule('node:crypto', () => {
  return {
    ...real,
    default: real,
    createHash: (algorithm: string) => {
      const hash = real.createHash(algorithm);
      const update = hash.update.bind(hash);
      hash.update = ((data: string) => {
        if (recording) hashedInClear.push(String(data));
        return update(data);
      }) as typeof hash.update;
      return hash;
    },
  };
});
const { planFingerprint, canonicalJson } = await import('./fingerprint.js');

const lifecycle = fixture('openclaw-tf1.11-lifecycle.json');

function withChange(plan: RawPlan, edit: (p: RawPlan) => void): RawPlan {
  const copy = clone(plan);
  edit(copy);
  return copy;
}

describe('planFingerprint', () => {
  it('is sha256 in hex with its prefix', () => {
    expect(planFingerprint(fixture('terraform-basic-create.json'))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each(fixtureNames())('is stable under key and resource order for %s', (name) => {
    const plan = fixture(name);
    const expected = planFingerprint(plan);
    for (const seed of [1, 2]) expect(planFingerprint(deepShuffle(plan, seed))).toBe(expected);
  });

  it('is stable under key and resource order for generated plans', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        (seed, resources, shuffle) => {
          const plan = generatePlan({ ...DEFAULT_PARAMS, seed, resources, hostile: true });
          expect(planFingerprint(deepShuffle(plan, shuffle))).toBe(planFingerprint(plan));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is stable under key order with sensitive values (placeholders are numbered in canonical order)', () => {
    const plan = generatePlan({ ...DEFAULT_PARAMS, seed: 5, resources: 6, secrets: true });
    expect(planFingerprint(deepShuffle(plan, 9))).toBe(planFingerprint(plan));
  });

  it('does not change with what varies between two plans of the same change', () => {
    const expected = planFingerprint(lifecycle);
    const variants: ((p: RawPlan) => void)[] = [
      (p) => (p.timestamp = '2030-01-01T00:00:00Z'),
      (p) => (p.terraform_version = '1.12.0'),
      (p) => (p.format_version = '1.3'),
      (p) => delete p.prior_state,
      (p) => (p.prior_state = { values: { outputs: { x: { value: 'y' } } } }),
      (p) => delete p.configuration,
      (p) => delete p.planned_values,
      (p) => delete p.checks,
      (p) => (p.resource_drift = fixture('terraform-drift.json').resource_drift!),
    ];
    for (const edit of variants) expect(planFingerprint(withChange(lifecycle, edit))).toBe(expected);
  });

  it('depends only on the changes, also in what it treats as sensitive', () => {
    // a value that prior_state, the configuration or the variables call sensitive, unmarked in the changes
    const base: RawPlan = {
      format_version: '1.2',
      resource_changes: [
        { address: 'x.a', change: { actions: ['create'], before: null, after: { v: 'abc-123' } } },
      ],
    };
    const expected = planFingerprint(base);
    const variants: RawPlan[] = [
      {
        ...base,
        prior_state: {
          values: {
            root_module: {
              resources: [{ address: 'x.b', values: { p: 'abc-123' }, sensitive_values: { p: true } }],
            },
          },
        },
      },
      { ...base, planned_values: { outputs: { o: { sensitive: true, value: 'abc-123' } } } },
      {
        ...base,
        variables: { pw: { value: 'abc-123' } },
        configuration: { root_module: { variables: { pw: { sensitive: true } } } },
      },
    ];
    for (const plan of variants) expect(planFingerprint(plan)).toBe(expected);
  });

  it('changes with anything applying would do differently', () => {
    const base = planFingerprint(lifecycle);
    const rc = (p: RawPlan, address: string) => p.resource_changes!.find((r) => r.address === address)!;
    const edits: [string, (p: RawPlan) => void][] = [
      [
        'a planned value',
        (p) => ((rc(p, 'terraform_data.new').change.after as { input: string }).input = 'other'),
      ],
      [
        'a nested planned value',
        (p) =>
          ((rc(p, 'terraform_data.config').change.after as { input: { replicas: number } }).input.replicas =
            4),
      ],
      [
        'a prior value',
        (p) => ((rc(p, 'terraform_data.doomed').change.before as { input: string }).input = 'x'),
      ],
      ['an action', (p) => (rc(p, 'terraform_data.cbd').change.actions = ['delete', 'create'])],
      ['an action (update to no-op)', (p) => (rc(p, 'terraform_data.config').change.actions = ['no-op'])],
      [
        'a sensitive value (after)',
        (p) =>
          ((rc(p, 'terraform_data.db').change.after as { input: { password: string } }).input.password =
            'hunter3'),
      ],
      [
        'a sensitive value (before)',
        (p) =>
          ((rc(p, 'terraform_data.db').change.before as { input: { password: string } }).input.password =
            'hunter1'),
      ],
      ['a sensitive output', (p) => (p.output_changes!['db_password']!.after = 'rotated-again')],
      ['what is sensitive', (p) => (rc(p, 'terraform_data.new').change.after_sensitive = { input: true })],
      ['what is unknown', (p) => (rc(p, 'terraform_data.new').change.after_unknown = { id: true })],
      ['the replace paths', (p) => (rc(p, 'terraform_data.cbd').change.replace_paths = [['input']])],
      ['the import target', (p) => (rc(p, 'terraform_data.imported').change.importing = { id: 'other-id' })],
      ['a move', (p) => (rc(p, 'terraform_data.new_name').previous_address = 'terraform_data.older')],
      ['an address', (p) => (rc(p, 'terraform_data.new').address = 'terraform_data.newer')],
      ['a resource less', (p) => p.resource_changes!.pop()],
      ['an output', (p) => (p.output_changes!['endpoint']!.after = 'https://other.example.com')],
      ['the errored flag', (p) => (p.errored = true)],
      ['the complete flag', (p) => (p.complete = false)],
    ];
    const seen = new Map<string, string>([[base, 'the original']]);
    for (const [what, edit] of edits) {
      const fingerprint = planFingerprint(withChange(lifecycle, edit));
      expect({ what, same_as: seen.get(fingerprint) }).toEqual({ what, same_as: undefined });
      seen.set(fingerprint, what);
    }
  });

  it('changes when only a sensitive value changes, also where it is the only difference between two secrets', () => {
    const plan = (a: string, b: string): RawPlan => ({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'x.a',
          change: { actions: ['create'], before: null, after: { pw: a }, after_sensitive: { pw: true } },
        },
        {
          address: 'x.b',
          change: { actions: ['create'], before: null, after: { pw: b }, after_sensitive: { pw: true } },
        },
      ],
    });
    const ab = planFingerprint(plan('alpha', 'beta'));
    expect(planFingerprint(plan('alpha', 'beta'))).toBe(ab);
    expect(planFingerprint(plan('beta', 'alpha'))).not.toBe(ab);
    expect(planFingerprint(plan('alpha', 'betb'))).not.toBe(ab);
  });

  it('hashes no sensitive value at sha256 speed, not even one Terraform echoed unmarked', () => {
    for (const plan of [
      lifecycle,
      fixture('terraform-sensitive-values.json'),
      generatePlan({ ...DEFAULT_PARAMS, seed: 3, resources: 4, secrets: true }),
    ]) {
      hashedInClear.length = 0;
      recording = true;
      planFingerprint(plan);
      recording = false;
      const clear = hashedInClear.join('');
      expect(clear.length).toBeGreaterThan(0);
      for (const secret of ['hunter2', 'boop', 's3cr3t-3', 'v4r-3-secret'])
        expect(clear).not.toContain(secret);
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: null, u: undefined })).toBe(
      '{"a":null,"b":[3,{"c":2,"d":1}]}',
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        const shuffled = deepShuffle({ format_version: '1', v: value } as unknown as RawPlan, seed);
        expect(canonicalJson(shuffled)).toBe(canonicalJson({ format_version: '1', v: value }));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
