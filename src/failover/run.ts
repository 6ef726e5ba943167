/**
 * A whole failover check, as the action runs it: the health check of every region and of the failover record,
 * then, when the plan has one, the drill (whose steady state is that same health check, run again after
 * recover), and the verdict: which problems fail the step and which are only warnings. Plain data in, the
 * report out; the resolver, prober, shell, clock and log come in through `FailoverDeps`.
 */
import { probeUrl, runHealthCheck, type CheckSettings, type DnsSpec, type HealthReport } from './check.js';
import {
  entryProber,
  runDrill,
  stateReader,
  type DrillDeps,
  type DrillReport,
  type DrillReportSettings,
  type DrillSettings,
  type SteadyState,
} from './drill.js';
import type { Clock, RegionSpec } from './model.js';
import type { Prober } from './probe.js';
import type { FailoverReport, ReportSettings } from './report.js';
import { urlHost, type HostResolver } from './resolve.js';
import { formatLatency } from './sla.js';
import { describeShellResult, type ShellRunner } from './shell.js';

/** The drill as configured: URLs as text (health path not yet applied), the two commands. */
export type DrillPlan = DrillReportSettings & { inject: string; recover: string };

/** Everything a failover check is asked to do: what the action's inputs parse into. */
export interface FailoverPlan extends CheckSettings {
  regions: RegionSpec[];
  /** `ip[:port]` of the DNS server every name is resolved through; absent: the system resolver. */
  dnsResolver?: string;
  /** The failover record and, when given, what it must answer. */
  dns?: { name: string; expect?: string[] };
  drill?: DrillPlan;
}

export interface FailoverDeps {
  resolver: HostResolver;
  prober: Prober;
  clock: Clock;
  shell: ShellRunner;
  /** Where the drill commands run, and with which environment. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  log(message: string): void;
  /** Runs `body` with its log lines in a collapsible group titled `title`. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/**
 * The values to register as secrets before anything is logged: every header value, and the credential of an
 * `Authorization`-style `<scheme> <credential>` value on its own (a log line may show it without its scheme).
 */
export function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const value of Object.values(headers)) {
    if (!value) continue;
    secrets.push(value);
    const credential = /^\S+\s+(\S{4,})$/.exec(value)?.[1];
    if (credential) secrets.push(credential);
  }
  return secrets;
}

/** Where each address of dns-name is probed: drill-url when it is on that name, else the first region's URL. */
export function dnsProbeUrl(plan: Pick<FailoverPlan, 'dns' | 'drill' | 'regions' | 'healthPath'>): URL {
  const name = plan.dns!.name;
  if (plan.drill) {
    const drillUrl = probeUrl(plan.drill.url, plan.healthPath);
    if (urlHost(drillUrl).toLowerCase() === name.toLowerCase()) return drillUrl;
  }
  const url = probeUrl(plan.regions[0]!.url, plan.healthPath);
  url.hostname = name;
  return url;
}

function dnsSpecOf(plan: FailoverPlan): DnsSpec | undefined {
  if (!plan.dns) return undefined;
  return {
    name: plan.dns.name,
    ...(plan.dnsResolver ? { server: plan.dnsResolver } : {}),
    ...(plan.dns.expect ? { expect: plan.dns.expect } : {}),
    probeUrl: dnsProbeUrl(plan),
  };
}

function drillSettingsOf(drill: DrillPlan, healthPath: string): DrillSettings {
  return {
    inject: drill.inject,
    recover: drill.recover,
    url: probeUrl(drill.url, healthPath),
    ...(drill.expectRegion !== undefined ? { expectRegion: drill.expectRegion } : {}),
    intervalMs: drill.intervalMs,
    stable: drill.stable,
    timeoutMs: drill.timeoutMs,
    ...(drill.rtoMaxMs !== undefined ? { rtoMaxMs: drill.rtoMaxMs } : {}),
    ...(drill.stateUrl ? { stateUrl: new URL(drill.stateUrl) } : {}),
  };
}

/** The settings as the report echoes them: status and body as text, headers left out, the resolver named. */
function reportSettingsOf(plan: FailoverPlan, resolver: HostResolver): ReportSettings {
  return {
    healthPath: plan.healthPath,
    expectedStatus: plan.expectedStatus.text,
    ...(plan.bodyMatch ? { bodyMatch: String(plan.bodyMatch) } : {}),
    timeoutMs: plan.timeoutMs,
    samples: plan.samples,
    concurrency: plan.concurrency,
    sla: plan.sla,
    minHealthy: plan.minHealthy,
    resolver: resolver.describe(),
  };
}

