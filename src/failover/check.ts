/**
 * The health check: resolve every region's name (every address is a target of its own), probe every target
 * `samples` times through one pool of at most `concurrency` probes in flight, and judge each region from all its
 * samples; the failover record (`dns-name`) is queried, compared with `dns-expect`, and each address it answers
 * is probed the same way. Samples of one address run one after another (at most one in flight per address), as a
 * health checker's do: "consecutive failures" means what it says, and the probe does not load what it measures.
 */
import { judgeDnsAnswer } from './dns-check.js';
import {
  judgeAddresses,
  judgeRegion,
  FAILURE_THRESHOLD,
  type AddressResult,
  type RegionVerdict,
} from './health.js';
import type { Clock, ProbeResult, RegionSpec } from './model.js';
import type { Prober, StatusMatcher } from './probe.js';
import { DnsFailure, queryDns, urlHost, type DnsAnswer, type HostResolver } from './resolve.js';
import type { SlaAssertion } from './sla.js';

export interface CheckSettings {
  healthPath: string;
  expectedStatus: StatusMatcher;
  bodyMatch?: RegExp;
  timeoutMs: number;
  samples: number;
  concurrency: number;
  headers: Record<string, string>;
  sla: SlaAssertion[];
  /** Regions that must be healthy for the check to pass. */
  minHealthy: number;
}

export interface DnsSpec {
  name: string;
  /** `ip[:port]` of the DNS server; undefined: the system's DNS servers. */
  server?: string;
  expect?: string[];
  /** The URL whose scheme, port and path probe each address the name answers (host = the name). */
  probeUrl: URL;
}

export interface CheckDeps {
  resolver: HostResolver;
  prober: Prober;
  clock: Clock;
  /** Queries the failover record (tests may replace it); defaults to a direct DNS query. */
  queryDns?: typeof queryDns;
}

/** The URL a region is probed at: its own path when it has one other than `/`, else `health-path`. */
export function probeUrl(base: string, healthPath: string): URL {
  const url = new URL(base);
  if (url.pathname === '/' || url.pathname === '') {
    const path = healthPath.startsWith('/') ? healthPath : `/${healthPath}`;
    const withQuery = new URL(path, url);
    url.pathname = withQuery.pathname;
    if (withQuery.search) url.search = withQuery.search;
  }
  return url;
}

/** A FIFO limit on work in flight. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface Resolution {
  host: string;
  addresses: string[];
  attempts: { ok: boolean; error?: string; ms: number }[];
  /** Set when every attempt failed: `DNS failure: NXDOMAIN (no such name) (3 attempts)`. */
  problem?: string;
}

/** Resolves a host, trying up to FAILURE_THRESHOLD times: one failed lookup does not make a region down. */
export async function resolveWithRetries(
  host: string,
  deps: Pick<CheckDeps, 'resolver' | 'clock'>,
  timeoutMs: number,
): Promise<Resolution> {
  const attempts: Resolution['attempts'] = [];
  let last: DnsFailure | undefined;
  for (let i = 0; i < FAILURE_THRESHOLD; i++) {
    const start = deps.clock.now();
    try {
      const found = await deps.resolver.resolve(host, timeoutMs);
      attempts.push({ ok: true, ms: deps.clock.now() - start });
      return { host, addresses: [...new Set(found.map((a) => a.address))], attempts };
    } catch (error) {
      last = error instanceof DnsFailure ? error : new DnsFailure(host, String(error));
      attempts.push({ ok: false, error: last.toFailure().message, ms: deps.clock.now() - start });
      if (i < FAILURE_THRESHOLD - 1) await deps.clock.sleep(200);
    }
  }
  return {
    host,
    addresses: [],
    attempts,
    problem: `${last!.toFailure().message} for ${host} (${attempts.length} attempts)`,
  };
}

interface Target {
  url: URL;
  address: string;
  expectRegion?: string;
}

/** Probes every target `samples` times, samples of one target in order, at most `limit` probes in flight. */
export async function sampleTargets(
  targets: readonly Target[],
  settings: Pick<CheckSettings, 'samples' | 'timeoutMs' | 'expectedStatus' | 'bodyMatch' | 'headers'>,
  prober: Prober,
  limit: Semaphore,
): Promise<ProbeResult[][]> {
  return Promise.all(
    targets.map(async (target) => {
      const results: ProbeResult[] = [];
      for (let i = 0; i < settings.samples; i++) {
        results.push(
          await limit.run(() =>
            prober({
              url: target.url,
              address: target.address,
              headers: settings.headers,
              timeoutMs: settings.timeoutMs,
              expectedStatus: settings.expectedStatus,
              ...(settings.bodyMatch ? { bodyMatch: settings.bodyMatch } : {}),
              ...(target.expectRegion !== undefined ? { expectRegion: target.expectRegion } : {}),
            }),
          ),
        );
      }
      return results;
    }),
  );
}

export interface RegionReport {
  name: string;
  url: string;
  host: string;
  expectRegion?: string;
  resolution: Resolution;
  addresses: AddressResult[];
  verdict: RegionVerdict;
}

