/**
 * The Prometheus text exposition format (version 0.0.4), and series selectors (`name{label="v", code=~"5.."}`)
 * to pick samples from it, for the `scrape` provider that reads /metrics directly.
 *
 * Reference: https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import { parseSampleValue } from './prometheus.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parse exposition text into samples; comments, HELP and TYPE lines are skipped. Throws on a malformed line. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`line ${i + 1}: no metric name in ${JSON.stringify(line.slice(0, 80))}`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const pairRe = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
      let pos = 1;
      for (;;) {
        while (rest[pos] === ' ') pos++;
        if (rest[pos] === '}') {
          pos++;
          break;
        }
        pairRe.lastIndex = pos;
        const m = pairRe.exec(rest);
        if (!m) throw new Error(`line ${i + 1}: malformed labels in ${JSON.stringify(line.slice(0, 80))}`);
        labels[m[1]!] = unescapeLabel(m[2]!);
        pos = pairRe.lastIndex;
      }
      rest = rest.slice(pos);
    }
    const fields = rest.trim().split(/\s+/);
    if (fields.length < 1 || fields[0] === '')
      throw new Error(`line ${i + 1}: no value in ${JSON.stringify(line.slice(0, 80))}`);
    samples.push({ name, labels, value: parseSampleValue(fields[0]) });
  }
  return samples;
}

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  regex?: RegExp;
}

export interface Selector {
  name: string;
  matchers: Matcher[];
}

/** Parse `name{label="value", other=~"regex"}`; a selector with a syntax error throws with the reason. */
export function parseSelector(text: string): Selector {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (!m) throw new Error(`not a series selector (expected name{label="value", ...}): ${text}`);
  const matchers: Matcher[] = [];
  const body = m[2] ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
  let pos = 0;
  while (pos < body.length) {
    if (/^\s*$/.test(body.slice(pos))) break;
    re.lastIndex = pos;
    const mm = re.exec(body);
    if (!mm)
      throw new Error(`malformed label matcher at ${JSON.stringify(body.slice(pos, pos + 40))} in ${text}`);
    const op = mm[2] as Matcher['op'];
    const value = unescapeLabel(mm[3]!);
    const matcher: Matcher = { label: mm[1]!, op, value };
    // PromQL regexes are fully anchored
    if (op === '=~' || op === '!~') matcher.regex = new RegExp(`^(?:${value})$`);
    matchers.push(matcher);
    pos = re.lastIndex;
  }
  return { name: m[1]!, matchers };
}

export function matches(selector: Selector, sample: Sample, name = selector.name): boolean {
  if (sample.name !== name) return false;
  for (const { label, op, value, regex } of selector.matchers) {
    const actual = sample.labels[label] ?? '';
    if (op === '=' && actual !== value) return false;
    if (op === '!=' && actual === value) return false;
    if (op === '=~' && !regex!.test(actual)) return false;
    if (op === '!~' && regex!.test(actual)) return false;
  }
  return true;
}

/** Sum of the samples a selector picks (for counters: the total across label sets). */
export function sumOf(samples: readonly Sample[], selector: Selector, name = selector.name): number {
  let sum = 0;
  for (const s of samples) if (matches(selector, s, name)) sum += s.value;
  return sum;
}

/** Cumulative histogram bucket counts by `le`, summed across the series a selector picks. */
export function histogramBuckets(samples: readonly Sample[], selector: Selector): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (!matches(selector, s, `${selector.name}_bucket`)) continue;
    const le = parseSampleValue(s.labels['le']);
    if (Number.isNaN(le)) continue;
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return buckets;
}

export { histogramQuantile } from '../stats/histogram.js';
