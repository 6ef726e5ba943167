/**
 * The health check end to end in-process: real HTTP endpoints on loopback addresses behind a real dnsmasq, every
 * address of a name probed on its own (the dead one named), the concurrency bound held, samples of one address
 * one after another.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { startDnsmasq, type Dnsmasq } from '../../test/support/failover/dnsmasq.js';
import { findFreePort } from '../../service/testing/process.js';
import { probeUrl, runHealthCheck, Semaphore, type CheckSettings } from './check.js';
import { systemClock, type ProbeResult } from './model.js';
import { httpProber, parseStatusMatcher, type Prober } from './probe.js';
import { serverResolver, type HostResolver } from './resolve.js';
import { parseSla } from './sla.js';

let dns: Dnsmasq;
let port: number;
let up: Server;

beforeAll(async () => {
  port = await findFreePort();
  up = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', region: 'us-east-1' }));
  });
  await new Promise<void>((resolve) => up.listen(port, '127.0.0.2', resolve));
  dns = await startDnsmasq({
    records: {
      'us-east-1.openclaw.test': ['127.0.0.2'],
      'us-west-2.openclaw.test': ['127.0.0.3'], // nothing listens there
      'all.openclaw.test': ['127.0.0.2', '127.0.0.3'],
      'rating.openclaw.test': ['127.0.0.2', '127.0.0.3'],
    },
  });
});

afterAll(async () => {
  up.closeAllConnections();
  await new Promise((r) => up.close(r));
  await dns.stop();
});

const settings = (extra: Partial<CheckSettings> = {}): CheckSettings => ({
  healthPath: '/health',
  expectedStatus: parseStatusMatcher('200')!,
  timeoutMs: 1000,
  samples: 5,
  concurrency: 16,
  headers: {},
  sla: parseSla('p(95)<500ms\nerror-rate<=10%'),
  minHealthy: 2,
  ...extra,
});

describe('runHealthCheck', () => {
  it('probes every address of a name on its own and names the dead one', async () => {
    const report = await runHealthCheck(
      [
        { name: 'us-east-1', url: `http://us-east-1.openclaw.test:${port}`, expectRegion: 'us-east-1' },
        { name: 'global', url: `http://all.openclaw.test:${port}` },
        { name: 'typo', url: `http://us-esat-1.openclaw.test:${port}` },
      ],
      {
        name: 'rating.openclaw.test',
        server: dns.server,
        expect: ['127.0.0.2'],
        probeUrl: new URL(`http://rating.openclaw.test:${port}/health`),
      },
      settings({ minHealthy: 1 }),
      { resolver: serverResolver(dns.server), prober: httpProber, clock: systemClock },
    );
    expect(report.healthyRegions).toEqual(['us-east-1']);
    expect(report.unhealthyRegions).toEqual(['global', 'typo']);
    expect(report.healthy).toBe(false); // the failover record is wrong
    const global = report.regions[1]!;
    expect(global.resolution.addresses.sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(global.verdict.reasons).toEqual([
      'address 127.0.0.3 is down: 5 consecutive failures (connection refused)',
    ]);
    expect(global.addresses.find((a) => a.address === '127.0.0.2')!.verdict.down).toBe(false);
    const typo = report.regions[2]!;
    expect(typo.verdict.reasons).toEqual([
      'DNS failure: NXDOMAIN (no such name) for us-esat-1.openclaw.test (3 attempts)',
    ]);
    expect(report.dns!.problems).toEqual([
      'answers 127.0.0.2, 127.0.0.3, expected 127.0.0.2 (unexpected 127.0.0.3)',
      'address 127.0.0.3 is down: 5 consecutive failures (connection refused)',
    ]);
    expect(report.problems).toContain(
      'the failover record rating.openclaw.test: answers 127.0.0.2, 127.0.0.3, expected 127.0.0.2 (unexpected 127.0.0.3); address 127.0.0.3 is down: 5 consecutive failures (connection refused)',
    );
  });

  it('keeps at most `concurrency` probes in flight, and one per address, samples in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const perAddress = new Map<string, number>();
    let maxPerAddress = 0;
    const order: string[] = [];
    const prober: Prober = async (request) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const n = (perAddress.get(request.address) ?? 0) + 1;
      perAddress.set(request.address, n);
      maxPerAddress = Math.max(maxPerAddress, n);
      order.push(request.address);
      await new Promise((r) => setTimeout(r, 2));
      perAddress.set(request.address, n - 1);
      inFlight--;
      return {
        url: request.url.toString(),
        address: request.address,
        startedAt: Date.now(),
        ok: true,
        status: 200,
        timings: { totalMs: 2 },
      } satisfies ProbeResult;
    };
    const resolver: HostResolver = {
      describe: () => 'fake',
      resolve: async (host) => [{ address: host, family: 4 }],
    };
    const regions = Array.from({ length: 40 }, (_, i) => ({ name: `r${i}`, url: `http://10.0.${i}.1/` }));
    const report = await runHealthCheck(
      regions,
      undefined,
      settings({ samples: 4, concurrency: 7, minHealthy: 40 }),
      {
        resolver,
        prober,
        clock: systemClock,
      },
    );
    expect(report.healthy).toBe(true);
    expect(maxInFlight).toBe(7);
    expect(maxPerAddress).toBe(1);
    expect(order).toHaveLength(160);
  });
});

describe('probeUrl', () => {
  it('appends health-path to a bare base URL and keeps a URL that has its own path', () => {
    expect(probeUrl('https://a.example.com', '/health').toString()).toBe('https://a.example.com/health');
    expect(probeUrl('https://a.example.com/', '/health?deep=1').toString()).toBe(
      'https://a.example.com/health?deep=1',
    );
    expect(probeUrl('https://a.example.com/ready', '/health').toString()).toBe('https://a.example.com/ready');
  });
});

describe('Semaphore', () => {
  it('runs in order of arrival when full', async () => {
    const limit = new Semaphore(1);
    const done: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limit.run(async () => void done.push(n))));
    expect(done).toEqual([1, 2, 3]);
  });
});
