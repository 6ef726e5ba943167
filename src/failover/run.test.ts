/**
 * The whole failover check on a small fake world (names, addresses that answer or refuse, drill commands that
 * take a region down and repoint the entry name): the verdict (what fails the step, what only warns), the drill
 * wired to the health check before and after recover, its commands grouped in the log and run in the
 * workspace, and the small decisions around it (secrets, where the failover record is probed, group titles).
 */
import { describe, expect, it } from '@jest/globals';
import { sample } from '../../test/support/failover/samples.js';
import type { Clock } from './model.js';
import { parseStatusMatcher, type Prober } from './probe.js';
import { failoverOutputs, verdictMessage, warningsOf } from './report.js';
import { DnsFailure, type HostResolver } from './resolve.js';
import {
  commandTitle,
  dnsProbeUrl,
  headerSecrets,
  runFailoverCheck,
  type FailoverDeps,
  type FailoverPlan,
} from './run.js';
import type { ShellOptions, ShellResult } from './shell.js';

class FakeClock implements Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms);
  }
}

/** us-east-1 at 10.0.0.1, us-west-2 at 10.0.0.2, the entry name on the primary; `down` addresses refuse. */
function world(options: { recoverExit?: number } = {}) {
  const clock = new FakeClock();
  const names: Record<string, string[]> = {
    'us-east-1.test': ['10.0.0.1'],
    'us-west-2.test': ['10.0.0.2'],
    'rating.test': ['10.0.0.1'],
  };
  const regionOf: Record<string, string> = { '10.0.0.1': 'us-east-1', '10.0.0.2': 'us-west-2' };
  const down = new Set<string>();
  const logs: string[] = [];
  const groups: string[] = [];
  const shellCalls: { command: string; options: ShellOptions }[] = [];
  const probedUrls = new Set<string>();
  const resolver: HostResolver = {
    resolve: async (host) => {
      const addresses = names[host];
      if (!addresses) throw new DnsFailure(host, 'NXDOMAIN (no such name)', 'ENOTFOUND');
      return addresses.map((address) => ({ address, family: 4 as const }));
    },
    describe: () => 'the fake resolver',
  };
  const prober: Prober = async (request) => {
    probedUrls.add(request.url.toString());
    clock.t += 10;
    return down.has(request.address)
      ? sample(false, 1, { address: request.address })
      : sample(true, 10, { address: request.address, region: regionOf[request.address]! });
  };
  const run = async (command: string, shell: ShellOptions): Promise<ShellResult> => {
    shellCalls.push({ command, options: shell });
    shell.onLine?.(`ran ${command}`);
    let exitCode = 0;
    if (command === 'inject') {
      down.add('10.0.0.1');
      names['rating.test'] = ['10.0.0.2'];
    } else if (command === 'recover') {
      exitCode = options.recoverExit ?? 0;
      if (exitCode === 0) {
        down.delete('10.0.0.1');
        names['rating.test'] = ['10.0.0.1'];
      }
    }
    return { command, exitCode, timedOut: false, startedAt: clock.t, durationMs: 5, output: '' };
  };
  const deps: FailoverDeps = {
    resolver,
    prober,
    clock,
    shell: { run },
    workspace: '/work/space',
    env: { DRILL: 'yes' },
    log: (message) => logs.push(message),
    group: async (title, body) => {
      groups.push(title);
      return body();
    },
  };
  return { deps, logs, groups, shellCalls, down, probedUrls };
}

const plan = (extra: Partial<FailoverPlan> = {}): FailoverPlan => ({
  regions: [
    { name: 'us-east-1', url: 'http://us-east-1.test/', expectRegion: 'us-east-1' },
    { name: 'us-west-2', url: 'http://us-west-2.test/', expectRegion: 'us-west-2' },
  ],
  healthPath: '/health',
  expectedStatus: parseStatusMatcher('200')!,
  timeoutMs: 1000,
  samples: 3,
  concurrency: 4,
  headers: {},
  sla: [],
  minHealthy: 2,
  ...extra,
});

const drill = {
  inject: 'inject',
  recover: 'recover',
  url: 'http://rating.test/',
  expectRegion: 'us-west-2',
  intervalMs: 100,
  stable: 3,
  timeoutMs: 10_000,
};

