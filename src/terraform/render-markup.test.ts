/**
 * Plan content is data, never markup: addresses, values, keys, reasons, check messages and labels land only in
 * code (spans, fenced blocks or escaped `<code>`). Checked on the DOM GitHub would build: markdown rendered with
 * micromark + GFM (raw HTML kept, as GitHub keeps `<details>`), parsed with parse5.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  hasLoneSurrogate,
  markdownToDom,
  structuralProblems,
  textByPlace,
  elements,
  textOf,
} from '../../test/support/markdown-dom.js';
import { fixture } from '../../test/support/plans.js';
import {
  DEFAULT_PARAMS,
  HOSTILE,
  INVISIBLE_CHARS,
  generatePlan,
  type PlanParams,
} from '../../test/support/plan-generator.js';
import { MARKER, renderPlan } from '../../test/support/report.js';
import type { RawPlan } from './plan.js';
import type { ReportBudget } from './render.js';

/** Strings that, wherever they show, must show as code. Checked on DOM text, so escaping is already undone. */
const MARKUP = [
  '</details>',
  '<details>',
  '<!--',
  '-->',
  '<script>',
  '@octocat',
  '#123',
  '```',
  'x|y',
  '*em*',
  '_u_',
];

function assertDataNotMarkup(markdown: string, marker: string | undefined = MARKER): void {
  expect(structuralProblems(markdown, marker)).toEqual([]);
  const dom = markdownToDom(markdown);
  expect(elements(dom, 'script')).toEqual([]);
  const { outsideCode } = textByPlace(dom);
  for (const s of MARKUP) expect({ s, outside: outsideCode.includes(s) }).toEqual({ s, outside: false });
  // links only where the report makes them (the run / details link), never from content
  for (const a of elements(dom, 'a')) {
    const href = a.attrs.find((x) => x.name === 'href')?.value ?? '';
    expect(
      href.startsWith('https://github.com/o/r/actions/runs/1') || href === 'https://example.com/plan',
    ).toBe(true);
  }
  for (const c of INVISIBLE_CHARS) expect(markdown.includes(c)).toBe(false);
}

describe('the lifecycle fixture (values with markup from a real Terraform run)', () => {
  const plan = fixture('openclaw-tf1.11-lifecycle.json');
  const budgets: ReportBudget[] = [
    { maxLength: 65000, unit: 'chars' },
    { maxLength: 4000, unit: 'chars' },
    { maxLength: 1024 * 1024, unit: 'bytes' },
  ];
  it.each(budgets)('renders its markup literally at %j', (budget) => {
    const markdown = renderPlan(plan, budget).report.markdown;
    assertDataNotMarkup(markdown);
  });

  it('shows each value with markup, verbatim, inside code', () => {
    const dom = markdownToDom(renderPlan(plan).report.markdown);
    const { inCode } = textByPlace(dom);
    expect(inCode).toContain('"ping @octocat about #123 <b>bold</b> ```fence```"');
    expect(inCode).toContain('"</details>",');
    // the hidden marker is the only comment, and the first node
    expect(dom.childNodes[0]?.nodeName).toBe('#comment');
  });
});

