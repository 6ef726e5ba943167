/**
 * Sensitive values: the Aho-Corasick redaction against a naive reference, the collection of every value a plan
 * marks, and the end-to-end promise: no sensitive value shows in anything rendered, wherever Terraform or a
 * provider echoed it unmarked (whole, inside a longer string, in a multi-line string, in a JSON string, as a key).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MIN_REDACT_LENGTH, SensitiveValues, collectSensitiveValues } from './sensitive.js';
import { expectedSecrets, fixture, fixtureNames } from '../../test/support/plans.js';
import { DEFAULT_PARAMS, generatePlan } from '../../test/support/plan-generator.js';
import { renderPlan } from '../../test/support/report.js';
import { buildPlanModel } from './model.js';
import { renderOutputDiff, renderResourceDiff, renderDriftDiff } from './diff.js';
import type { RawPlan } from './plan.js';

const REDACTED = '(sensitive)';

/** Reference: mark every code unit covered by any occurrence of any pattern, replace each covered run. */
function naiveRedact(text: string, patterns: readonly string[]): string {
  const covered = new Array<boolean>(text.length).fill(false);
  for (const p of new Set(patterns)) {
    if (p.length < MIN_REDACT_LENGTH) continue;
    for (let at = text.indexOf(p); at !== -1; at = text.indexOf(p, at + 1)) {
      for (let k = at; k < at + p.length; k++) covered[k] = true;
    }
  }
  let out = '';
  for (let i = 0; i < text.length;) {
    if (covered[i]) {
      while (covered[i]) i++;
      out += REDACTED;
    } else out += text[i++];
  }
  return out;
}

function values(...patterns: string[]): SensitiveValues {
  const v = new SensitiveValues();
  for (const p of patterns) v.add(p);
  return v;
}