describe('runFailoverCheck', () => {
  it('every region healthy: passes, with the settings echoed and every region logged', async () => {
    const w = world();
    const report = await runFailoverCheck(plan(), w.deps);
    expect(report.passed).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.settings).toMatchObject({
      healthPath: '/health',
      expectedStatus: '200',
      samples: 3,
      resolver: 'the fake resolver',
    });
    expect(w.logs[0]).toBe(
      'Probing 2 regions: 3 samples per address, at most 4 in flight, names resolved by the fake resolver.',
    );
    expect(w.logs.slice(1)).toEqual([
      expect.stringMatching(/^us-east-1 \(10\.0\.0\.1\): healthy, 3\/3 ok, p50 /),
      expect.stringMatching(/^us-west-2 \(10\.0\.0\.2\): healthy, 3\/3 ok, p50 /),
    ]);
    expect(failoverOutputs(report)).toEqual({
      healthy: 'true',
      'healthy-regions': '["us-east-1","us-west-2"]',
      'unhealthy-regions': '[]',
    });
    expect(verdictMessage(report)).toBe('Failover check passed: 2 of 2 regions healthy.');
  });

  it('a region down: fails the step; under min-healthy the same outage only warns', async () => {
    const strict = world();
    strict.down.add('10.0.0.1');
    const failed = await runFailoverCheck(plan(), strict.deps);
    expect(failed.passed).toBe(false);
    expect(failed.problems).toEqual([
      'region us-east-1 is unhealthy: 3 consecutive failures (connection refused)',
      '1 of 2 regions healthy, 2 needed (min-healthy)',
    ]);
    expect(warningsOf(failed)).toEqual([]);
    expect(verdictMessage(failed)).toBe(`Failover check failed: ${failed.problems.join('; ')}`);

    const lenient = world();
    lenient.down.add('10.0.0.1');
    const passed = await runFailoverCheck(plan({ minHealthy: 1 }), lenient.deps);
    expect(passed.passed).toBe(true);
    expect(passed.problems).toEqual([]);
    expect(warningsOf(passed)).toEqual([
      'region us-east-1 is unhealthy: 3 consecutive failures (connection refused)',
    ]);
    expect(failoverOutputs(passed)['unhealthy-regions']).toBe('["us-east-1"]');
  });

  it('a drill: commands grouped and run in the workspace, health checked again after recover, RTO out', async () => {
    const w = world();
    const report = await runFailoverCheck(plan({ drill }), w.deps);
    expect(report.drill?.status).toBe('passed');
    expect(report.passed).toBe(true);
    expect(w.groups).toEqual(['drill-inject: inject', 'drill-recover: recover']);
    expect(w.shellCalls.map((c) => [c.command, c.options.cwd, c.options.env, c.options.timeoutMs])).toEqual([
      ['inject', '/work/space', { DRILL: 'yes' }, 10_000],
      ['recover', '/work/space', { DRILL: 'yes' }, 10_000],
    ]);
    expect(w.logs).toContain('ran inject');
    expect(w.logs).toContain('drill-inject: exit code 0 after 0.01s');
    // the steady state after recover is a fresh health check, logged as such
    expect(w.logs.filter((l) => l.startsWith('after recover: '))).toEqual([
      expect.stringMatching(/^after recover: us-east-1 \(10\.0\.0\.1\): healthy/),
      expect.stringMatching(/^after recover: us-west-2 \(10\.0\.0\.2\): healthy/),
    ]);
    // the entry point probed at drill-url + health-path
    expect(w.probedUrls).toContain('http://rating.test/health');
    const outputs = failoverOutputs(report);
    expect(Number(outputs['rto-seconds'])).toBeGreaterThanOrEqual(0);
    expect(outputs['rto-seconds']).toBe((report.drill!.rtoMs! / 1000).toFixed(3));
    expect(outputs['first-success-seconds']).toBe((report.drill!.firstSuccessMs! / 1000).toFixed(3));
    expect(w.logs.at(-1)).toMatch(/^Drill passed: RTO \d+\.\d{3}s, first success \d+\.\d{3}s\.$/);
    expect(verdictMessage(report)).toMatch(
      /^Failover check passed: 2 of 2 regions healthy, drill passed with RTO /,
    );
  });

  it("a drill's problems fail the step even when every region is healthy", async () => {
    const w = world({ recoverExit: 3 });
    const report = await runFailoverCheck(plan({ drill }), w.deps);
    expect(report.check.healthy).toBe(true);
    expect(report.passed).toBe(false);
    expect(report.problems[0]).toBe('drill-recover failed: exit code 3 after 0.01s');
    expect(failoverOutputs(report).healthy).toBe('true');
  });
});

describe('headerSecrets', () => {
  it('masks every header value, and the credential of a scheme-and-credential value on its own', () => {
    expect(
      headerSecrets({
        Authorization: 'Bearer t0ps3cret',
        'X-Api-Key': 'k3y-value',
        'X-Empty': '',
        Short: 'a b',
      }),
    ).toEqual(['Bearer t0ps3cret', 't0ps3cret', 'k3y-value', 'a b']);
  });
});

describe('dnsProbeUrl', () => {
  it('probes the failover record at drill-url when the drill is on that name, else at the first region', () => {
    const dns = { name: 'rating.test' };
    expect(dnsProbeUrl({ ...plan({ dns }), drill }).toString()).toBe('http://rating.test/health');
    expect(dnsProbeUrl(plan({ dns })).toString()).toBe('http://rating.test/health');
    expect(
      dnsProbeUrl(
        plan({
          dns,
          regions: [{ name: 'a', url: 'https://a.test:8443/ready' }],
          drill: { ...drill, url: 'http://lb.test/' },
        }),
      ).toString(),
    ).toBe('https://rating.test:8443/ready');
  });
});

describe('commandTitle', () => {
  it("is the label and the command's first line, cut at 80 characters", () => {
    expect(commandTitle('drill-inject', '  kill 1\nsleep 2')).toBe('drill-inject: kill 1');
    expect(commandTitle('drill-recover', 'x'.repeat(100))).toBe(`drill-recover: ${'x'.repeat(80)}…`);
  });
});
