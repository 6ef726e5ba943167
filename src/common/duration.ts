/** Durations as people write them in workflow inputs: `500ms`, `30s`, `5m`, `1h`, `1m30s`. */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a duration string, or undefined when it is not one. Every part carries its unit: a bare
 * number (`30`: seconds? minutes?) is not a duration, in any action of the suite; `isBareNumber` tells the
 * caller to say so with an example.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (isBareNumber(t)) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) return undefined;
  return Math.round(total);
}

/** True for a number without a unit (`30`, `1.5`), which parseDuration refuses. */
export function isBareNumber(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text.trim());
}

/**
 * What an input error says a duration must look like, with examples and the range allowed (` of at least 1s`,
 * ` from 10ms to 10m`, or nothing); names the bare-number rule when that was the mistake.
 */
export function durationExpectation(text: string, examples = '30s, 10m or 1m30s', range = ''): string {
  return isBareNumber(text)
    ? `a duration with its unit (ms, s, m or h)${range}, such as ${examples}: a bare number like ${JSON.stringify(text.trim())} has none`
    : `a duration such as ${examples}${range}`;
}

/** `90000` → `1m30s`; whole seconds shown without a fraction, below a second in ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest ? `${m}m${rest}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}

/** `10%` → 0.1, `0.1` → 0.1; undefined when not a number. */
export function parsePercent(text: string): number | undefined {
  const t = text.trim();
  const m = /^([+-]?\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (m) return Number(m[1]) / 100;
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return Number(t);
  return undefined;
}
