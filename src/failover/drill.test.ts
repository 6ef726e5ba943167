/**
 * The drill on a fake clock: RTO from time zero (inject returned) to the first of the stable successes, first
 * success, a flapping standby, timeouts, recover always run (also after an inject failure, a timeout or a
 * throw), rto-max, the state check, the steady state before and after.
 */
import { describe, expect, it } from '@jest/globals';
import { sample } from '../../test/support/failover/samples.js';
import {
  runDrill,
  sameState,
  type DrillDeps,
  type DrillSettings,
  type EntryAnswer,
  type StateRead,
} from './drill.js';
import type { Clock } from './model.js';
import type { ShellResult } from './shell.js';

class FakeClock implements Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms);
  }
}

const shellResult = (command: string, exitCode = 0): ShellResult => ({
  command,
  exitCode,
  timedOut: false,
  startedAt: 0,
  durationMs: 5,
  output: '',
});

interface Scenario {
  /** What the entry point answers at `ms` since time zero: a region that answers, or undefined for refused. */
  answer: (ms: number) => string | undefined;
  injectExit?: number;
  recoverExit?: number;
  steadyBefore?: boolean;
  /** Steady-state checks after recover that fail before one passes. */
  steadyAfterFailures?: number;
  state?: (phase: 'before' | 'after') => string;
  probeThrows?: boolean;
}

function harness(scenario: Scenario) {
  const clock = new FakeClock();
  const commands: string[] = [];
  let t0: number | undefined;
  let afterChecks = 0;
  const deps: DrillDeps = {
    clock,
    async runCommand(label, command) {
      commands.push(label);
      clock.t += 5;
      const exit = label === 'drill-inject' ? (scenario.injectExit ?? 0) : (scenario.recoverExit ?? 0);
      if (label === 'drill-inject' && exit === 0) t0 = clock.t;
      return shellResult(command, exit);
    },
    async probeEntry(_url, expectRegion): Promise<EntryAnswer> {
      if (scenario.probeThrows) throw new Error('bug in the prober');
      const region = scenario.answer(clock.t - t0!);
      clock.t += 10;
      const ok = region !== undefined && (expectRegion === undefined || region === expectRegion);
      const result = ok
        ? sample(true, 10, { region: region!, address: '127.0.0.3' })
        : region !== undefined
          ? sample(false, 10, {
              region,
              address: '127.0.0.3',
              failure: {
                kind: 'region-mismatch',
                message: `region mismatch: ${region} answered, expected ${expectRegion}`,
              },
            })
          : sample(false, 1, { address: '127.0.0.3' });
      return { addresses: ['127.0.0.3'], dnsMs: 0.2, results: [result] };
    },
    async readState(url): Promise<StateRead> {
      const phase = t0 === undefined ? 'before' : 'after';
      return { url: url.toString(), at: '', ok: true, body: scenario.state?.(phase) ?? '{}' };
    },
    async steadyState(phase) {
      if (phase === 'before')
        return {
          ok: scenario.steadyBefore ?? true,
          problems: scenario.steadyBefore === false ? ['region a is unhealthy'] : [],
        };
      afterChecks++;
      clock.t += 100;
      const ok = afterChecks > (scenario.steadyAfterFailures ?? 0);
      return { ok, problems: ok ? [] : ['region a is unhealthy: connection refused'] };
    },
    log: () => undefined,
  };
  return { clock, commands, deps, afterChecks: () => afterChecks };
}

const settings = (extra: Partial<DrillSettings> = {}): DrillSettings => ({
  inject: 'kill a',
  recover: 'start a',
  url: new URL('http://rating.openclaw.test:8080/health'),
  expectRegion: 'us-west-2',
  intervalMs: 500,
  stable: 3,
  timeoutMs: 10_000,
  ...extra,
});

