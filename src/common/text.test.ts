/** Unicode-aware string helpers: cutting never splits a character, invisible characters are always shown. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { plural, revealInvisible, sizeOf, truncateCodeUnits } from './text.js';
import { hasLoneSurrogate } from '../../test/support/markdown-dom.js';

describe('truncateCodeUnits', () => {
  it('keeps text that fits', () => {
    expect(truncateCodeUnits('abc', 3)).toBe('abc');
    expect(truncateCodeUnits('', 0)).toBe('');
  });

  it('never cuts a surrogate pair in half', () => {
    expect(truncateCodeUnits('a🚀b', 2)).toBe('a');
    expect(truncateCodeUnits('a🚀b', 3)).toBe('a🚀');
    expect(truncateCodeUnits('🚀', 1)).toBe('');
    expect(truncateCodeUnits('abc', 0)).toBe('');
    expect(truncateCodeUnits('abc', -5)).toBe('');
  });

  it('returns the longest prefix of at most max code units that ends on a character boundary', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.integer({ min: 0, max: 70 }),
        (text, max) => {
          const cut = truncateCodeUnits(text, max);
          expect(text.startsWith(cut)).toBe(true);
          expect(cut.length).toBeLessThanOrEqual(max);
          expect(hasLoneSurrogate(cut)).toBe(false);
          // at most the one unit of a pair is given up
          expect(cut.length).toBeGreaterThanOrEqual(Math.min(text.length, max) - 1);
          if (text.length <= max) expect(cut).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('revealInvisible', () => {
  const documented: [string, string][] = [
    ['\u202e', '\\u{202e}'],
    ['\u202a', '\\u{202a}'],
    ['\u202d', '\\u{202d}'],
    ['\u2066', '\\u{2066}'],
    ['\u2067', '\\u{2067}'],
    ['\u2068', '\\u{2068}'],
    ['\u2069', '\\u{2069}'],
    ['\u200b', '\\u{200b}'],
    ['\u200c', '\\u{200c}'],
    ['\u200d', '\\u{200d}'],
    ['\u200e', '\\u{200e}'],
    ['\u200f', '\\u{200f}'],
    ['\u2060', '\\u{2060}'],
    ['\ufeff', '\\u{feff}'],
    ['\u061c', '\\u{061c}'],
    ['\u00ad', '\\u{00ad}'],
    ['\u0000', '\\u{0000}'],
    ['\u001b', '\\u{001b}'],
    ['\u007f', '\\u{007f}'],
    ['\u0085', '\\u{0085}'],
    ['\u2028', '\\u{2028}'],
    ['\u2029', '\\u{2029}'],
    ['\ud800', '\\u{d800}'],
    ['\udfff', '\\u{dfff}'],
  ];

  it.each(documented)('shows %j as %s', (char, shown) => {
    expect(revealInvisible(`a${char}b`)).toBe(`a${shown}b`);
  });

  it('leaves visible text alone: letters, tabs, newlines, emoji (pairs), CJK, combining marks', () => {
    for (const text of [
      'plain',
      'tab\there',
      'two\nlines',
      'cr\r\n',
      '🚀👍🏽',
      '漢字',
      'é',
      'e\u0301',
      '{"a":1}',
    ]) {
      expect(revealInvisible(text)).toBe(text);
    }
  });

  it('leaves no invisible character and no lone surrogate, and is idempotent', () => {
    const raw = documented.map(([c]) => c);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...raw), fc.string({ unit: 'grapheme', maxLength: 4 })), {
          maxLength: 20,
        }),
        (parts) => {
          const shown = revealInvisible(parts.join(''));
          // (two halves side by side make a valid pair, which is a visible character: only lone ones count)
          for (const c of raw.filter((c) => !/[\ud800-\udfff]/.test(c)))
            expect(shown.includes(c)).toBe(false);
          expect(hasLoneSurrogate(shown)).toBe(false);
          expect(revealInvisible(shown)).toBe(shown);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('sizeOf and plural', () => {
  it('counts UTF-16 units or UTF-8 bytes', () => {
    expect(sizeOf('a🚀é', 'chars')).toBe(4);
    expect(sizeOf('a🚀é', 'bytes')).toBe(1 + 4 + 2);
    expect(sizeOf('漢', 'bytes')).toBe(3);
  });

  it('pluralises', () => {
    expect(plural(1, 'resource')).toBe('1 resource');
    expect(plural(0, 'resource')).toBe('0 resources');
    expect(plural(2, 'check')).toBe('2 checks');
    expect(plural(3, 'index', 'indices')).toBe('3 indices');
  });
});