describe('generated plans with hostile addresses, keys, values, reasons and labels', () => {
  const hostileParams = (seed: number, resources: number): PlanParams => ({
    ...DEFAULT_PARAMS,
    seed,
    resources,
    hostile: true,
    multiByte: true,
    loneSurrogates: false,
    secrets: true,
    destroyShare: 0.4,
  });

  it('renders every hostile string as data, at every detail level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 25 }),
        fc.constantFrom(65000, 12000, 4000),
        (seed, resources, maxLength) => {
          const plan = generatePlan(hostileParams(seed, resources));
          const { report } = renderPlan(
            plan,
            { maxLength, unit: 'chars' },
            { label: 'eu `x` </details> \u202e @octocat' },
          );
          assertDataNotMarkup(report.markdown);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('shows hostile text literally inside code (after the diff quoting, nothing else changes it)', () => {
    const plan = generatePlan(hostileParams(7, 12));
    const { inCode } = textByPlace(markdownToDom(renderPlan(plan).report.markdown));
    // every hostile string the generator used in an address, a key or a value is shown verbatim somewhere
    const all = JSON.stringify(plan);
    for (const s of HOSTILE) {
      if (!all.includes(JSON.stringify(s).slice(1, -1))) continue;
      if (/["\\\r\n]/.test(s)) continue; // shown JSON-escaped in quoted values, flattened in code spans
      expect({ s, shown: inCode.includes(s) }).toEqual({ s, shown: true });
    }
  });

  it('keeps backtick runs of every length inside code, wherever they stand', () => {
    for (let n = 1; n <= 30; n++) {
      const ticks = '`'.repeat(n);
      const plan: RawPlan = {
        format_version: '1.2',
        resource_changes: [
          {
            address: `aws_s3_bucket.b["${ticks}"]`,
            mode: 'managed',
            type: 'aws_s3_bucket',
            name: 'b',
            deposed: ticks,
            action_reason: `delete_because_${ticks}`,
            change: {
              actions: ['delete'],
              before: { id: ticks, [ticks]: `a${ticks}b`, text: `${ticks}\n${ticks}` },
              after: null,
            },
          },
        ],
        output_changes: { [`o${ticks}`]: { actions: ['create'], before: null, after: ticks } },
      };
      for (const maxLength of [65000, 4000]) {
        const markdown = renderPlan(plan, { maxLength, unit: 'chars' }, { label: `lab${ticks}el` }).report
          .markdown;
        assertDataNotMarkup(markdown);
        const { inCode } = textByPlace(markdownToDom(markdown));
        expect(inCode).toContain(`aws_s3_bucket.b["${ticks}"]`);
        expect(inCode).toContain(`lab${ticks}el`);
      }
    }
  });

  it('shows invisible and bidirectional characters as \\u{...} escapes, never raw', () => {
    const plan: RawPlan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_s3_bucket.b["ad\u202emin"]',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'b',
          action_reason: 'delete_because_each_key',
          deposed: 'dep\u200bosed',
          change: {
            actions: ['delete'],
            before: { id: 'a\u200bb', ['k\u2066ey']: 'v\u2069', script: 'line\u202e1\nline2\ufeff' },
            after: null,
          },
        },
        {
          address: 'aws_s3_bucket.c',
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'c',
          action_reason: 'replace_\u202ebecause_something_new',
          change: { actions: ['delete', 'create'], before: { id: 'x' }, after: { id: 'y' } },
        },
      ],
    };
    const markdown = renderPlan(plan, undefined, { label: 'lab\u202eel' }).report.markdown;
    for (const c of ['\u202e', '\u200b', '\u2066', '\u2069', '\ufeff']) expect(markdown).not.toContain(c);
    expect(markdown).toContain('ad\\u{202e}min');
    expect(markdown).toContain('lab\\u{202e}el');
    expect(markdown).toContain('"a\\u{200b}b"');
    expect(markdown).toContain('dep\\u{200b}osed');
    expect(markdown).toContain('replace_\\u{202e}because');
    assertDataNotMarkup(markdown);
  });

  it('never writes a lone surrogate, even when the plan holds one (it is shown escaped)', () => {
    const lone = (seed: number): RawPlan => generatePlan({ ...hostileParams(seed, 8), loneSurrogates: true });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(65000, 4000), (seed, maxLength) => {
        const plan = lone(seed);
        const markdown = renderPlan(plan, { maxLength, unit: 'chars' }).report.markdown;
        expect(hasLoneSurrogate(markdown)).toBe(false);
        assertDataNotMarkup(markdown);
      }),
      { numRuns: 20 },
    );
  });

  it('keeps an action_reason Terraform does not know out of the markup', () => {
    const plan: RawPlan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_instance.a',
          mode: 'managed',
          type: 'aws_instance',
          name: 'a',
          action_reason: 'delete_because_<script>alert(1)</script>_@octocat_#123_```',
          change: { actions: ['delete'], before: { id: 'i' }, after: null },
        },
      ],
    };
    const markdown = renderPlan(plan).report.markdown;
    assertDataNotMarkup(markdown);
  });

  it('keeps the terraform_version and the check messages out of the markup', () => {
    const plan: RawPlan = {
      format_version: '1.2',
      terraform_version: '1.9.0 *em* `x` <script>alert(1)</script> @octocat',
      resource_changes: [],
      checks: [
        {
          address: { to_display: 'check.c' },
          status: 'fail',
          instances: [
            {
              address: { to_display: 'check.c</details>' },
              status: 'fail',
              problems: [{ message: '@octocat #123 ```' }],
            },
          ],
        },
      ],
    };
    const markdown = renderPlan(plan).report.markdown;
    assertDataNotMarkup(markdown);
    const sub = elements(markdownToDom(markdown), 'sub')[0]!;
    expect(textOf(sub)).toContain('1.9.0 *em* `x` <script>alert(1)</script> @octocat');
  });
});

describe('the DOM checks themselves', () => {
  it('catch an unclosed <details>, a missing <summary>, a stray comment, a script and an open fence', () => {
    expect(structuralProblems('<details><summary>a</summary>\n\nx')).toContainEqual(
      expect.stringContaining('<details> at offset'),
    );
    expect(structuralProblems('<details>\n\nx\n\n</details>')).toContain(
      '<details> whose first child is not <summary>',
    );
    expect(structuralProblems('a\n\n<!-- x -->')).toContainEqual(
      expect.stringContaining('unexpected HTML comment'),
    );
    // GitHub's tagfilter (part of GFM) turns <script> into text; other raw HTML comes through as elements
    expect(textByPlace(markdownToDom('<script>alert(1)</script>')).outsideCode).toContain('<script>');
    expect(structuralProblems('a <img src="x"> b')).toContain('unexpected element <img>');
    expect(structuralProblems('```diff\n+ a\n')).toContainEqual(expect.stringContaining('never closed'));
    expect(structuralProblems('````diff\n```\n````')).toEqual([]);
    expect(textByPlace(markdownToDom('a `@octocat` @octocat')).outsideCode).toContain('@octocat');
  });
});