export interface DnsReport {
  name: string;
  resolver: string;
  expected?: string[];
  answer?: DnsAnswer;
  /** The query failed: `DNS failure: NXDOMAIN (no such name)`. */
  error?: string;
  problems: string[];
  probeUrl: string;
  addresses: AddressResult[];
  ok: boolean;
}

export interface HealthReport {
  startedAt: string;
  finishedAt: string;
  regions: RegionReport[];
  dns?: DnsReport;
  healthyRegions: string[];
  unhealthyRegions: string[];
  /** Enough regions healthy, and the failover record as expected. */
  healthy: boolean;
  /** Everything that is wrong, one line each (also when `healthy`: a region down under min-healthy). */
  problems: string[];
}

export async function runHealthCheck(
  regions: readonly RegionSpec[],
  dns: DnsSpec | undefined,
  settings: CheckSettings,
  deps: CheckDeps,
): Promise<HealthReport> {
  const startedAt = new Date().toISOString();
  const limit = new Semaphore(settings.concurrency);
  const urls = regions.map((r) => probeUrl(r.url, settings.healthPath));
  const query = deps.queryDns ?? queryDns;
  const [resolutions, dnsAnswer] = await Promise.all([
    Promise.all(urls.map((u) => resolveWithRetries(urlHost(u), deps, settings.timeoutMs))),
    dns
      ? query(dns.name, dns.server, settings.timeoutMs).then(
          (answer) => ({ answer }),
          (error: unknown) => ({
            error: error instanceof DnsFailure ? error.toFailure().message : `DNS failure: ${String(error)}`,
          }),
        )
      : undefined,
  ]);

  const targets: Target[] = [];
  const regionTargets = regions.map((region, i) =>
    resolutions[i]!.addresses.map((address) => {
      const target: Target = {
        url: urls[i]!,
        address,
        ...(region.expectRegion !== undefined ? { expectRegion: region.expectRegion } : {}),
      };
      targets.push(target);
      return target;
    }),
  );
  const dnsTargets =
    dns && dnsAnswer && 'answer' in dnsAnswer
      ? [...new Set(dnsAnswer.answer.addresses.map((a) => a.address))].map((address) => {
          const target: Target = { url: dns.probeUrl, address };
          targets.push(target);
          return target;
        })
      : [];
  const sampled = await sampleTargets(targets, settings, deps.prober, limit);
  const samplesOf = new Map(targets.map((t, i) => [t, sampled[i]!]));

  const regionReports: RegionReport[] = regions.map((region, i) => {
    const addresses = judgeAddresses(
      regionTargets[i]!.map((t) => ({ address: t.address, samples: samplesOf.get(t)! })),
      settings.sla,
    );
    const resolution = resolutions[i]!;
    return {
      name: region.name,
      url: urls[i]!.toString(),
      host: resolution.host,
      ...(region.expectRegion !== undefined ? { expectRegion: region.expectRegion } : {}),
      resolution,
      addresses,
      verdict: judgeRegion(addresses, settings.sla, resolution.problem),
    };
  });

  let dnsReport: DnsReport | undefined;
  if (dns && dnsAnswer) {
    const addresses = judgeAddresses(
      dnsTargets.map((t) => ({ address: t.address, samples: samplesOf.get(t)! })),
      [],
    );
    const problems = 'answer' in dnsAnswer ? judgeDnsAnswer(dnsAnswer.answer, dns.expect) : [dnsAnswer.error];
    for (const a of addresses) {
      if (a.verdict.down) problems.push(`address ${a.address} is down: ${a.verdict.reasons.join('; ')}`);
    }
    dnsReport = {
      name: dns.name,
      resolver: dns.server ? `DNS server ${dns.server}` : "the system's DNS servers",
      ...(dns.expect ? { expected: dns.expect } : {}),
      ...('answer' in dnsAnswer ? { answer: dnsAnswer.answer } : { error: dnsAnswer.error }),
      problems,
      probeUrl: dns.probeUrl.toString(),
      addresses,
      ok: problems.length === 0,
    };
  }

  const healthyRegions = regionReports.filter((r) => r.verdict.status === 'healthy').map((r) => r.name);
  const unhealthyRegions = regionReports.filter((r) => r.verdict.status !== 'healthy').map((r) => r.name);
  const problems: string[] = [];
  for (const r of regionReports) {
    if (r.verdict.status !== 'healthy')
      problems.push(`region ${r.name} is unhealthy: ${r.verdict.reasons.join('; ')}`);
  }
  const enough = healthyRegions.length >= settings.minHealthy;
  if (!enough) {
    problems.push(
      `${healthyRegions.length} of ${regions.length} regions healthy, ${settings.minHealthy} needed (min-healthy)`,
    );
  }
  if (dnsReport && !dnsReport.ok)
    problems.push(`the failover record ${dns!.name}: ${dnsReport.problems.join('; ')}`);
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    regions: regionReports,
    ...(dnsReport ? { dns: dnsReport } : {}),
    healthyRegions,
    unhealthyRegions,
    healthy: enough && (dnsReport?.ok ?? true),
    problems,
  };
}