/** One log line per region and one for the failover record. */
export function checkLogLines(check: HealthReport, prefix = ''): string[] {
  const lines = check.regions.map((r) => {
    const s = r.verdict.stats;
    const latency = s.latency
      ? `, p50 ${formatLatency(s.latency.p50)} p95 ${formatLatency(s.latency.p95)} p99 ${formatLatency(s.latency.p99)}`
      : '';
    const line = `${prefix}${r.name} (${r.resolution.addresses.join(', ') || r.host}): ${r.verdict.status}, ${s.succeeded}/${s.samples} ok${latency}`;
    return r.verdict.status === 'healthy' ? line : `${line}: ${r.verdict.reasons.join('; ')}`;
  });
  if (check.dns) {
    const answers = check.dns.answer
      ? [
          ...check.dns.answer.cnames.map((c) => `CNAME ${c}`),
          ...check.dns.answer.addresses.map((a) => `${a.address} (TTL ${a.ttl ?? '?'})`),
        ].join(', ')
      : check.dns.error;
    lines.push(
      `${prefix}failover record ${check.dns.name}: ${answers}${check.dns.ok ? '' : `: ${check.dns.problems.join('; ')}`}`,
    );
  }
  return lines;
}

/** The drill's steady state: every region healthy (min-healthy does not lower the bar) and the record right. */
export function steadyStateOf(check: HealthReport): SteadyState {
  return {
    ok: check.unhealthyRegions.length === 0 && (check.dns?.ok ?? true),
    problems: check.problems.slice(),
  };
}

/** The title of a drill command's log group: its label and the command's first line, shortened. */
export function commandTitle(label: string, command: string): string {
  const line = command.trim().split('\n')[0] ?? '';
  return `${label}: ${line.length > 80 ? `${line.slice(0, 80)}…` : line}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

export async function runFailoverCheck(plan: FailoverPlan, deps: FailoverDeps): Promise<FailoverReport> {
  const startedAt = new Date().toISOString();
  const dns = dnsSpecOf(plan);
  const checkDeps = { resolver: deps.resolver, prober: deps.prober, clock: deps.clock };
  const count = plan.regions.length;
  deps.log(
    `Probing ${count} region${count === 1 ? '' : 's'}${dns ? ` and the failover record ${dns.name}` : ''}: ${plan.samples} samples per address, at most ${plan.concurrency} in flight, names resolved by ${deps.resolver.describe()}.`,
  );
  const check = await runHealthCheck(plan.regions, dns, plan, checkDeps);
  for (const line of checkLogLines(check)) deps.log(line);

  let drill: DrillReport | undefined;
  if (plan.drill) {
    const entry = {
      resolver: deps.resolver,
      prober: deps.prober,
      timeoutMs: plan.timeoutMs,
      headers: plan.headers,
    };
    const drillDeps: DrillDeps = {
      clock: deps.clock,
      runCommand: (label, command, timeoutMs) =>
        deps.group(commandTitle(label, command), async () => {
          const result = await deps.shell.run(command, {
            cwd: deps.workspace,
            env: deps.env,
            timeoutMs,
            onLine: (line) => deps.log(line),
          });
          deps.log(`${label}: ${describeShellResult(result)}`);
          return result;
        }),
      probeEntry: entryProber({
        ...entry,
        expectedStatus: plan.expectedStatus,
        ...(plan.bodyMatch ? { bodyMatch: plan.bodyMatch } : {}),
      }),
      readState: stateReader(entry),
      steadyState: async (phase) => {
        if (phase === 'before') return steadyStateOf(check);
        const again = await runHealthCheck(plan.regions, dns, plan, checkDeps);
        for (const line of checkLogLines(again, 'after recover: ')) deps.log(line);
        return steadyStateOf(again);
      },
      log: (message) => deps.log(message),
    };
    drill = await runDrill(drillSettingsOf(plan.drill, plan.healthPath), drillDeps);
    deps.log(
      `Drill ${drill.status}${drill.rtoMs !== undefined ? `: RTO ${seconds(drill.rtoMs)}, first success ${seconds(drill.firstSuccessMs ?? 0)}` : ''}.`,
    );
  }

  // under min-healthy, an unhealthy region is a warning (warningsOf), not a failure
  const problems = [...(check.healthy ? [] : check.problems), ...(drill?.problems ?? [])];
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: reportSettingsOf(plan, deps.resolver),
    check,
    ...(drill ? { drill } : {}),
    passed: problems.length === 0,
    problems,
  };
}
