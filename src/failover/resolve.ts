/**
 * Name resolution done by the check itself, so every address behind a name is probed on its own (unlike
 * blackbox_exporter, which resolves and probes one address per probe) and a repointed record is seen as soon as
 * its TTL allows. Two resolvers: a DNS server given as `ip[:port]` (Node's c-ares `Resolver`, no cache), or the
 * system resolver (`getaddrinfo` through `dns.lookup`, which honours /etc/hosts). Failures are named the way
 * DNS names them: NXDOMAIN, SERVFAIL, no answer, timeout.
 */
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ProbeFailure } from './model.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
  /** Seconds, when the resolver reports it (DNS server queries do; the system resolver does not). */
  ttl?: number;
}

export interface HostResolver {
  /** Every address of `host` (an IP literal resolves to itself). Throws DnsFailure. */
  resolve(host: string, timeoutMs: number): Promise<ResolvedAddress[]>;
  /** `the system resolver` or `DNS server 127.0.0.1:5353`, for the report. */
  describe(): string;
}

/** A resolution that failed, with the DNS name of the failure. */
export class DnsFailure extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`DNS failure: ${reason} (${host})`);
    this.name = 'DnsFailure';
  }

  toFailure(): ProbeFailure {
    return { kind: 'dns', message: `DNS failure: ${this.reason}`, ...(this.code ? { code: this.code } : {}) };
  }
}

/** The DNS name of a resolver error code (c-ares and getaddrinfo codes as Node reports them). */
export function dnsReason(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return 'NXDOMAIN (no such name)';
    case 'ESERVFAIL':
      return 'SERVFAIL';
    case 'ENODATA':
    case 'EAI_NODATA':
      return 'no answer (the name has no address records)';
    case 'ETIMEOUT':
      return 'timeout (the DNS server did not answer)';
    case 'EAI_AGAIN':
      return 'temporary failure (EAI_AGAIN: the resolver could not reach a DNS server)';
    case 'ECONNREFUSED':
      return 'the DNS server refused the query (ECONNREFUSED)';
    case 'EREFUSED':
      return 'REFUSED';
    case 'EBADRESP':
    case 'EFORMERR':
      return 'malformed answer';
    default:
      return code ? `resolution failed (${code})` : 'resolution failed';
  }
}

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353` → the form `Resolver.setServers` takes; undefined if not one. */
export function parseResolverAddress(text: string): string | undefined {
  const t = text.trim();
  if (isIP(t)) return t;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(t);
  if (v6 && isIP(v6[1]!) === 6) {
    if (v6[2] === undefined) return v6[1]!;
    return validPort(v6[2]) ? `[${v6[1]}]:${Number(v6[2])}` : undefined;
  }
  const v4 = /^([0-9.]+):(\d{1,5})$/.exec(t);
  if (v4 && isIP(v4[1]!) === 4 && validPort(v4[2]!)) return `${v4[1]}:${Number(v4[2])}`;
  return undefined;
}

function validPort(text: string): boolean {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DnsFailure(host, dnsReason('ETIMEOUT'), 'ETIMEOUT')), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function literal(host: string): ResolvedAddress[] | undefined {
  const family = isIP(host);
  return family ? [{ address: host, family: family as 4 | 6 }] : undefined;
}

/** The system resolver: getaddrinfo with every address (what a client on the runner would get, /etc/hosts included). */
export function systemResolver(): HostResolver {
  return {
    describe: () => 'the system resolver',
    async resolve(host, timeoutMs) {
      const fixed = literal(host);
      if (fixed) return fixed;
      try {
        const found = await withTimeout(lookup(host, { all: true, verbatim: true }), timeoutMs, host);
        if (found.length === 0) throw new DnsFailure(host, dnsReason('ENODATA'), 'ENODATA');
        return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
      } catch (error) {
        if (error instanceof DnsFailure) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        throw new DnsFailure(host, dnsReason(code), code);
      }
    },
  };
}

/** Answers of one name from a DNS server: its CNAME chain and its A and AAAA records with their TTLs. */
export interface DnsAnswer {
  cnames: string[];
  addresses: ResolvedAddress[];
}

/**
 * Queries a DNS server (or the system's DNS servers, from resolv.conf, when `server` is undefined) directly,
 * without a cache: A and AAAA with TTLs, and the CNAME chain. Throws DnsFailure when neither family answers.
 */
export async function queryDns(
  host: string,
  server: string | undefined,
  timeoutMs: number,
): Promise<DnsAnswer> {
  const fixed = literal(host);
  if (fixed) return { cnames: [], addresses: fixed };
  const resolver = new Resolver({ timeout: Math.max(50, Math.min(timeoutMs, 5000)), tries: 2 });
  if (server) resolver.setServers([server]);
  const query = async (): Promise<DnsAnswer> => {
    const [v4, v6] = await Promise.allSettled([
      resolver.resolve4(host, { ttl: true }),
      resolver.resolve6(host, { ttl: true }),
    ]);
    const addresses: ResolvedAddress[] = [];
    if (v4.status === 'fulfilled') for (const a of v4.value) addresses.push({ ...a, family: 4 });
    if (v6.status === 'fulfilled') for (const a of v6.value) addresses.push({ ...a, family: 6 });
    if (addresses.length === 0) {
      const codes = [v4, v6].map((r) =>
        r.status === 'rejected' ? (r.reason as NodeJS.ErrnoException).code : 'ENODATA',
      );
      // the more telling of the two: a hard failure over "this family has no records"
      const code = codes.find((c) => c !== 'ENODATA') ?? 'ENODATA';
      throw new DnsFailure(host, dnsReason(code), code);
    }
    const cnames: string[] = [];
    let name = host;
    for (let i = 0; i < 8; i++) {
      try {
        const [target] = await resolver.resolveCname(name);
        if (!target || cnames.includes(target)) break;
        cnames.push(target);
        name = target;
      } catch {
        break;
      }
    }
    return { cnames, addresses };
  };
  try {
    return await withTimeout(query(), timeoutMs, host);
  } finally {
    resolver.cancel();
  }
}

/** A DNS server given as `ip[:port]`: every resolution is a fresh query (no cache), so TTL 0 records move at once. */
export function serverResolver(server: string): HostResolver {
  return {
    describe: () => `DNS server ${server}`,
    async resolve(host, timeoutMs) {
      return (await queryDns(host, server, timeoutMs)).addresses;
    },
  };
}

/** The hostname of a URL without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
