/**
 * failover-check: probe every region and the failover record, judge them against the SLA, and in a drill inject
 * a fault and measure how long the standby takes to serve (RTO). Reads the inputs, wires the real resolver,
 * prober, shell and clock into the domain (src/failover/), and writes the outputs, the JSON report and the job
 * summary. The step fails when too few regions are healthy, the failover record is wrong, or the drill failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import {
  probeUrl,
  runHealthCheck,
  type CheckSettings,
  type DnsSpec,
  type HealthReport,
} from '../../failover/check.js';
import {
  entryProber,
  runDrill,
  stateReader,
  type DrillReport,
  type SteadyState,
} from '../../failover/drill.js';
import { systemClock, type Clock } from '../../failover/model.js';
import { httpProber, type Prober } from '../../failover/probe.js';
import { buildJsonReport, renderSummary, type FailoverReport } from '../../failover/report.js';
import { serverResolver, systemResolver, urlHost, type HostResolver } from '../../failover/resolve.js';
import { formatLatency } from '../../failover/sla.js';
import { bashRunner, describeShellResult, type ShellRunner } from '../../failover/shell.js';
import { parseInputs, type FailoverCheckInputs } from './inputs.js';

export interface FailoverCheckDeps {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  prober: Prober;
  shell: ShellRunner;
}

export const defaultDeps = (): FailoverCheckDeps => ({
  env: process.env,
  clock: systemClock,
  prober: httpProber,
  shell: bashRunner,
});

/** Where each address of dns-name is probed: drill-url when it is on that name, else the first region's URL. */
export function dnsProbeUrl(inputs: FailoverCheckInputs): URL {
  const name = inputs.dns!.name;
  if (inputs.drill) {
    const drillUrl = probeUrl(inputs.drill.url, inputs.healthPath);
    if (urlHost(drillUrl).toLowerCase() === name.toLowerCase()) return drillUrl;
  }
  const url = probeUrl(inputs.regions[0]!.url, inputs.healthPath);
  url.hostname = name;
  return url;
}

function logCheck(io: ActionIO, check: HealthReport, label: string): void {
  for (const r of check.regions) {
    const s = r.verdict.stats;
    const latency = s.latency
      ? `, p50 ${formatLatency(s.latency.p50)} p95 ${formatLatency(s.latency.p95)} p99 ${formatLatency(s.latency.p99)}`
      : '';
    const line = `${label}${r.name} (${r.resolution.addresses.join(', ') || r.host}): ${r.verdict.status}, ${s.succeeded}/${s.samples} ok${latency}`;
    if (r.verdict.status === 'healthy') io.info(line);
    else io.info(`${line}: ${r.verdict.reasons.join('; ')}`);
  }
  if (check.dns) {
    const answers = check.dns.answer
      ? [
          ...check.dns.answer.cnames.map((c) => `CNAME ${c}`),
          ...check.dns.answer.addresses.map((a) => `${a.address} (TTL ${a.ttl ?? '?'})`),
        ].join(', ')
      : check.dns.error;
    io.info(
      `${label}failover record ${check.dns.name}: ${answers}${check.dns.ok ? '' : `: ${check.dns.problems.join('; ')}`}`,
    );
  }
}

function steadyStateOf(check: HealthReport): SteadyState {
  const problems = check.problems.slice();
  return { ok: check.unhealthyRegions.length === 0 && (check.dns?.ok ?? true), problems };
}

