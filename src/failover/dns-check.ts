/**
 * The failover record: what `dns-name` answers now, against `dns-expect` (addresses, or the CNAME target), and
 * its TTL against Route 53's failover guidance (60 s or less, or clients keep the old answer for longer than the
 * failover takes). The addresses it answers are then probed one by one (in check.ts), and a dead one is named.
 */
import { isIP } from 'node:net';
import type { DnsAnswer } from './resolve.js';

/** Route 53's guidance for failover records: a TTL of 60 seconds or less. */
export const MAX_FAILOVER_TTL_SECONDS = 60;

function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** Problems of an answer against the expectation (empty when it matches) and the TTL rule. */
export function judgeDnsAnswer(answer: DnsAnswer, expect: readonly string[] | undefined): string[] {
  const problems: string[] = [];
  if (expect && expect.length) {
    const expectedAddresses = expect.filter((e) => isIP(e.trim())).map(normaliseAddress);
    const expectedNames = expect.filter((e) => !isIP(e.trim())).map(normaliseName);
    if (expectedAddresses.length) {
      const got = new Set(answer.addresses.map((a) => normaliseAddress(a.address)));
      const want = new Set(expectedAddresses);
      const missing = [...want].filter((a) => !got.has(a));
      const extra = [...got].filter((a) => !want.has(a));
      if (missing.length || extra.length) {
        problems.push(
          `answers ${[...got].join(', ') || 'nothing'}, expected ${[...want].join(', ')}${missing.length ? ` (missing ${missing.join(', ')})` : ''}${extra.length ? ` (unexpected ${extra.join(', ')})` : ''}`,
        );
      }
    }
    if (expectedNames.length) {
      const chain = answer.cnames.map(normaliseName);
      const missing = expectedNames.filter((n) => !chain.includes(n));
      if (missing.length) {
        problems.push(
          chain.length
            ? `CNAME points to ${chain.join(' → ')}, expected ${expectedNames.join(', ')}`
            : `has no CNAME, expected a CNAME to ${expectedNames.join(', ')}`,
        );
      }
    }
  }
  const ttls = answer.addresses.flatMap((a) => (a.ttl === undefined ? [] : [a.ttl]));
  const ttl = ttls.length ? Math.max(...ttls) : undefined;
  if (ttl !== undefined && ttl > MAX_FAILOVER_TTL_SECONDS) {
    problems.push(
      `TTL ${ttl}s is above ${MAX_FAILOVER_TTL_SECONDS}s: resolvers keep the old answer up to ${ttl}s after a failover`,
    );
  }
  return problems;
}

/** `dns-expect`: addresses or names, comma or whitespace separated. */
export function parseDnsExpect(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** True when the entry is an IP address or a DNS name (labels of letters, digits, hyphens, underscores). */
export function isAddressOrName(entry: string): boolean {
  if (isIP(entry)) return true;
  const name = entry.replace(/\.$/, '');
  return (
    name.length > 0 &&
    name.length <= 253 &&
    name.split('.').every((l) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l))
  );
}
