/**
 * Markdown that treats content as data: each helper's output, rendered the way GitHub renders (CommonMark + GFM),
 * shows exactly the content and nothing else, whatever backticks, pipes, HTML or newlines it holds.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { codeBlock, codeSpan, details, escapeHtml, fenceFor, htmlCode } from './markdown.js';
import {
  elements,
  markdownToDom,
  parseHtml,
  structuralProblems,
  textOf,
} from '../../test/support/markdown-dom.js';

/** Strings made of the characters that matter to markdown, plus some ordinary and multi-byte ones. */
const tricky = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.constantFrom(
      '`',
      '`',
      '`',
      ' ',
      '|',
      '\\',
      '<',
      '>',
      '&',
      '*',
      '_',
      '~',
      '#',
      '@',
      '[',
      ']',
      '!',
      '-',
      '\n',
      'a',
      'b',
      '🚀',
      'é',
      '\t',
    ),
    maxLength,
  });

/** What a code span can show: CommonMark turns line endings inside it into spaces. */
const flat = (s: string): string => s.replace(/[\r\n]+/g, ' ');

describe('codeSpan', () => {
  it('renders any text literally in a paragraph, as one code element', () => {
    fc.assert(
      fc.property(tricky(), (text) => {
        const dom = markdownToDom(`x ${codeSpan(text)} y`);
        const codes = elements(dom, 'code');
        expect(codes).toHaveLength(1);
        // an empty span cannot be written in markdown: it shows as a single space
        expect(textOf(codes[0]!)).toBe(text === '' ? ' ' : flat(text));
        expect(textOf(dom)).toBe(`x ${textOf(codes[0]!)} y`);
      }),
      { numRuns: 1500 },
    );
  });

  it('renders backticks of every run length, and spaces at the edges', () => {
    for (let n = 1; n <= 12; n++) {
      for (const text of ['`'.repeat(n), `a${'`'.repeat(n)}b`, ` ${'`'.repeat(n)} `, `${'`'.repeat(n)}x`]) {
        const codes = elements(markdownToDom(codeSpan(text)), 'code');
        expect(codes.map(textOf)).toEqual([text]);
      }
    }
    for (const text of ['   ', ' a', 'a ', ' a ', '  a  ']) {
      expect(elements(markdownToDom(codeSpan(text)), 'code').map(textOf)).toEqual([text]);
    }
  });

  it('shows a pipe as a pipe outside tables (a heading, a list item)', () => {
    expect(elements(markdownToDom(`### plan for ${codeSpan('a|b')}`), 'code').map(textOf)).toEqual(['a|b']);
    expect(
      elements(markdownToDom(`> - ${codeSpan('aws_x.y["a|b"]')} **destroyed**`), 'code').map(textOf),
    ).toEqual(['aws_x.y["a|b"]']);
  });

  it('keeps a table cell whole when asked for a table span', () => {
    fc.assert(
      fc.property(tricky(), (text) => {
        const dom = markdownToDom(`| h | i |\n|---|---|\n| ${codeSpan(text, { inTable: true })} | z |`);
        const cells = elements(dom, 'td');
        expect(cells).toHaveLength(2);
        expect(textOf(cells[1]!)).toBe('z');
        const codes = elements(cells[0]!, 'code').map(textOf);
        expect(codes).toHaveLength(1);
        // exact, except that a backslash right before a pipe cannot be written in a cell
        if (!/\\\|/.test(text)) expect(codes).toEqual([text === '' ? ' ' : flat(text)]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('codeBlock', () => {
  it('renders any body literally, as one pre element, with nothing outside it', () => {
    fc.assert(
      fc.property(tricky(80), (body) => {
        const markdown = codeBlock(body, 'diff');
        const dom = markdownToDom(markdown);
        expect(dom.childNodes.filter((n) => n.nodeName !== '#text' || textOf(n).trim() !== '')).toHaveLength(
          1,
        );
        const pre = elements(dom, 'pre');
        expect(pre).toHaveLength(1);
        expect(textOf(pre[0]!)).toBe(body + '\n');
        expect(structuralProblems(markdown)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('uses a fence longer than any backtick run inside, and at least three', () => {
    expect(fenceFor('')).toBe('```');
    expect(fenceFor('a ``` b')).toBe('````');
    expect(fenceFor('`````````')).toBe('``````````');
    for (let n = 1; n <= 20; n++) {
      const body = `before\n${'`'.repeat(n)}\nafter ${'`'.repeat(n)}diff`;
      const pre = elements(markdownToDom(`${codeBlock(body, 'diff')}\n\nafter the block`), 'pre');
      expect(pre.map(textOf)).toEqual([body + '\n']);
    }
  });

  it('ends the block before the text that follows it', () => {
    const dom = markdownToDom(`${codeBlock('```\n</details>', 'diff')}\n\n</details>`);
    expect(elements(dom, 'pre').map(textOf)).toEqual(['```\n</details>\n']);
  });
});

describe('htmlCode and escapeHtml', () => {
  it('shows any text literally inside a <summary> (an HTML block, where markdown is not parsed)', () => {
    fc.assert(
      fc.property(tricky(), (text) => {
        const markdown = details(htmlCode(text), 'body');
        const dom = markdownToDom(markdown);
        const summary = elements(dom, 'summary');
        expect(summary).toHaveLength(1);
        expect(elements(summary[0]!, 'code').map(textOf)).toEqual([flat(text)]);
        expect(structuralProblems(markdown)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes the five HTML characters so parsed HTML gives back the text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), tricky(), (a, b) => {
        const text = (a + b).replace(/[\r\0]/g, '');
        const html = `<p title="${escapeHtml(text)}">${escapeHtml(text)}</p>`;
        const p = elements(parseHtml(html), 'p')[0]!;
        expect(textOf(p)).toBe(text);
        expect(p.attrs).toEqual([{ name: 'title', value: text }]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('details', () => {
  it('is a closed <details> with its <summary> first, the body rendered as markdown', () => {
    const markdown = details('<b>Create</b> · 2', codeBlock('+ a\n</details>', 'diff'), true);
    expect(structuralProblems(markdown)).toEqual([]);
    const [element] = elements(markdownToDom(markdown), 'details');
    expect(element!.attrs.map((a) => a.name)).toEqual(['open']);
    expect(elements(element!, 'pre').map(textOf)).toEqual(['+ a\n</details>\n']);
  });
});