function firstLine(command: string): string {
  const line = command.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

export async function run(io: ActionIO, deps: FailoverCheckDeps = defaultDeps()): Promise<void> {
  const inputs = parseInputs(io);
  for (const value of Object.values(inputs.headers)) {
    if (!value) continue;
    io.setSecret(value);
    // `Bearer <token>`, `Basic <credentials>`: the credential alone is a secret too
    const credential = /^\S+\s+(\S{4,})$/.exec(value)?.[1];
    if (credential) io.setSecret(credential);
  }
  const startedAt = new Date().toISOString();
  const resolver: HostResolver = inputs.dnsResolver ? serverResolver(inputs.dnsResolver) : systemResolver();
  const settings: CheckSettings = {
    healthPath: inputs.healthPath,
    expectedStatus: inputs.expectedStatus,
    ...(inputs.bodyMatch ? { bodyMatch: inputs.bodyMatch } : {}),
    timeoutMs: inputs.timeoutMs,
    samples: inputs.samples,
    concurrency: inputs.concurrency,
    headers: inputs.headers,
    sla: inputs.sla,
    minHealthy: inputs.minHealthy,
  };
  const dns: DnsSpec | undefined = inputs.dns
    ? {
        name: inputs.dns.name,
        ...(inputs.dnsResolver ? { server: inputs.dnsResolver } : {}),
        ...(inputs.dns.expect ? { expect: inputs.dns.expect } : {}),
        probeUrl: dnsProbeUrl(inputs),
      }
    : undefined;
  const checkDeps = { resolver, prober: deps.prober, clock: deps.clock };
  io.info(
    `Probing ${inputs.regions.length} region${inputs.regions.length === 1 ? '' : 's'}${dns ? ` and the failover record ${dns.name}` : ''}: ${inputs.samples} samples per address, at most ${inputs.concurrency} in flight, names resolved by ${resolver.describe()}.`,
  );
  const check = await runHealthCheck(inputs.regions, dns, settings, checkDeps);
  logCheck(io, check, '');

  let drill: DrillReport | undefined;
  if (inputs.drill) {
    const d = inputs.drill;
    const workspace = deps.env['GITHUB_WORKSPACE'] || process.cwd();
    const entry = { resolver, prober: deps.prober, timeoutMs: inputs.timeoutMs, headers: inputs.headers };
    drill = await runDrill(
      {
        inject: d.inject,
        recover: d.recover,
        url: probeUrl(d.url, inputs.healthPath),
        ...(d.expectRegion !== undefined ? { expectRegion: d.expectRegion } : {}),
        intervalMs: d.intervalMs,
        stable: d.stable,
        timeoutMs: d.timeoutMs,
        ...(d.rtoMaxMs !== undefined ? { rtoMaxMs: d.rtoMaxMs } : {}),
        ...(d.stateUrl ? { stateUrl: new URL(d.stateUrl) } : {}),
      },
      {
        clock: deps.clock,
        runCommand: (label, command, timeoutMs) =>
          io.group(`${label}: ${firstLine(command)}`, async () => {
            const result = await deps.shell.run(command, {
              cwd: workspace,
              env: deps.env,
              timeoutMs,
              onLine: (line) => io.info(line),
            });
            io.info(`${label}: ${describeShellResult(result)}`);
            return result;
          }),
        probeEntry: entryProber({
          ...entry,
          expectedStatus: inputs.expectedStatus,
          ...(inputs.bodyMatch ? { bodyMatch: inputs.bodyMatch } : {}),
        }),
        readState: stateReader(entry),
        steadyState: async (phase) => {
          if (phase === 'before') return steadyStateOf(check);
          const again = await runHealthCheck(inputs.regions, dns, settings, checkDeps);
          logCheck(io, again, 'after recover: ');
          return steadyStateOf(again);
        },
        log: (message) => io.info(message),
      },
    );
    io.info(
      `Drill ${drill.status}${drill.rtoMs !== undefined ? `: RTO ${(drill.rtoMs / 1000).toFixed(3)}s, first success ${((drill.firstSuccessMs ?? 0) / 1000).toFixed(3)}s` : ''}.`,
    );
  }

  const problems = [...(check.healthy ? [] : check.problems), ...(drill?.problems ?? [])];
  if (check.healthy) for (const p of check.problems) io.warning(p);
  const report: FailoverReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: {
      healthPath: inputs.healthPath,
      expectedStatus: inputs.expectedStatus.text,
      ...(inputs.bodyMatch ? { bodyMatch: String(inputs.bodyMatch) } : {}),
      timeoutMs: inputs.timeoutMs,
      samples: inputs.samples,
      concurrency: inputs.concurrency,
      sla: inputs.sla,
      minHealthy: inputs.minHealthy,
      resolver: resolver.describe(),
    },
    check,
    ...(drill ? { drill } : {}),
    passed: problems.length === 0,
    problems,
  };
  const dir = deps.env['RUNNER_TEMP'] ?? process.cwd();
  mkdirSync(dir, { recursive: true });
  const reportPath = join(
    dir,
    `failover-check-report-${deps.env['GITHUB_RUN_ID'] ?? 'local'}-${Date.now()}.json`,
  );
  writeFileSync(reportPath, JSON.stringify(buildJsonReport(report), null, 2));

  io.setOutput('healthy', String(check.healthy));
  io.setOutput('healthy-regions', JSON.stringify(check.healthyRegions));
  io.setOutput('unhealthy-regions', JSON.stringify(check.unhealthyRegions));
  if (drill?.rtoMs !== undefined) io.setOutput('rto-seconds', (drill.rtoMs / 1000).toFixed(3));
  if (drill?.firstSuccessMs !== undefined)
    io.setOutput('first-success-seconds', (drill.firstSuccessMs / 1000).toFixed(3));
  io.setOutput('report', reportPath);
  await io.appendSummary(renderSummary(report));

  if (problems.length) throw new ActionError(`Failover check failed: ${problems.join('; ')}`);
  io.info(
    `Failover check passed: ${check.healthyRegions.length} of ${check.regions.length} regions healthy${drill ? `, drill passed with RTO ${((drill.rtoMs ?? 0) / 1000).toFixed(3)}s` : ''}.`,
  );
}
