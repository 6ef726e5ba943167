/**
 * The `regions` input: a YAML (or JSON) list of `{ name, url, expect-region? }`. Every mistake is an InputError
 * that names the entry and the key, so a typo (`expect_region`) is caught instead of silently ignored.
 */
import { parse } from 'yaml';
import { InputError } from '../common/errors.js';
import type { RegionSpec } from './model.js';

const FORM =
  'a YAML list of regions, each { name, url, expect-region? }, e.g.\n- name: us-east-1\n  url: https://us-east-1.rating.example.com\n  expect-region: us-east-1';
const KEYS = ['name', 'url', 'expect-region'];

export function parseRegions(text: string, input = 'regions'): RegionSpec[] {
  if (text.trim() === '') throw new InputError(input, undefined, FORM);
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(input, text, `${FORM} (it is not valid YAML: ${reason})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new InputError(input, text, FORM);
  const regions: RegionSpec[] = [];
  const names = new Set<string>();
  parsed.forEach((entry: unknown, i) => {
    const where = `entry ${i + 1}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new InputError(input, JSON.stringify(entry) ?? String(entry), `${FORM} (${where} is not a map)`);
    }
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!KEYS.includes(key))
        throw new InputError(
          input,
          key,
          `keys ${KEYS.join(', ')} only (${where} has the unknown key "${key}")`,
        );
    }
    const name = record['name'];
    if (typeof name !== 'string' || name.trim() === '')
      throw new InputError(input, String(name ?? ''), `a name on every region (${where} has none)`);
    if (names.has(name.trim()))
      throw new InputError(
        input,
        name,
        `a different name on every region (${where} repeats "${name.trim()}")`,
      );
    names.add(name.trim());
    const url = record['url'];
    let parsedUrl: URL | undefined;
    try {
      if (typeof url === 'string') parsedUrl = new URL(url.trim());
    } catch {
      parsedUrl = undefined;
    }
    if (!parsedUrl || (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:'))
      throw new InputError(
        input,
        String(url ?? ''),
        `an absolute http(s) URL as the url of region "${name.trim()}" (${where})`,
      );
    const expect = record['expect-region'];
    if (expect !== undefined && expect !== null && (typeof expect !== 'string' || expect.trim() === ''))
      throw new InputError(
        input,
        String(expect),
        `a region name as expect-region of "${name.trim()}" (${where})`,
      );
    regions.push({
      name: name.trim(),
      url: parsedUrl.toString(),
      ...(typeof expect === 'string' ? { expectRegion: expect.trim() } : {}),
    });
  });
  return regions;
}
