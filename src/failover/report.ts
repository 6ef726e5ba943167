/**
 * The failover report: a JSON document with every probe and its timing (the `report` output), and the job
 * summary: a table of the regions (status, p50/p95/p99, errors, failing SLA lines) with a table per region, the
 * failover record's answers, and the drill: its milestones, a Mermaid chart of the probes over time, and the
 * timeline of every probe (time since the fault, address, region that answered, outcome).
 */
import { codeSpan, details, escapeHtml } from '../common/markdown.js';
import type { HealthReport, RegionReport } from './check.js';
import type { DrillReport } from './drill.js';
import { describeFailures, type AddressResult } from './health.js';
import type { ProbeResult } from './model.js';
import { formatLatency, formatRate, type SampleStats, type SlaAssertion } from './sla.js';
import { describeShellResult } from './shell.js';

export interface ReportSettings {
  healthPath: string;
  expectedStatus: string;
  bodyMatch?: string;
  timeoutMs: number;
  samples: number;
  concurrency: number;
  sla: SlaAssertion[];
  minHealthy: number;
  resolver: string;
}

export interface FailoverReport {
  startedAt: string;
  finishedAt: string;
  settings: ReportSettings;
  check: HealthReport;
  drill?: DrillReport;
  /** The step's verdict: true when it passes. */
  passed: boolean;
  problems: string[];
}

function sampleJson(s: ProbeResult, n: number): unknown {
  return {
    n,
    startedAt: new Date(s.startedAt).toISOString(),
    address: s.address,
    ok: s.ok,
    status: s.status,
    region: s.region,
    latencyMs: s.timings.totalMs,
    timings: s.timings,
    failure: s.failure,
  };
}

function statsJson(stats: SampleStats): unknown {
  const { sorted: _sorted, ...rest } = stats;
  return rest;
}

function addressJson(a: AddressResult): unknown {
  return {
    address: a.address,
    down: a.verdict.down,
    reasons: a.verdict.reasons,
    answeredBy: a.answeredBy,
    stats: statsJson(a.stats),
    samples: a.samples.map((s, i) => sampleJson(s, i + 1)),
  };
}

/** The JSON written to the `report` path. */
export function buildJsonReport(report: FailoverReport): unknown {
  const { check, drill } = report;
  return {
    tool: 'failover-check',
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    passed: report.passed,
    healthy: check.healthy,
    healthyRegions: check.healthyRegions,
    unhealthyRegions: check.unhealthyRegions,
    problems: report.problems,
    settings: {
      ...report.settings,
      sla: report.settings.sla.map((a) => a.line),
      quantiles: 'linear interpolation between the nearest ranks (k6), over successful samples',
    },
    regions: check.regions.map((r) => ({
      name: r.name,
      url: r.url,
      host: r.host,
      expectRegion: r.expectRegion,
      status: r.verdict.status,
      reasons: r.verdict.reasons,
      resolution: r.resolution,
      stats: statsJson(r.verdict.stats),
      sla: r.verdict.sla,
      addresses: r.addresses.map(addressJson),
    })),
    dns: check.dns
      ? {
          ...check.dns,
          addresses: check.dns.addresses.map(addressJson),
        }
      : undefined,
    drill: drill
      ? {
          ...drill,
          rtoSeconds: drill.rtoMs === undefined ? undefined : drill.rtoMs / 1000,
          firstSuccessSeconds: drill.firstSuccessMs === undefined ? undefined : drill.firstSuccessMs / 1000,
          probes: drill.probes.map((p) => ({
            ...p,
            atSeconds: p.atMs / 1000,
            results: p.results.map((r, i) => sampleJson(r, i + 1)),
          })),
        }
      : undefined,
  };
}

function cell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const code = (text: string) => codeSpan(text, { inTable: true });

