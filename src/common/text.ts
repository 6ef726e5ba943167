/** String helpers that respect Unicode: never cut inside a surrogate pair, never leave an invisible character unseen. */

/** Cut `text` to at most `max` UTF-16 code units without splitting a surrogate pair. */
export function truncateCodeUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--; // would leave a lone high surrogate
  return text.slice(0, end);
}

/** Size of a string as GitHub or the runner counts it: characters (UTF-16 units, an upper bound) or UTF-8 bytes. */
export type SizeUnit = 'chars' | 'bytes';

export function sizeOf(text: string, unit: SizeUnit): number {
  return unit === 'chars' ? text.length : Buffer.byteLength(text, 'utf8');
}

/**
 * Characters that change how text reads without showing themselves: bidirectional overrides and isolates
 * (the "Trojan Source" characters), zero-width characters and other invisible format characters, C0/C1
 * controls, line/paragraph separators, and lone surrogates (half a character: written as UTF-8 it silently
 * becomes U+FFFD). They are shown as `\u{...}` escapes so a reviewer sees them.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`);
}

/** English plural: `plural(1, 'resource')` → `1 resource`, `plural(2, 'resource')` → `2 resources`. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
