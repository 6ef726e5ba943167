/**
 * failover-check end to end: the built bundle (dist/failover-check/index.js) run as the Actions runner runs it,
 * against real rating-service processes as regions, each on its own loopback address and the same port
 * (us-east-1 on 127.0.0.2, us-west-2 on 127.0.0.3, a slow eu-central-1 on 127.0.0.4), a real dnsmasq serving
 * `*.openclaw.test` with the failover record `rating.openclaw.test`, and a self-signed HTTPS endpoint made with
 * openssl. The drills' shell commands kill a region and repoint the record (rewrite the hosts file, SIGHUP
 * dnsmasq), and recover through a control endpoint of this test, which owns the region processes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, killAllManagedProcesses } from '../../service/testing/process.js';
import { runAction, type RunResult } from '../harness/runner.js';
import { startControlServer, type ControlServer } from '../support/failover/control.js';
import { hostsText, startDnsmasq, type Dnsmasq, type Records } from '../support/failover/dnsmasq.js';
import { startRegion, type Region } from '../support/failover/regions.js';
import { startSelfSignedEndpoint, type TlsEndpoint } from '../support/failover/tls.js';

const NAME = 'rating.openclaw.test';
const PRIMARY = '127.0.0.2';
const STANDBY = '127.0.0.3';
const NOBODY = '127.0.0.5';

let port: number;
let east: Region;
let west: Region;
let slow: Region;
let dns: Dnsmasq;
let tls: TlsEndpoint;
let control: ControlServer;
let dir: string;

const records = (failover: string): Records => ({
  [NAME]: [failover],
  'us-east-1.openclaw.test': [PRIMARY],
  'us-west-2.openclaw.test': [STANDBY],
  'eu-central-1.openclaw.test': ['127.0.0.4'],
  'all.openclaw.test': [PRIMARY, STANDBY],
});

/** Hosts files the drill commands copy over dnsmasq's: the record on the primary, the standby, or nobody. */
const hostsFile = (failover: string) => join(dir, `hosts-${failover}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'failover-e2e-'));
  port = await findFreePort();
  const replication = { REPLICATION_INTERVAL_MS: '200', REPLICATION_TIMEOUT_MS: '1000' };
  [east, west, slow, dns, tls] = await Promise.all([
    startRegion({
      name: 'us-east-1',
      host: PRIMARY,
      port,
      env: { PEERS: `http://${STANDBY}:${port}`, ...replication },
    }),
    startRegion({
      name: 'us-west-2',
      host: STANDBY,
      port,
      env: { PEERS: `http://${PRIMARY}:${port}`, ...replication },
    }),
    startRegion({ name: 'eu-central-1', host: '127.0.0.4', port, env: { FAULT_LATENCY_MS: '300' } }),
    startDnsmasq({ records: records(PRIMARY) }),
    startSelfSignedEndpoint(),
  ]);
  for (const target of [PRIMARY, STANDBY, NOBODY])
    writeFileSync(hostsFile(target), hostsText(records(target)));
  control = await startControlServer({ 'restart-east': () => east.restart() });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([
    east?.stop(),
    west?.stop(),
    slow?.stop(),
    dns?.stop(),
    tls?.close(),
    control?.close(),
  ]);
  killAllManagedProcesses();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const REGIONS = () => `
- name: us-east-1
  url: http://us-east-1.openclaw.test:${port}
  expect-region: us-east-1
- name: us-west-2
  url: http://us-west-2.openclaw.test:${port}
  expect-region: us-west-2
`;

interface CheckResult extends RunResult {
  report: any;
}

async function check(inputs: Record<string, string>, action = 'failover-check'): Promise<CheckResult> {
  const runnerTemp = mkdtempSync(join(dir, 'runner-temp-'));
  const result = await runAction({
    action,
    eventName: 'schedule',
    event: { schedule: '*/30 * * * *' },
    inputs: { 'dns-resolver': dns.server, ...inputs },
    env: { RUNNER_TEMP: runnerTemp },
    timeoutMs: 60_000,
  });
  const path = result.outputs['report'];
  return { ...result, report: path ? JSON.parse(readFileSync(path, 'utf8')) : undefined };
}

const errors = (result: RunResult) =>
  result.annotations.filter((a) => a.level === 'error').map((a) => a.message);