function latency(stats: SampleStats, key: 'p50' | 'p95' | 'p99'): string {
  return stats.latency ? formatLatency(stats.latency[key]) : '—';
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${+(ms / 1000).toFixed(3)} s`;
}

function regionRow(r: RegionReport): string {
  const stats = r.verdict.stats;
  const status = r.verdict.status === 'healthy' ? '✅ healthy' : '❌ unhealthy';
  const failing = r.verdict.sla.filter((s) => !s.pass);
  const addresses = r.resolution.addresses.length ? r.resolution.addresses.join(', ') : 'unresolved';
  const errors = r.resolution.problem
    ? r.resolution.problem
    : describeFailures(r.addresses.flatMap((a) => a.samples)) || '—';
  return `| ${code(r.name)} | ${cell(addresses)} | ${status} | ${stats.succeeded}/${stats.samples} | ${latency(stats, 'p50')} | ${latency(stats, 'p95')} | ${latency(stats, 'p99')} | ${cell(errors)} | ${failing.length ? failing.map((s) => `${code(s.line)} (${cell(s.note)})`).join('<br>') : '—'} |`;
}

function regionDetails(r: RegionReport): string {
  const lines: string[] = [];
  lines.push(
    `URL ${code(r.url)}${r.expectRegion ? `, must report region ${code(r.expectRegion)}` : ''}.`,
    '',
  );
  if (r.verdict.reasons.length) {
    for (const reason of r.verdict.reasons) lines.push(`- ${cell(reason)}`);
    lines.push('');
  }
  lines.push(
    '| address | status | samples | min | p50 | p95 | p99 | max | answered by | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const a of r.addresses) {
    const s = a.stats;
    const by = Object.entries(a.answeredBy)
      .map(([region, n]) => `${region} ×${n}`)
      .join(', ');
    lines.push(
      `| ${code(a.address)} | ${a.verdict.down ? '❌ down' : '✅ up'} | ${s.succeeded}/${s.samples} | ${s.latency ? formatLatency(s.latency.min) : '—'} | ${latency(s, 'p50')} | ${latency(s, 'p95')} | ${latency(s, 'p99')} | ${s.latency ? formatLatency(s.latency.max) : '—'} | ${cell(by || '—')} | ${cell(describeFailures(a.samples) || '—')} |`,
    );
  }
  if (r.verdict.sla.length) {
    lines.push('', '| SLA | measured | result |', '|---|---|---|');
    for (const s of r.verdict.sla)
      lines.push(`| ${code(s.line)} | ${cell(s.note)} | ${s.pass ? '✅ holds' : '❌ broken'} |`);
  }
  return lines.join('\n');
}

function dnsSection(check: HealthReport): string[] {
  const dns = check.dns;
  if (!dns) return [];
  const lines = [`#### ${dns.ok ? '✅' : '❌'} Failover record ${codeSpan(dns.name)}`, ''];
  lines.push(
    `Asked ${cell(dns.resolver)}${dns.expected ? `; expected ${dns.expected.map((e) => codeSpan(e)).join(', ')}` : ''}.`,
    '',
  );
  if (dns.error) lines.push(`**${cell(dns.error)}**`, '');
  if (dns.answer) {
    lines.push('| record | answer | TTL | probe |', '|---|---|---:|---|');
    for (const c of dns.answer.cnames) lines.push(`| CNAME | ${code(c)} | — | — |`);
    for (const a of dns.answer.addresses) {
      const probed = dns.addresses.find((p) => p.address === a.address);
      const probe = probed
        ? `${probed.verdict.down ? '❌ down' : '✅ up'} ${probed.stats.succeeded}/${probed.stats.samples}${probed.stats.latency ? `, p95 ${formatLatency(probed.stats.latency.p95)}` : ''}${Object.keys(probed.answeredBy).length ? `, ${Object.keys(probed.answeredBy).join(', ')}` : ''}${probed.verdict.down ? `: ${describeFailures(probed.samples)}` : ''}`
        : '—';
      lines.push(
        `| ${a.family === 6 ? 'AAAA' : 'A'} | ${code(a.address)} | ${a.ttl ?? '—'} | ${cell(probe)} |`,
      );
    }
    lines.push('', `Each address probed on its own at ${code(dns.probeUrl)} (Host ${code(dns.name)}).`, '');
  }
  for (const p of dns.problems) lines.push(`- ❌ ${cell(p)}`);
  if (dns.problems.length) lines.push('');
  return lines;
}

/** Picks at most `max` probes for the chart, keeping the first success and the last probe. */
function chartProbes(drill: DrillReport, max = 60): DrillReport['probes'] {
  const probes = drill.probes;
  if (probes.length <= max) return probes;
  const step = Math.ceil(probes.length / max);
  const firstSuccess = probes.findIndex((p) => p.success);
  return probes.filter((_, i) => i % step === 0 || i === firstSuccess || i === probes.length - 1);
}

