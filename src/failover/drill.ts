/**
 * The failover drill and its RTO clock, with AWS Resilience Hub's semantics: RTO runs from the fault's start
 * until success is reached and sustained.
 *
 *   steady state (every region healthy, or the drill does not start)
 *   → read the state (drill-state-url), if given
 *   → inject; time zero is when the inject command returns success
 *   → probe the global entry point every drill-interval, resolving its name afresh for every probe, until
 *     drill-stable consecutive successes come from drill-expect-region (or drill-timeout runs out)
 *   → read the state again: it must equal the one before (the state survived the failover)
 *   → recover, always (also when inject failed, the drill timed out, or anything threw)
 *   → steady state again (waiting up to drill-timeout for the recovered region to come back)
 *
 * RTO = time zero → the first of the stable successes; first success = time zero → the first success from the
 * expected region. A success is the time its answer arrived. Everything is recorded for the report.
 */
import type { Clock, ProbeFailure, ProbeResult } from './model.js';
import type { Prober, StatusMatcher } from './probe.js';
import { DnsFailure, urlHost, type HostResolver } from './resolve.js';
import { describeShellResult, shellSucceeded, type ShellResult } from './shell.js';

export interface DrillSettings {
  inject: string;
  recover: string;
  /** The URL probed during the drill (the global entry point, health path included). */
  url: URL;
  expectRegion?: string;
  intervalMs: number;
  stable: number;
  timeoutMs: number;
  rtoMaxMs?: number;
  stateUrl?: URL;
}

/** One probe of the entry point: the addresses its name resolved to, and the answer of each. */
export interface EntryAnswer {
  addresses: string[];
  dnsMs: number;
  results: ProbeResult[];
  /** The name did not resolve. */
  failure?: ProbeFailure;
}

export interface DrillProbe {
  n: number;
  /** Start and end, ms since time zero. */
  atMs: number;
  endMs: number;
  addresses: string[];
  results: ProbeResult[];
  success: boolean;
  /** Regions that answered (in address order; a failed probe with no answer names none). */
  regions: string[];
  /** `200 from us-west-2 via 127.0.0.3 in 3ms`, or the failure. */
  note: string;
  /** Consecutive successes up to and including this probe. */
  streak: number;
}

export interface StateRead {
  url: string;
  at: string;
  ok: boolean;
  address?: string;
  region?: string;
  status?: number;
  body?: string;
  error?: string;
}

export interface SteadyState {
  ok: boolean;
  problems: string[];
}

export interface DrillDeps {
  clock: Clock;
  /** Runs a drill command (grouped in the log by the caller). */
  runCommand(
    label: 'drill-inject' | 'drill-recover',
    command: string,
    timeoutMs: number,
  ): Promise<ShellResult>;
  probeEntry(url: URL, expectRegion: string | undefined): Promise<EntryAnswer>;
  readState(url: URL): Promise<StateRead>;
  /** The region health check; `phase` only for logging. */
  steadyState(phase: 'before' | 'after'): Promise<SteadyState>;
  log(message: string): void;
}

export type DrillStatus = 'passed' | 'failed' | 'not-started';

/** The settings as the report echoes them: URLs as text, the inject and recover commands left out. */
export type DrillReportSettings = Omit<DrillSettings, 'inject' | 'recover' | 'url' | 'stateUrl'> & {
  url: string;
  stateUrl?: string;
};

export interface DrillReport {
  status: DrillStatus;
  problems: string[];
  settings: DrillReportSettings;
  steadyBefore: SteadyState;
  stateBefore?: StateRead;
  inject?: ShellResult;
  /** Time zero, ISO. */
  t0?: string;
  probes: DrillProbe[];
  firstSuccessMs?: number;
  rtoMs?: number;
  /** ms since time zero when the last of the stable successes arrived. */
  recoveredMs?: number;
  timedOut: boolean;
  stateAfter?: StateRead;
  stateMatch?: boolean;
  recover?: ShellResult;
  /** ms since time zero when recover started and ended. */
  recoverStartMs?: number;
  recoverEndMs?: number;
  steadyAfter?: SteadyState & { attempts: number; waitedMs: number };
}