/** Log groups (`::group::title` ... `::endgroup::`) by title, with their lines. */
function groups(result: RunResult): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('::group::')) found[line.slice(9)] = current = [];
    else if (line === '::endgroup::') current = undefined;
    else current?.push(line);
  }
  return found;
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.json();
}

describe('health and SLA', () => {
  test('all regions healthy and the failover record where it should be: passes', async () => {
    const result = await check({
      regions: REGIONS(),
      sla: 'p(95)<500ms\np(99)<1s\nerror-rate<1%',
      'dns-name': NAME,
      'dns-expect': PRIMARY,
      headers: 'Authorization: Bearer t0ps3cret-value',
    });
    expect(errors(result)).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      healthy: 'true',
      'healthy-regions': '["us-east-1","us-west-2"]',
      'unhealthy-regions': '[]',
    });
    expect(result.outputs['rto-seconds']).toBeUndefined();
    expect(result.masks).toEqual(expect.arrayContaining(['Bearer t0ps3cret-value', 't0ps3cret-value']));
    const logged = result.log.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(logged.join('\n')).not.toContain('t0ps3cret-value');

    // every probe with its timing, from the region the name points at
    const [us, them] = result.report.regions;
    expect(us.addresses).toHaveLength(1);
    expect(us.addresses[0].address).toBe(PRIMARY);
    expect(us.addresses[0].samples).toHaveLength(10);
    for (const s of [...us.addresses[0].samples, ...them.addresses[0].samples]) {
      expect(s).toMatchObject({ ok: true, status: 200 });
      expect(s.latencyMs).toBeGreaterThan(0);
      expect(s.timings.connectMs).toBeGreaterThan(0);
    }
    expect(them.addresses[0].samples.map((s: any) => s.region)).toEqual(Array(10).fill('us-west-2'));
    expect(result.report.dns).toMatchObject({
      name: NAME,
      ok: true,
      answer: { addresses: [{ address: PRIMARY, ttl: 0 }] },
    });

    expect(result.summary).toContain('### ✅ Failover check: healthy · 2 of 2 regions healthy');
    expect(result.summary).toMatch(
      /\| `us-east-1` \| 127\.0\.0\.2 \| ✅ healthy \| 10\/10 \| [\d.]+ms \| [\d.]+ms \| [\d.]+ms \| — \| — \|/,
    );
    expect(result.summary).toContain('#### ✅ Failover record `rating.openclaw.test`');
    expect(result.summary).toMatch(/\| A \| `127\.0\.0\.2` \| 0 \| ✅ up 10\/10, p95 [\d.]+ms, us-east-1 \|/);
  });

  test('the root action dispatches to failover-check with its defaults', async () => {
    const result = await check({ command: 'failover-check', regions: REGIONS() }, '.');
    expect(result.exitCode).toBe(0);
    expect(result.report.settings).toMatchObject({
      timeoutMs: 2000,
      samples: 10,
      concurrency: 16,
      healthPath: '/health',
    });
    // the root action.yml's defaults of the other commands (confidence, dismiss-stale, github-token...) are set
    // by the runner for every command: they are not the step's doing, and draw no warning
    expect(result.annotations).toEqual([]);
  });

  test('the root action warns, naming them, about inputs of other commands that the step set', async () => {
    const result = await check(
      {
        command: 'failover-check',
        regions: REGIONS(),
        'plan-json': 'plan.json', // plan-comment's and apply-gate's
        label: 'us-east-1',
        confidence: '0.95', // canary-gate's, its root default being 0.99
        'dismiss-stale': 'true', // apply-gate's, at its root default: cannot be told from the runner's
        timeout: '3s', // failover-check's own (and canary-gate's)
      },
      '.',
    );
    expect(result.exitCode).toBe(0);
    expect(result.annotations).toEqual([
      {
        level: 'warning',
        message:
          'failover-check ignores 3 inputs it does not take: confidence (canary-gate), label (apply-gate, plan-comment), plan-json (apply-gate, plan-comment). They are inputs of the commands in parentheses: remove them from this step, or run those commands in steps of their own.',
      },
    ]);
    expect(result.report.settings.timeoutMs).toBe(3000);
  });

  test('latency injected in one region (FAULT_LATENCY_MS) breaks p(95) there, and says so', async () => {
    const result = await check({
      regions: `${REGIONS()}\n- { name: eu-central-1, url: "http://eu-central-1.openclaw.test:${port}", expect-region: eu-central-1 }`,
      sla: 'p(95)<150ms\nerror-rate<1%',
      samples: '5',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      healthy: 'false',
      'healthy-regions': '["us-east-1","us-west-2"]',
      'unhealthy-regions': '["eu-central-1"]',
    });
    const [message] = errors(result);
    expect(message).toMatch(
      /^Failover check failed: region eu-central-1 is unhealthy: SLA p\(95\)<150ms broken: p\(95\) = 3\d\dms over 5 successful samples; 2 of 3 regions healthy, 3 needed \(min-healthy\)$/,
    );
    const central = result.report.regions[2];
    expect(central.sla[0]).toMatchObject({ line: 'p(95)<150ms', pass: false });
    expect(central.sla[0].actual).toBeGreaterThanOrEqual(300);
    expect(central.sla[1]).toMatchObject({ line: 'error-rate<1%', pass: true });
    expect(result.summary).toMatch(
      /\| `eu-central-1` \| 127\.0\.0\.4 \| ❌ unhealthy \| 5\/5 \| 3\d\dms \| 3\d\dms \| 3\d\dms \| — \| `p\(95\)<150ms` \(p\(95\) = 3\d\dms over 5 successful samples\) \|/,
    );
  });

  test('a self-signed TLS endpoint is reported as a TLS error, by name', async () => {
    const result = await check({ regions: `- { name: edge, url: "${tls.url}" }`, samples: '3' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['unhealthy-regions']).toBe('["edge"]');
    expect(errors(result)[0]).toBe(
      'Failover check failed: region edge is unhealthy: 3 consecutive failures (TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)); 0 of 1 regions healthy, 1 needed (min-healthy)',
    );
    expect(result.report.regions[0].addresses[0].samples[0].failure).toEqual({
      kind: 'tls',
      message: 'TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(result.summary).toContain('3× TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });
});

describe('bad inputs get clear errors', () => {
  test.each([
    [
      'regions with a mistyped key',
      { regions: `- name: us-east-1\n  url: http://x:1\n  expect_region: us-east-1` },
      `Input 'regions' is "expect_region": expected keys name, url, expect-region only (entry 1 has the unknown key "expect_region").`,
    ],
    [
      'regions that are not a list',
      { regions: 'us-east-1: http://x:1' },
      `Input 'regions' is "us-east-1: http://x:1": expected a YAML list of regions, each { name, url, expect-region? }, e.g.\n- name: us-east-1\n  url: https://us-east-1.rating.example.com\n  expect-region: us-east-1.`,
    ],
    [
      'a region without a URL',
      { regions: '- name: us-east-1' },
      `Input 'regions' is "": expected an absolute http(s) URL as the url of region "us-east-1" (entry 1).`,
    ],
    [
      'an SLA line in an unknown syntax',
      { regions: '- { name: a, url: "http://x:1" }', sla: 'p(95)<150ms\np95 under 200ms' },
      `Input 'sla' is "p95 under 200ms": expected one assertion a line, in one of these forms: p(95)<150ms, p(99.9)<=1s, avg<100ms, med<80ms, min>1ms, max<2s, error-rate<1%, rate<0.01, availability>=99% (p(N) with 0 < N ≤ 100; operators <, <=, >, >=; latencies in ms, s or m, a bare number being milliseconds as in k6; rates as a percentage or a fraction; error-rate and rate are the share of failed samples, availability the share of successful ones).`,
    ],
  ])('%s', async (_name, inputs, message) => {
    const result = await check(inputs);
    expect(result.exitCode).toBe(1);
    expect(errors(result)).toEqual([message]);
    expect(result.outputs).toEqual({});
  });
});

describe('drills', () => {
  test('inject kills us-east-1 and repoints the record: RTO measured, state kept, us-east-1 restored by recover', async () => {
    // a rating written in us-east-1, replicated to us-west-2 before the drill
    const stateUrl = `http://${NAME}:${port}/v1/subjects/lamp-42/rating`;
    const posted = await fetch(`${east.url}/v1/subjects/lamp-42/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'evt-drill-1', actor: 'user-1', stars: 5 }),
    });
    expect(posted.status).toBe(201);
    const deadline = Date.now() + 10_000;
    while ((await getJson(`${west.url}/v1/subjects/lamp-42/rating`)).count !== 1) {
      if (Date.now() > deadline) throw new Error('the rating did not replicate to us-west-2');
      await new Promise((r) => setTimeout(r, 50));
    }
    const calls = control.calls.length;
    const result = await check({
      regions: REGIONS(),
      'dns-name': NAME,
      'dns-expect': PRIMARY,
      // the region dies at once; the record moves to the standby 1.5 s later (health checks, TTL...)
      'drill-inject': [
        `kill -9 ${east.pid}`,
        `(sleep 1.5; cp ${hostsFile(STANDBY)} ${dns.hostsFile}; kill -HUP ${dns.pid}) >/dev/null 2>&1 &`,
        'echo "us-east-1 killed; the record moves in 1.5s"',
      ].join('\n'),
      'drill-recover': [
        `cp ${hostsFile(PRIMARY)} ${dns.hostsFile}`,
        `kill -HUP ${dns.pid}`,
        `curl -fsS -X POST ${control.url}/restart-east`,
      ].join('\n'),
      'drill-url': `http://${NAME}:${port}`,
      'drill-expect-region': 'us-west-2',
      'drill-interval': '200ms',
      'drill-stable': '5',
      'drill-timeout': '20s',
      'rto-max': '10s',
      'drill-state-url': stateUrl,
    });
    expect(errors(result)).toEqual([]);
    expect(result.exitCode).toBe(0);
    const rto = Number(result.outputs['rto-seconds']);
    const first = Number(result.outputs['first-success-seconds']);
    expect(rto).toBeGreaterThanOrEqual(1.5);
    expect(rto).toBeLessThan(6);
    expect(first).toBeGreaterThanOrEqual(1.5);
    expect(first).toBeLessThanOrEqual(rto);

    const drill = result.report.drill;
    expect(drill.status).toBe('passed');
    // before the record moved: the dead primary, named; after: the standby, from its address
    const firstProbe = drill.probes[0];
    expect(firstProbe).toMatchObject({ success: false, addresses: [PRIMARY] });
    // (the first may meet the dying process and be reset; then the port is closed)
    const failures = drill.probes
      .filter((p: any) => !p.success)
      .map((p: any) => p.results[0].failure.message);
    expect(failures.length).toBeGreaterThanOrEqual(5);
    expect(new Set(failures)).toContain('connection refused');
    for (const f of failures) expect(['connection refused', 'connection reset by the server']).toContain(f);
    const last = drill.probes.at(-1);
    expect(last).toMatchObject({ success: true, addresses: [STANDBY], regions: ['us-west-2'], streak: 5 });
    for (const p of drill.probes) {
      expect(p.atSeconds).toBeGreaterThanOrEqual(0);
      expect(p.results[0].timings.dnsMs).toBeGreaterThanOrEqual(0);
    }
    expect(drill.stateMatch).toBe(true);
    expect(drill.stateBefore.address).toBe(PRIMARY);
    expect(drill.stateAfter.address).toBe(STANDBY);
    expect(JSON.parse(drill.stateAfter.body)).toMatchObject({ subject: 'lamp-42', count: 1 });
    expect(drill.steadyAfter.ok).toBe(true);

    // recover ran and restored us-east-1
    expect(control.calls.slice(calls)).toEqual(['restart-east']);
    expect(await getJson(`${east.url}/health`)).toMatchObject({ status: 'ok', region: 'us-east-1' });
    expect(await dns.resolve4(NAME)).toEqual([PRIMARY]);

    const logGroups = groups(result);
    const inject = Object.keys(logGroups).find((t) => t.startsWith('drill-inject: '))!;
    const recover = Object.keys(logGroups).find((t) => t.startsWith('drill-recover: '))!;
    expect(logGroups[inject]).toContain('us-east-1 killed; the record moves in 1.5s');
    expect(logGroups[inject]!.at(-1)).toMatch(/^drill-inject: exit code 0 after/);
    expect(logGroups[recover]).toContain('restart-east: done');

    expect(result.summary).toContain('#### ✅ Drill: passed');
    expect(result.summary).toContain('```mermaid\nxychart-beta');
    expect(result.summary).toMatch(/\| \*\*RTO\*\*: first of 5 successes in a row \| \*\*[\d.]+ s\*\* \|/);
    expect(result.summary).toContain('✅ the same before the fault and after the failover');
  }, 60_000);

  test('the standby never answers: the drill times out, still recovers, and fails', async () => {
    const calls = control.calls.length;
    const result = await check({
      regions: REGIONS(),
      'dns-name': NAME,
      'dns-expect': PRIMARY,
      'drill-inject': `kill -9 ${east.pid} && cp ${hostsFile(NOBODY)} ${dns.hostsFile} && kill -HUP ${dns.pid}`,
      'drill-recover': `cp ${hostsFile(PRIMARY)} ${dns.hostsFile} && kill -HUP ${dns.pid} && curl -fsS -X POST ${control.url}/restart-east`,
      'drill-url': `http://${NAME}:${port}`,
      'drill-expect-region': 'us-west-2',
      'drill-interval': '200ms',
      // also the bound on recover, which restarts us-east-1: a loaded 2-core machine needs more than 2 s for that
      'drill-timeout': '5s',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['rto-seconds']).toBeUndefined();
    expect(result.outputs['first-success-seconds']).toBeUndefined();
    expect(result.outputs['healthy']).toBe('true'); // before the drill
    expect(errors(result)[0]).toMatch(
      /^Failover check failed: the drill timed out: no 5 successes in a row from us-west-2 within drill-timeout 5s \(\d+ probes, 0 succeeded; last: 127\.0\.0\.5: connection refused\)$/,
    );
    expect(result.report.drill).toMatchObject({
      status: 'failed',
      timedOut: true,
      steadyAfter: { ok: true },
    });
    expect(result.report.drill.recover.exitCode).toBe(0);
    expect(control.calls.slice(calls)).toEqual(['restart-east']);
    expect(Object.keys(groups(result)).some((t) => t.startsWith('drill-recover: '))).toBe(true);
    expect(await getJson(`${east.url}/health`)).toMatchObject({ status: 'ok' });
    expect(result.summary).toContain('#### ❌ Drill: failed');
  }, 60_000);

  test('no steady state: the drill does not start and nothing is injected', async () => {
    const marker = join(dir, 'injected');
    const result = await check({
      regions: `${REGIONS()}\n- { name: nowhere, url: "http://${NOBODY}:${port}" }`,
      samples: '3',
      'min-healthy': '2',
      'drill-inject': `touch ${marker}`,
      'drill-recover': 'true',
      'drill-url': `http://${NAME}:${port}`,
    });
    expect(result.exitCode).toBe(1);
    expect(errors(result)[0]).toMatch(
      /^Failover check failed: the drill did not start: no steady state before it \(region nowhere is unhealthy: 3 consecutive failures \(connection refused\)\)$/,
    );
    expect(() => readFileSync(marker)).toThrow();
  });
});

describe('a region down', () => {
  test('us-east-1 killed: the check fails naming it, and the dead address behind the shared name', async () => {
    await east.kill();
    try {
      const inputs = {
        regions: `${REGIONS()}\n- { name: global, url: "http://all.openclaw.test:${port}" }`,
        'dns-name': NAME,
        'dns-expect': PRIMARY,
      };
      const result = await check(inputs);
      expect(result.exitCode).toBe(1);
      expect(result.outputs).toMatchObject({
        healthy: 'false',
        'healthy-regions': '["us-west-2"]',
        'unhealthy-regions': '["us-east-1","global"]',
      });
      const [message] = errors(result);
      expect(message).toContain(
        'region us-east-1 is unhealthy: 10 consecutive failures (connection refused)',
      );
      expect(message).toContain(
        'region global is unhealthy: address 127.0.0.2 is down: 10 consecutive failures (connection refused)',
      );
      expect(message).toContain(
        'the failover record rating.openclaw.test: address 127.0.0.2 is down: 10 consecutive failures (connection refused)',
      );
      expect(result.summary).toMatch(
        /\| `us-east-1` \| 127\.0\.0\.2 \| ❌ unhealthy \| 0\/10 \| — \| — \| — \| 10× connection refused \|/,
      );
      expect(result.summary).toMatch(
        /\| A \| `127\.0\.0\.2` \| 0 \| ❌ down 0\/10: 10× connection refused \|/,
      );

      // with min-healthy 1 and no DNS check, the same outage passes with a warning
      const lenient = await check({ regions: REGIONS(), 'min-healthy': '1' });
      expect(lenient.exitCode).toBe(0);
      expect(lenient.outputs).toMatchObject({ healthy: 'true', 'unhealthy-regions': '["us-east-1"]' });
      expect(lenient.annotations).toContainEqual({
        level: 'warning',
        message: 'region us-east-1 is unhealthy: 10 consecutive failures (connection refused)',
      });
    } finally {
      await east.restart();
    }
  }, 60_000);
});
