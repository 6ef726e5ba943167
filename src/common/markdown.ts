/**
 * Markdown that treats its content as data. Everything that comes from a plan, an input or an API lands either
 * in a code span, a fenced code block or HTML-escaped text, so backticks, `</details>`, `<!--`, `@mentions` and
 * `#123` render literally and cannot break the comment or notify anyone (GitHub does not link mentions or issue
 * references inside code).
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Longest run of consecutive backticks in a string. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 96) {
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  return longest;
}

export interface CodeSpanOptions {
  /**
   * The span stands in a GFM table cell: `|` is written `\\|` so it does not end the cell (GFM shows it as `|`
   * there). Outside a table a backslash in a code span is shown as it is, so this is off by default. (In a cell,
   * a backslash right before a pipe cannot be shown exactly; the cell is kept whole and it may show doubled.)
   */
  inTable?: boolean;
}

/**
 * An inline code span that shows `text` literally (CommonMark: the delimiter is a backtick run longer than any
 * inside; a padding space on each side keeps a leading or trailing backtick, or spaces at both ends, from being
 * taken away). Newlines become spaces, as CommonMark shows them in a code span anyway.
 */
export function codeSpan(text: string, options: CodeSpanOptions = {}): string {
  let flat = text.replace(/[\r\n]+/g, ' ');
  // the cell splitter takes backslashes in pairs: a pipe after an odd run is escaped already
  if (options.inTable)
    flat = flat.replace(/(\\*)\|/g, (_m, run: string) => `${run}${run.length % 2 === 1 ? '\\' : ''}\\|`);
  const ticks = '`'.repeat(longestBacktickRun(flat) + 1);
  // an empty span cannot be written: the nearest is a single space
  if (flat === '') return `${ticks} ${ticks}`;
  // CommonMark strips one space from each end when both ends are spaces, unless the content is only spaces
  const allSpaces = /^ +$/.test(flat);
  const pad =
    !allSpaces && (flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ')))
      ? ' '
      : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** An HTML `<code>` element for places where markdown is not parsed (inside `<summary>`). */
export function htmlCode(text: string): string {
  return `<code>${escapeHtml(text.replace(/[\r\n]+/g, ' '))}</code>`;
}

/** The opening/closing fence for a code block holding `body`: longer than any backtick run inside. */
export function fenceFor(body: string): string {
  return '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
}

/** A fenced code block. The fence is chosen from the body, so the body can never close it early. */
export function codeBlock(body: string, language = ''): string {
  const fence = fenceFor(body);
  return `${fence}${language}\n${body}\n${fence}`;
}

/** A `<details>` block; the summary is HTML (pass it already escaped), the body markdown. */
export function details(summaryHtml: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summaryHtml}</summary>\n\n${body}\n\n</details>`;
}