describe('runDrill', () => {
  it('measures RTO from time zero to the first of the stable successes from the expected region', async () => {
    const h = harness({ answer: (ms) => (ms >= 1500 ? 'us-west-2' : undefined) });
    const report = await runDrill(settings(), h.deps);
    expect(report.status).toBe('passed');
    expect(report.probes.map((p) => [p.atMs, p.success])).toEqual([
      [0, false],
      [500, false],
      [1000, false],
      [1500, true],
      [2000, true],
      [2500, true],
    ]);
    expect(report.firstSuccessMs).toBe(1510); // the answer arrived 10 ms after the probe started
    expect(report.rtoMs).toBe(1510);
    expect(report.recoveredMs).toBe(2510);
    expect(h.commands).toEqual(['drill-inject', 'drill-recover']);
    expect(report.steadyAfter).toMatchObject({ ok: true, attempts: 1 });
  });

  it('counts only the expected region, and restarts the count when the standby flaps', async () => {
    // the primary still answers at first (a stale record), then the standby, once interrupted
    const h = harness({
      answer: (ms) => (ms < 1000 ? 'us-east-1' : ms >= 2000 && ms < 2500 ? undefined : 'us-west-2'),
    });
    const report = await runDrill(settings(), h.deps);
    expect(report.probes.map((p) => p.streak)).toEqual([0, 0, 1, 2, 0, 1, 2, 3]);
    expect(report.probes[0]!.note).toBe('127.0.0.3: region mismatch: us-east-1 answered, expected us-west-2');
    expect(report.firstSuccessMs).toBe(1010);
    expect(report.rtoMs).toBe(2510);
    expect(report.status).toBe('passed');
  });

  it('times out when the standby never answers, still recovers, and fails', async () => {
    const h = harness({ answer: () => undefined });
    const report = await runDrill(settings({ timeoutMs: 3000 }), h.deps);
    expect(report.status).toBe('failed');
    expect(report.timedOut).toBe(true);
    expect(report.rtoMs).toBeUndefined();
    expect(report.probes).toHaveLength(6);
    expect(h.commands).toEqual(['drill-inject', 'drill-recover']);
    expect(report.problems).toEqual([
      'the drill timed out: no 3 successes in a row from us-west-2 within drill-timeout 3s (6 probes, 0 succeeded; last: 127.0.0.3: connection refused)',
    ]);
  });

  it('recovers after a failed inject, without probing', async () => {
    const h = harness({ answer: () => 'us-west-2', injectExit: 2 });
    const report = await runDrill(settings(), h.deps);
    expect(report.status).toBe('failed');
    expect(report.probes).toEqual([]);
    expect(h.commands).toEqual(['drill-inject', 'drill-recover']);
    expect(report.problems[0]).toMatch(/^drill-inject failed: exit code 2 after/);
  });

  it('recovers when something throws during the drill, then lets the error through', async () => {
    const h = harness({ answer: () => 'us-west-2', probeThrows: true });
    await expect(runDrill(settings(), h.deps)).rejects.toThrow('bug in the prober');
    expect(h.commands).toEqual(['drill-inject', 'drill-recover']);
  });

  it('does not start without a steady state, and then injects nothing', async () => {
    const h = harness({ answer: () => 'us-west-2', steadyBefore: false });
    const report = await runDrill(settings(), h.deps);
    expect(report.status).toBe('not-started');
    expect(h.commands).toEqual([]);
    expect(report.problems).toEqual([
      'the drill did not start: no steady state before it (region a is unhealthy)',
    ]);
  });

  it('fails when the RTO exceeds rto-max', async () => {
    const h = harness({ answer: (ms) => (ms >= 1500 ? 'us-west-2' : undefined) });
    const report = await runDrill(settings({ rtoMaxMs: 1000 }), h.deps);
    expect(report.status).toBe('failed');
    expect(report.problems).toEqual(['RTO 1.51s exceeds rto-max 1s']);
  });

  it('checks that the state survived the failover', async () => {
    const url = new URL('http://rating.openclaw.test:8080/v1/subjects/lamp-42/rating');
    const same = harness({ answer: () => 'us-west-2', state: () => '{"count":1,"mean":5}' });
    const passed = await runDrill(settings({ stateUrl: url }), same.deps);
    expect(passed).toMatchObject({ status: 'passed', stateMatch: true });
    const lost = harness({
      answer: () => 'us-west-2',
      state: (phase) => (phase === 'before' ? '{"count":1,"mean":5}' : '{"count":0,"mean":null}'),
    });
    const failed = await runDrill(settings({ stateUrl: url }), lost.deps);
    expect(failed).toMatchObject({ status: 'failed', stateMatch: false });
    expect(failed.problems[0]).toBe(
      'the state at drill-state-url changed across the failover (before: {"count":1,"mean":5}; after: {"count":0,"mean":null})',
    );
  });

  it('waits for the steady state after recover, up to drill-timeout', async () => {
    const h = harness({ answer: () => 'us-west-2', steadyAfterFailures: 2 });
    const report = await runDrill(settings(), h.deps);
    expect(report.status).toBe('passed');
    expect(report.steadyAfter).toMatchObject({ ok: true, attempts: 3 });
  });

  it('reports a failed recover and looks at the steady state once', async () => {
    const h = harness({ answer: () => 'us-west-2', recoverExit: 1, steadyAfterFailures: 100 });
    const report = await runDrill(settings(), h.deps);
    expect(report.status).toBe('failed');
    expect(h.afterChecks()).toBe(1);
    expect(report.problems[0]).toMatch(/^drill-recover failed: exit code 1/);
    expect(report.problems[1]).toMatch(/^no steady state after recover \(1 check over/);
  });
});

describe('sameState', () => {
  const read = (body: string): StateRead => ({ url: '', at: '', ok: true, body });
  it('compares JSON values whatever the key order, else the text', () => {
    expect(
      sameState(read('{"a":1,"b":[1,{"c":2,"d":3}]}'), read('{ "b": [1, {"d":3,"c":2}], "a": 1 }')),
    ).toBe(true);
    expect(sameState(read('{"a":1}'), read('{"a":2}'))).toBe(false);
    expect(sameState(read('plain'), read('plain'))).toBe(true);
    expect(sameState(read('{}'), { url: '', at: '', ok: false, error: 'refused' })).toBe(false);
  });
});