function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(3)}s`;
}

function describeProbe(answer: EntryAnswer): { success: boolean; note: string; regions: string[] } {
  if (answer.failure) return { success: false, note: answer.failure.message, regions: [] };
  const regions = answer.results.flatMap((r) => (r.region !== undefined ? [r.region] : []));
  const success = answer.results.length > 0 && answer.results.every((r) => r.ok);
  const note = answer.results
    .map((r) =>
      r.ok
        ? `${r.status} from ${r.region ?? 'an unnamed region'} via ${r.address} in ${Math.round(r.timings.totalMs)}ms`
        : `${r.address}: ${r.failure?.message ?? 'failed'}`,
    )
    .join('; ');
  return { success, note, regions };
}

/** Two state reads agree: the same JSON value (key order aside), or the same text. */
export function sameState(a: StateRead, b: StateRead): boolean {
  if (!a.ok || !b.ok || a.body === undefined || b.body === undefined) return false;
  try {
    return canonical(JSON.parse(a.body)) === canonical(JSON.parse(b.body));
  } catch {
    return a.body === b.body;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) =>
      x < y ? -1 : x > y ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function runDrill(settings: DrillSettings, deps: DrillDeps): Promise<DrillReport> {
  const { clock } = deps;
  const report: DrillReport = {
    status: 'failed',
    problems: [],
    settings: {
      url: settings.url.toString(),
      ...(settings.expectRegion !== undefined ? { expectRegion: settings.expectRegion } : {}),
      intervalMs: settings.intervalMs,
      stable: settings.stable,
      timeoutMs: settings.timeoutMs,
      ...(settings.rtoMaxMs !== undefined ? { rtoMaxMs: settings.rtoMaxMs } : {}),
      ...(settings.stateUrl ? { stateUrl: settings.stateUrl.toString() } : {}),
    },
    steadyBefore: { ok: false, problems: [] },
    probes: [],
    timedOut: false,
  };

  report.steadyBefore = await deps.steadyState('before');
  if (!report.steadyBefore.ok) {
    report.status = 'not-started';
    report.problems.push(
      `the drill did not start: no steady state before it (${report.steadyBefore.problems.join('; ')})`,
    );
    return report;
  }
  if (settings.stateUrl) {
    report.stateBefore = await deps.readState(settings.stateUrl);
    if (!report.stateBefore.ok) {
      report.status = 'not-started';
      report.problems.push(
        `the drill did not start: drill-state-url could not be read before the fault (${report.stateBefore.error})`,
      );
      return report;
    }
  }

  let t0: number | undefined;
  try {
    report.inject = await deps.runCommand('drill-inject', settings.inject, settings.timeoutMs);
    if (!shellSucceeded(report.inject)) {
      report.problems.push(`drill-inject failed: ${describeShellResult(report.inject)}`);
    } else {
      t0 = clock.now();
      report.t0 = new Date(t0).toISOString();
      deps.log(
        `time zero: drill-inject returned; probing ${settings.url} every ${seconds(settings.intervalMs)} until ${settings.stable} successes in a row${settings.expectRegion ? ` from ${settings.expectRegion}` : ''}`,
      );
      await probeUntilStable(settings, deps, t0, report);
      if (report.rtoMs !== undefined && settings.stateUrl) {
        report.stateAfter = await deps.readState(settings.stateUrl);
        report.stateMatch = sameState(report.stateBefore!, report.stateAfter);
        if (!report.stateMatch) {
          report.problems.push(
            report.stateAfter.ok
              ? `the state at drill-state-url changed across the failover (before: ${clip(report.stateBefore!.body)}; after: ${clip(report.stateAfter.body)})`
              : `drill-state-url could not be read after the failover (${report.stateAfter.error})`,
          );
        }
      }
    }
  } finally {
    if (t0 !== undefined) report.recoverStartMs = clock.now() - t0;
    report.recover = await deps.runCommand('drill-recover', settings.recover, settings.timeoutMs);
    if (t0 !== undefined) report.recoverEndMs = clock.now() - t0;
  }
  const recovered = shellSucceeded(report.recover);
  if (!recovered) report.problems.push(`drill-recover failed: ${describeShellResult(report.recover)}`);

  // steady state again: a recovered region may take a moment to come back; a failed recover gets one look
  const started = clock.now();
  let attempts = 0;
  let steady: SteadyState;
  for (;;) {
    attempts++;
    steady = await deps.steadyState('after');
    if (steady.ok || !recovered || clock.now() - started >= settings.timeoutMs) break;
    await clock.sleep(settings.intervalMs);
  }
  report.steadyAfter = { ...steady, attempts, waitedMs: clock.now() - started };
  if (!steady.ok)
    report.problems.push(
      `no steady state after recover (${attempts} check${attempts === 1 ? '' : 's'} over ${seconds(report.steadyAfter.waitedMs)}): ${steady.problems.join('; ')}`,
    );

  report.status = report.problems.length === 0 ? 'passed' : 'failed';
  return report;
}

function clip(text: string | undefined): string {
  if (text === undefined) return 'nothing';
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

async function probeUntilStable(
  settings: DrillSettings,
  deps: DrillDeps,
  t0: number,
  report: DrillReport,
): Promise<void> {
  const { clock } = deps;
  const deadline = t0 + settings.timeoutMs;
  let streak = 0;
  let streakStartMs = 0;
  for (let n = 1; ; n++) {
    const scheduled = t0 + (n - 1) * settings.intervalMs;
    if (scheduled > clock.now()) await clock.sleep(scheduled - clock.now());
    if (clock.now() >= deadline) {
      report.timedOut = true;
      break;
    }
    const start = clock.now();
    const answer = await deps.probeEntry(settings.url, settings.expectRegion);
    const end = clock.now();
    const { success, note, regions } = describeProbe(answer);
    if (success) {
      if (streak === 0) streakStartMs = end - t0;
      streak++;
      if (report.firstSuccessMs === undefined) report.firstSuccessMs = end - t0;
    } else streak = 0;
    report.probes.push({
      n,
      atMs: start - t0,
      endMs: end - t0,
      addresses: answer.addresses,
      results: answer.results,
      success,
      regions,
      note,
      streak,
    });
    deps.log(
      `+${seconds(end - t0)} probe ${n}: ${success ? '✓' : '✗'} ${note}${success ? ` (${streak}/${settings.stable})` : ''}`,
    );
    if (streak >= settings.stable) {
      report.rtoMs = streakStartMs;
      report.recoveredMs = end - t0;
      break;
    }
  }
  if (report.rtoMs === undefined) {
    const last = report.probes.at(-1);
    report.problems.push(
      `the drill timed out: no ${settings.stable} successes in a row${settings.expectRegion ? ` from ${settings.expectRegion}` : ''} within drill-timeout ${seconds(settings.timeoutMs)} (${report.probes.length} probes, ${report.probes.filter((p) => p.success).length} succeeded; last: ${last?.note ?? 'none'})`,
    );
  } else if (settings.rtoMaxMs !== undefined && report.rtoMs > settings.rtoMaxMs) {
    report.problems.push(`RTO ${seconds(report.rtoMs)} exceeds rto-max ${seconds(settings.rtoMaxMs)}`);
  }
}

export interface EntrySettings {
  resolver: HostResolver;
  prober: Prober;
  timeoutMs: number;
  headers: Record<string, string>;
  expectedStatus: StatusMatcher;
  bodyMatch?: RegExp;
}

/**
 * Probes the entry point once: resolves its name afresh (no cache: a repointed record is seen as soon as the
 * resolver serves it), then probes every address it answers, in parallel. A success needs every one of them to
 * answer as expected, from the expected region.
 */
export function entryProber(settings: EntrySettings): DrillDeps['probeEntry'] {
  return async (url, expectRegion) => {
    const start = performance.now();
    let addresses: string[];
    try {
      addresses = [
        ...new Set((await settings.resolver.resolve(urlHost(url), settings.timeoutMs)).map((a) => a.address)),
      ];
    } catch (error) {
      const failure =
        error instanceof DnsFailure
          ? error.toFailure()
          : { kind: 'dns' as const, message: `DNS failure: ${String(error)}` };
      return { addresses: [], dnsMs: performance.now() - start, results: [], failure };
    }
    const dnsMs = performance.now() - start;
    const results = await Promise.all(
      addresses.map((address) =>
        settings.prober({
          url,
          address,
          headers: settings.headers,
          timeoutMs: settings.timeoutMs,
          expectedStatus: settings.expectedStatus,
          ...(settings.bodyMatch ? { bodyMatch: settings.bodyMatch } : {}),
          ...(expectRegion !== undefined ? { expectRegion } : {}),
        }),
      ),
    );
    for (const r of results) r.timings.dnsMs = Math.round(dnsMs * 1000) / 1000;
    return { addresses, dnsMs, results };
  };
}

const ANY_SUCCESS: StatusMatcher = { codes: [], classes: [2], text: '2xx' };

/** Reads drill-state-url through the same resolution: the first address that answers 2xx gives the state. */
export function stateReader(
  settings: Omit<EntrySettings, 'expectedStatus' | 'bodyMatch'>,
): DrillDeps['readState'] {
  return async (url) => {
    const at = new Date().toISOString();
    let addresses: string[];
    try {
      addresses = (await settings.resolver.resolve(urlHost(url), settings.timeoutMs)).map((a) => a.address);
    } catch (error) {
      return {
        url: url.toString(),
        at,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    const errors: string[] = [];
    for (const address of addresses) {
      const r = await settings.prober({
        url,
        address,
        headers: settings.headers,
        timeoutMs: settings.timeoutMs,
        expectedStatus: ANY_SUCCESS,
        keepBody: true,
      });
      if (r.ok)
        return {
          url: url.toString(),
          at,
          ok: true,
          address,
          ...(r.region !== undefined ? { region: r.region } : {}),
          ...(r.status !== undefined ? { status: r.status } : {}),
          ...(r.body !== undefined ? { body: r.body } : {}),
        };
      errors.push(`${address}: ${r.failure?.message ?? 'failed'}`);
    }
    return { url: url.toString(), at, ok: false, error: errors.join('; ') || 'no address' };
  };
}