describe('SensitiveValues.redact', () => {
  it('cuts out a value inside a longer string and leaves the rest', () => {
    expect(values('hunter2').redact('postgres://u:hunter2@db')).toBe('postgres://u:(sensitive)@db');
    expect(values('hunter2').redact('no secret here')).toBe('no secret here');
  });

  it('merges overlapping and touching occurrences into one placeholder', () => {
    // "abcab" and "cabd" overlap in "abcabd"
    expect(values('abcab', 'cabd').redact('xabcabdx')).toBe(`x${REDACTED}x`);
    // the same value twice, back to back
    expect(values('abc').redact('abcabc-abc')).toBe(`${REDACTED}-${REDACTED}`);
  });

  it('handles nested values and values that are prefixes of each other', () => {
    expect(values('secret', 'ecr').redact('a secret and an ecr')).toBe(`a ${REDACTED} and an ${REDACTED}`);
    expect(values('abc', 'abcd', 'abcde').redact('abcdX abcX abcdeX')).toBe(
      `${REDACTED}X ${REDACTED}X ${REDACTED}X`,
    );
    // a longer match that starts before an earlier, shorter one
    expect(values('bcd', 'abcdef').redact('abcdef')).toBe(REDACTED);
    expect(values('xyz1', 'yz12345').redact('_xyz12345_')).toBe(`_${REDACTED}_`);
  });

  it(`does not cut out values shorter than ${MIN_REDACT_LENGTH} characters, but knows them whole`, () => {
    const v = values('ab', '7');
    expect(v.redact('abc 7 ab')).toBe('abc 7 ab');
    expect(v.isSensitive('ab')).toBe(true);
    expect(v.isSensitive('7')).toBe(true);
  });

  it('works on code units, so surrogate pairs and markup inside a value are matched exactly', () => {
    expect(values('🚀pw🚀').redact('x🚀pw🚀y')).toBe(`x${REDACTED}y`);
    expect(values('<!--`x`-->').redact('a<!--`x`-->b')).toBe(`a${REDACTED}b`);
  });

  it('picks up values added after a first redaction', () => {
    const v = values('first');
    expect(v.redact('first second')).toBe(`${REDACTED} second`);
    v.add('second');
    expect(v.redact('first second')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('agrees with the naive reference on random patterns over a small alphabet', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 7 }), {
          maxLength: 25,
        }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x'), maxLength: 80 }),
        (patterns, text) => {
          expect(values(...patterns).redact(text)).toBe(naiveRedact(text, patterns));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the naive reference with many patterns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), minLength: 3, maxLength: 12 }), {
          minLength: 200,
          maxLength: 600,
        }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', ' '), maxLength: 2000 }),
        (patterns, text) => {
          expect(values(...patterns).redact(text)).toBe(naiveRedact(text, patterns));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('agrees with the naive reference on arbitrary unicode', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        (patterns, insertAt, filler) => {
          // build a text that contains the patterns
          let text = filler;
          insertAt.forEach((n, k) => {
            const p = patterns[k % Math.max(1, patterns.length)] ?? '';
            const at = n % (text.length + 1);
            text = text.slice(0, at) + p + text.slice(at);
          });
          expect(values(...patterns).redact(text)).toBe(naiveRedact(text, patterns));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('SensitiveValues.contains and foundInJson', () => {
  const naiveContains = (text: string, patterns: readonly string[]) =>
    patterns.some((p) => p.length >= MIN_REDACT_LENGTH && text.includes(p));

  // Long secrets only: the scan reads every (shortest - 3)-th position; texts are built to hold them at every
  // offset, overlapping, at the very start and at the very end.
  it('finds long secrets wherever they sit, as the naive search does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 8, maxLength: 24 }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x'), maxLength: 300 }),
        (patterns, insertions, filler) => {
          let text = filler;
          for (const [which, at] of insertions) {
            const p = patterns[which % patterns.length]!;
            const cut = at % (text.length + 1);
            text = text.slice(0, cut) + p + text.slice(cut);
          }
          const v = values(...patterns);
          const expected = naiveContains(text, patterns);
          expect(v.contains(text)).toBe(expected);
          expect(v.foundInJson(text)).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('finds a secret at each offset of a long text, and none in a text without it', () => {
    const secret = 's3cr3t-Passw0rd';
    const v = values(secret, 'another-long-secret-value');
    const filler = 'x'.repeat(100);
    for (let at = 0; at <= filler.length; at++) {
      expect(v.contains(filler.slice(0, at) + secret + filler.slice(at))).toBe(true);
    }
    expect(v.contains(filler + secret.slice(0, -1) + filler)).toBe(false);
    expect(v.contains(secret)).toBe(true);
  });

  it('still finds short secrets beside long ones', () => {
    const v = values('abc', 'a-much-longer-secret');
    expect(v.contains('xxabcxx')).toBe(true);
    expect(v.contains('x'.repeat(50) + 'a-much-longer-secret')).toBe(true);
    expect(v.contains('x'.repeat(50))).toBe(false);
  });
});

describe('collectSensitiveValues', () => {
  it.each(fixtureNames())('finds every sensitive value of %s', (name) => {
    const plan = fixture(name);
    expect(new Set(collectSensitiveValues(plan).exact)).toEqual(expectedSecrets(plan));
  });

  it('collects marked leaves of nested values, numbers as text, and not booleans', () => {
    const plan: RawPlan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'a.b',
          change: {
            actions: ['update'],
            before: { list: ['pub', 'sec-1'], map: { k: 'sec-2' }, port: 5432, flag: true, plain: 'plain' },
            after: { list: ['pub', 'sec-3'], map: { k: 'sec-4' }, port: 6543, flag: false, plain: 'plain' },
            before_sensitive: { list: [false, true], map: true, port: true, flag: true },
            after_sensitive: { list: [false, true], map: { k: true }, port: true, flag: true },
          },
        },
      ],
    };
    expect([...collectSensitiveValues(plan).exact].sort()).toEqual(
      ['5432', '6543', 'sec-1', 'sec-2', 'sec-3', 'sec-4'].sort(),
    );
  });

  it('registers each line of a multi-line value for the log, skipping blank and short lines', () => {
    const v = values('-----BEGIN KEY-----\nMIIabc\n\nx\n-----END KEY-----', 'pw');
    expect(v.secretsForLog().sort()).toEqual(['-----BEGIN KEY-----', '-----END KEY-----', 'MIIabc'].sort());
  });
});

describe('no sensitive value in anything rendered', () => {
  it('holds for generated plans that echo their secrets unmarked, at every detail level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.constantFrom(65000, 20000, 6000, 4000),
        (seed, resources, hostile, maxLength) => {
          const plan = generatePlan({
            ...DEFAULT_PARAMS,
            seed,
            resources,
            hostile,
            secrets: true,
            destroyShare: 0.3,
          });
          const secrets = [...expectedSecrets(plan)].filter((s) => s.length >= MIN_REDACT_LENGTH);
          expect(secrets.length).toBeGreaterThan(0);
          const { report } = renderPlan(plan, { maxLength, unit: 'chars' });
          for (const secret of secrets) {
            for (const line of secret.split('\n'))
              if (line.length >= MIN_REDACT_LENGTH && !/^-----/.test(line))
                expect({ line, leaked: report.markdown.includes(line) }).toEqual({ line, leaked: false });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  const secret = 'tok-9f8e7d';
  const sensitive = values(secret, `${secret}-2`, 'line-one\nline-two-secret');
  const options = { sensitive, maxStringLength: 4000 };
  const update = (before: unknown, after: unknown): string[] => {
    const model = buildPlanModel({
      format_version: '1.2',
      resource_changes: [
        { address: 'x.y', type: 'x', name: 'y', change: { actions: ['update'], before, after } },
      ],
    });
    return renderResourceDiff(model.changes[0]!, options);
  };

  it('masks a value echoed in a JSON string, in its values and in its keys', () => {
    const lines = update(
      { policy: JSON.stringify({ token: secret, [secret]: 1, a: 1 }) },
      { policy: JSON.stringify({ token: `${secret}-2`, [`${secret}-2`]: 1, a: 2 }) },
    ).join('\n');
    expect(lines).not.toContain(secret);
    expect(lines).toContain('(sensitive');
  });

  it('masks a value echoed as a map key', () => {
    const lines = update({ m: { [secret]: 'a' } }, { m: { [`${secret}-2`]: 'a' } }).join('\n');
    expect(lines).not.toContain(secret);
  });

  it('masks a multi-line value echoed inside a multi-line string, whole', () => {
    const created = buildPlanModel({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'x.y',
          type: 'x',
          name: 'y',
          change: {
            actions: ['create'],
            before: null,
            after: { script: 'begin\nline-one\nline-two-secret\nend' },
          },
        },
      ],
    }).changes[0]!;
    for (const lines of [
      renderResourceDiff(created, options),
      update(
        { script: 'begin\nline-one\nline-two-secret\nend' },
        { script: 'begin\nline-one\nline-two-secret\nend!' },
      ),
      renderOutputDiff(
        [{ name: 'o', change: { actions: ['create'], before: null, after: 'a\nline-one\nline-two-secret' } }],
        options,
      ),
    ]) {
      expect(lines.join('\n')).not.toContain('line-two-secret');
    }
  });

  it('masks a sensitive value that is itself a JSON document, echoed unmarked', () => {
    const doc = JSON.stringify({ type: 'service_account', private_key: 'k' });
    const v = values(doc, JSON.stringify({ type: 'service_account', private_key: 'k2' }));
    const model = buildPlanModel({
      format_version: '1.2',
      resource_drift: [
        {
          address: 'x.y',
          type: 'x',
          name: 'y',
          change: {
            actions: ['update'],
            before: { creds: doc },
            after: { creds: JSON.stringify({ type: 'service_account', private_key: 'k2' }) },
          },
        },
      ],
    });
    const lines = renderDriftDiff(model.drift[0]!, { sensitive: v, maxStringLength: 4000 }).join('\n');
    expect(lines).not.toContain('private_key');
    expect(lines).toContain('(sensitive value)');
  });

  it('hides the keys of an object marked sensitive as a whole inside a list', () => {
    const model = buildPlanModel({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'x.y',
          type: 'x',
          name: 'y',
          change: {
            actions: ['update'],
            before: { users: [{ api_key_name: 'alice-key', value: 'v1' }] },
            after: { users: [{ api_key_name: 'bob-key', value: 'v2' }] },
            before_sensitive: { users: [true] },
            after_sensitive: { users: [true] },
          },
        },
      ],
    });
    const lines = renderResourceDiff(model.changes[0]!, {
      sensitive: new SensitiveValues(),
      maxStringLength: 4000,
    });
    const text = lines.join('\n');
    expect(text).not.toContain('api_key_name');
    expect(text).not.toContain('alice-key');
    expect(text).toContain('(sensitive value)');
  });
});