export function drillChart(drill: DrillReport): string {
  const probes = chartProbes(drill);
  if (probes.length === 0) return '';
  const latencyOf = (p: DrillReport['probes'][number]) =>
    p.success ? Math.max(...p.results.map((r) => r.timings.totalMs)) : 0;
  const max = Math.max(1, ...probes.map(latencyOf));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "Drill: latency of each probe of the entry point (0 = failed)"`,
    `  x-axis "seconds since the fault (inject returned)" [${probes.map((p) => `"${(p.atMs / 1000).toFixed(1)}"`).join(', ')}]`,
    `  y-axis "latency (ms)" 0 --> ${Math.ceil(max * 1.1)}`,
    `  bar [${probes.map((p) => Math.round(latencyOf(p) * 10) / 10).join(', ')}]`,
    '```',
  ].join('\n');
}

function drillSection(drill: DrillReport): string[] {
  const icon = drill.status === 'passed' ? '✅' : '❌';
  const lines = [`#### ${icon} Drill: ${drill.status}`, ''];
  const s = drill.settings;
  lines.push(
    `Entry point ${codeSpan(s.url)}${s.expectRegion ? `, expected region ${codeSpan(s.expectRegion)}` : ''}; a probe every ${seconds(s.intervalMs)}, recovered after ${s.stable} successes in a row, drill-timeout ${seconds(s.timeoutMs)}${s.rtoMaxMs !== undefined ? `, rto-max ${seconds(s.rtoMaxMs)}` : ''}.`,
    '',
  );
  for (const p of drill.problems) lines.push(`- ❌ ${cell(p)}`);
  if (drill.problems.length) lines.push('');
  if (drill.status === 'not-started') return lines;
  lines.push('| milestone | time since the fault |', '|---|---:|');
  if (drill.inject)
    lines.push(
      `| drill-inject: ${cell(describeShellResult(drill.inject))} | ${drill.t0 ? `0 s (${drill.t0})` : '—'} |`,
    );
  const first = drill.probes.find((p) => p.success);
  lines.push(
    `| first success${first ? ` (${cell(first.note)})` : ''} | ${seconds(drill.firstSuccessMs)} |`,
    `| **RTO**: first of ${s.stable} successes in a row | **${seconds(drill.rtoMs)}** |`,
    `| recovered: the ${s.stable}th success in a row | ${seconds(drill.recoveredMs)} |`,
  );
  if (drill.recover)
    lines.push(
      `| drill-recover: ${cell(describeShellResult(drill.recover))} | ${seconds(drill.recoverStartMs)} → ${seconds(drill.recoverEndMs)} |`,
    );
  if (drill.steadyAfter)
    lines.push(
      `| steady state after recover: ${drill.steadyAfter.ok ? '✅' : '❌'} (${drill.steadyAfter.attempts} check${drill.steadyAfter.attempts === 1 ? '' : 's'}) | ${seconds((drill.recoverEndMs ?? 0) + drill.steadyAfter.waitedMs)} |`,
    );
  lines.push('');
  if (drill.stateBefore) {
    lines.push(
      `State at ${codeSpan(drill.settings.stateUrl ?? '')}: ${drill.stateMatch === undefined ? 'not read after the fault' : drill.stateMatch ? '✅ the same before the fault and after the failover' : '❌ differs'} (before from ${drill.stateBefore.region ?? drill.stateBefore.address ?? '?'}${drill.stateAfter ? `, after from ${drill.stateAfter.region ?? drill.stateAfter.address ?? '?'}` : ''}).`,
      '',
    );
  }
  const chart = drillChart(drill);
  if (chart) lines.push(chart, '');
  if (drill.probes.length) {
    const rows = [
      '| # | t (s) | address | region | outcome | latency | streak |',
      '|---:|---:|---|---|---|---:|---:|',
      ...drill.probes.map((p) => {
        const latencies = p.results.map((r) => formatLatency(r.timings.totalMs)).join(', ');
        return `| ${p.n} | ${(p.atMs / 1000).toFixed(3)} | ${cell(p.addresses.join(', ') || '—')} | ${cell(p.regions.join(', ') || '—')} | ${p.success ? '✅' : '❌'} ${cell(p.note)} | ${latencies || '—'} | ${p.streak} |`;
      }),
    ].join('\n');
    lines.push(details(`Timeline: ${drill.probes.length} probes`, rows, drill.status !== 'passed'), '');
  }
  return lines;
}

