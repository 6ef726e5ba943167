/** Request headers given as an action input (auth headers for a metrics server or a health endpoint). */
import { InputError } from './errors.js';

/** `Name: value` lines (or a JSON object) into headers; values are secrets, so errors never show them. */
export function parseHeaderLines(text: string, input = 'headers'): Record<string, string> {
  const headers: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed === '') return headers;
  const valid = (name: string) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name);
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new InputError(input, undefined, 'a JSON object, or lines of "Name: value"', { secret: true });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new InputError(input, undefined, 'a JSON object, or lines of "Name: value"', { secret: true });
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (!valid(k))
        throw new InputError(input, undefined, `valid header names (one is not)`, { secret: true });
      headers[k] = String(v);
    }
    return headers;
  }
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    if (colon <= 0 || !valid(name)) {
      throw new InputError(
        input,
        undefined,
        'lines of "Name: value" (a line has no valid header name before its colon)',
        { secret: true },
      );
    }
    headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}