/** Problems that do not fail the step: unhealthy regions the check tolerates under min-healthy. */
export function warningsOf(report: FailoverReport): string[] {
  return report.check.healthy ? report.check.problems : [];
}

/** The step's outputs, by name (`report`, the file's path, is the caller's). */
export function failoverOutputs(report: FailoverReport): Record<string, string> {
  const { check, drill } = report;
  return {
    healthy: String(check.healthy),
    'healthy-regions': JSON.stringify(check.healthyRegions),
    'unhealthy-regions': JSON.stringify(check.unhealthyRegions),
    ...(drill?.rtoMs !== undefined ? { 'rto-seconds': (drill.rtoMs / 1000).toFixed(3) } : {}),
    ...(drill?.firstSuccessMs !== undefined
      ? { 'first-success-seconds': (drill.firstSuccessMs / 1000).toFixed(3) }
      : {}),
  };
}

/** The step's last word: why it failed, every problem on one line, or what passed. */
export function verdictMessage(report: FailoverReport): string {
  const { check, drill } = report;
  if (!report.passed) return `Failover check failed: ${report.problems.join('; ')}`;
  return `Failover check passed: ${check.healthyRegions.length} of ${check.regions.length} regions healthy${drill ? `, drill passed with RTO ${((drill.rtoMs ?? 0) / 1000).toFixed(3)}s` : ''}.`;
}

/**
 * What was probed, for the summary: `health-path` when every region was probed there, else each path with the
 * regions probed at it (a region whose URL has a path of its own is probed at that path).
 */
function probedPaths(report: FailoverReport): string {
  const byPath = new Map<string, string[]>();
  for (const r of report.check.regions) {
    const url = new URL(r.url);
    const path = `${url.pathname}${url.search}`;
    byPath.set(path, [...(byPath.get(path) ?? []), r.name]);
  }
  const paths = [...byPath.keys()];
  if (paths.length === 0) return codeSpan(report.settings.healthPath);
  if (paths.length === 1) return codeSpan(paths[0]!);
  return [...byPath]
    .map(([path, regions]) => `${codeSpan(path)} (${regions.map((name) => codeSpan(name)).join(', ')})`)
    .join(', ');
}

export function renderSummary(report: FailoverReport): string {
  const { check, drill } = report;
  const lines: string[] = [];
  const healthyCount = check.healthyRegions.length;
  lines.push(
    `### ${report.passed ? '✅' : '❌'} Failover check: ${check.healthy ? 'healthy' : 'unhealthy'} · ${healthyCount} of ${check.regions.length} regions healthy${drill ? ` · drill ${drill.status}${drill.rtoMs !== undefined ? `, RTO ${seconds(drill.rtoMs)}` : ''}` : ''}`,
    '',
  );
  if (report.problems.length) {
    for (const p of report.problems) lines.push(`- ${cell(p)}`);
    lines.push('');
  }
  const st = report.settings;
  lines.push(
    `${st.samples} samples per address of ${probedPaths(report)} (status ${code(st.expectedStatus)}${st.bodyMatch ? `, body ${code(st.bodyMatch)}` : ''}, timeout ${seconds(st.timeoutMs)}), at most ${st.concurrency} in flight; names resolved by ${cell(st.resolver)}; ${st.minHealthy} healthy region${st.minHealthy === 1 ? '' : 's'} needed. A region is down after 3 failures in a row or too many failures overall; quantiles over successful samples, linearly interpolated (k6).${st.sla.length ? ` SLA: ${st.sla.map((a) => code(a.line)).join(', ')}.` : ''}`,
    '',
    '| region | address | status | ok | p50 | p95 | p99 | errors | failing SLA |',
    '|---|---|---|---:|---:|---:|---:|---|---|',
    ...check.regions.map(regionRow),
    '',
  );
  for (const r of check.regions) {
    lines.push(
      details(
        `${r.verdict.status === 'healthy' ? '✅' : '❌'} <b>${escapeHtml(r.name)}</b>: ${r.verdict.stats.succeeded}/${r.verdict.stats.samples} ok, error rate ${formatRate(r.verdict.stats.errorRate)}`,
        regionDetails(r),
        r.verdict.status !== 'healthy',
      ),
      '',
    );
  }
  lines.push(...dnsSection(check));
  if (drill) lines.push(...drillSection(drill));
  return lines.join('\n');
}
