/**
 * The canary report: a JSON document with every query, sample and judgement (the `report` output), and the job
 * summary: the decision, a table per metric (canary, baseline, effect, confidence, verdict), the looks, and a
 * Mermaid chart of canary against baseline over the intervals, so a reviewer sees why.
 */
import { codeSpan, details, escapeHtml } from '../common/markdown.js';
import { formatValue } from './display.js';
import { describeNeeded } from './judges.js';
import type { LookData, LookVerdict, MetricJudgement } from './model.js';
import { histogramQuantile, histogramTotal } from './stats/histogram.js';
import type { CanaryRunResult, LookEvent } from './run.js';

export interface ReportSettings {
  provider: string;
  judge: string;
  confidence: number;
  /** The confidence needed to promote (default 0.9). */
  promoteConfidence?: number;
  intervalMs: number;
  plannedLooks: number;
  dryRun: boolean;
}

/** Histogram buckets as a JSON object by `le` (`"+Inf"` for the last): a Map would serialise as {}. */
function jsonLook(look: LookData): unknown {
  if (look.kind !== 'histogram') return look;
  const buckets = (b: ReadonlyMap<number, number>) =>
    Object.fromEntries([...b].map(([le, count]) => [le === Infinity ? '+Inf' : String(le), count]));
  return { ...look, canary: buckets(look.canary), baseline: buckets(look.baseline) };
}

export function buildJsonReport(result: CanaryRunResult, settings: ReportSettings): unknown {
  return {
    decision: result.decision,
    score: result.score,
    reason: result.reason,
    failedMetrics: result.failedMetrics,
    settings,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    looksTaken: result.looksTaken,
    stoppedEarly: result.stoppedEarly,
    providerProblems: result.providerProblems,
    needed: result.needed,
    metrics: result.metrics.map((h) => ({
      name: h.metric.name,
      judgement: h.metric,
      final: h.final,
      looks: h.looks.map((look, i) => ({ data: jsonLook(look), verdict: h.verdicts[i] })),
    })),
    queries: result.queries,
  };
}

const ICON: Record<string, string> = { promote: '🟢', rollback: '🔴', inconclusive: '🟡', error: '⛔' };
const STATUS: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'no-data': '⚪ no data',
  inconclusive: '🟡 inconclusive',
};

function pct(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : '−∞';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;
}

function value(metric: MetricJudgement, x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '—';
  return metric.kind === 'ratio' ? `${(x * 100).toPrecision(3)}%` : formatValue(x, metric.unit);
}

/**
 * A look's status as a reviewer should read it: a harm test that did not reach its boundary is not a pass, and a
 * look with nothing to test (no failures in either arm, too few intervals) says so. Only the threshold judge's
 * looks pass or fail on their own.
 */
export function lookStatus(v: LookVerdict, judge: string): string {
  if (v.status !== 'pass') return STATUS[v.status]!;
  if (judge === 'threshold') return '✅ within limit';
  if (v.statistic === undefined || Number.isNaN(v.statistic)) return '⏳ nothing to test yet';
  return '⏳ not significant';
}

function cell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Per-interval canary and baseline values of a metric, for the chart (ratios per interval, not cumulative). */
function series(look: LookData, quantile: number): { canary: number; baseline: number } | undefined {
  if (look.kind === 'histogram') {
    const canary = histogramQuantile(quantile, look.canary);
    const baseline = histogramQuantile(quantile, look.baseline);
    return Number.isNaN(canary) || Number.isNaN(baseline) ? undefined : { canary, baseline };
  }
  if (look.kind === 'ratio') {
    if (look.canary.total === 0 || look.baseline.total === 0) return undefined;
    return {
      canary: look.canary.events / look.canary.total,
      baseline: look.baseline.events / look.baseline.total,
    };
  }
  if (look.kind === 'value') return { canary: look.canary, baseline: look.baseline };
  return undefined;
}

function chart(metric: MetricJudgement, quantile: number, looks: readonly LookData[]): string {
  const { name, kind } = metric;
  const points = looks.map((l) => series(l, quantile));
  const scale = kind === 'ratio' ? 100 : metric.unit === 's' ? 1000 : 1;
  const axis =
    kind === 'ratio'
      ? 'failure rate (%)'
      : metric.unit === 's'
        ? `${kind === 'quantile' ? `p${quantile * 100} ` : ''}latency (ms)`
        : metric.unit
          ? `value (${metric.unit})`
          : 'value';
  const numbers = (pick: 'canary' | 'baseline') =>
    points.map((p) => (p ? Number((p[pick] * scale).toPrecision(4)) : 0)).join(', ');
  const missing = points.filter((p) => !p).length;
  const title = `${name.replace(/"/g, "'")}: canary (first line) vs baseline (second line)`;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "interval" [${looks.map((_, i) => i + 1).join(', ')}]`,
    `  y-axis "${axis}"`,
    `  line [${numbers('canary')}]`,
    `  line [${numbers('baseline')}]`,
    '```',
  ];
  if (missing) lines.push('', `${missing} interval${missing === 1 ? '' : 's'} without data drawn at 0.`);
  return lines.join('\n');
}

function looksTable(
  judge: string,
  metric: MetricJudgement,
  quantile: number,
  looks: readonly LookData[],
  verdicts: readonly LookVerdict[],
): string {
  const rows = looks.map((look, i) => {
    const v = verdicts[i]!;
    const point = series(look, quantile);
    const counts =
      look.kind === 'ratio'
        ? ` (${look.canary.events}/${look.canary.total} vs ${look.baseline.events}/${look.baseline.total})`
        : look.kind === 'histogram'
          ? ` (${Math.round(histogramTotal(look.canary))} vs ${Math.round(histogramTotal(look.baseline))} requests)`
          : '';
    return `| ${i + 1} | ${value(metric, point?.canary)} | ${value(metric, point?.baseline)}${counts} | ${v.statistic === undefined || Number.isNaN(v.statistic) ? '—' : v.statistic.toFixed(2)} | ${v.boundary === undefined ? '—' : v.boundary.toFixed(2)} | ${lookStatus(v, judge)} | ${cell(v.note)} |`;
  });
  return [
    '| interval | canary | baseline | z | boundary | status | note |',
    '|---:|---:|---|---:|---:|---|---|',
    ...rows,
  ].join('\n');
}

export function renderCanarySummary(result: CanaryRunResult, settings: ReportSettings): string {
  const lines: string[] = [];
  lines.push(
    `### ${ICON[result.decision]} Canary: ${result.decision} · score ${result.score}${settings.dryRun ? ' (dry run)' : ''}`,
    '',
  );
  lines.push(
    `${cell(result.reason)}`,
    '',
    `${result.looksTaken} of ${settings.plannedLooks} intervals${result.stoppedEarly ? ' (stopped early)' : ''}, judge ${codeSpan(settings.judge)}, provider ${codeSpan(settings.provider)}, confidence ${(settings.confidence * 100).toFixed(1)}%: false rollbacks bounded by ${((1 - settings.confidence) * 100).toFixed(1)}% over all intervals and metrics${settings.judge === 'sequential' ? `; promotion needs ${((settings.promoteConfidence ?? 0.9) * 100).toFixed(0)}% confidence that every metric is within its tolerance` : ''}.`,
    '',
  );
  if (result.needed) {
    lines.push(
      '> [!NOTE]',
      `> Too little evidence to decide. ${cell(result.needed.metric)}: ${cell(describeNeeded(result.needed))}.`,
      '',
    );
  }
  lines.push(
    '| metric | canary | baseline | effect | harm test 1 − p | verdict |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const h of result.metrics) {
    const last = [...h.verdicts].reverse().find((v) => v.canary !== undefined) ?? h.verdicts.at(-1);
    const confidence = h.verdicts.at(-1)?.confidence;
    lines.push(
      `| ${codeSpan(h.metric.name, { inTable: true })}${h.metric.critical ? ' (critical)' : ''} | ${value(h.metric, last?.canary)} | ${value(h.metric, last?.baseline)} | ${pct(h.final?.effect ?? last?.effect)} | ${confidence === undefined || Number.isNaN(confidence) ? '—' : `${(confidence * 100).toFixed(1)}%`} | ${STATUS[h.final?.status ?? 'no-data']}: ${cell(h.final?.note ?? '')} |`,
    );
  }
  lines.push('');
  if (result.providerProblems.length) {
    lines.push(
      '> [!WARNING]',
      `> The metrics provider failed: ${cell(result.providerProblems.join('; '))}`,
      '',
    );
  }
  for (const h of result.metrics) {
    const q = h.metric.quantile ?? 0.99;
    const body = [
      chart(h.metric, q, h.looks),
      '',
      looksTable(settings.judge, h.metric, q, h.looks, h.verdicts),
    ].join('\n');
    lines.push(
      details(`<b>${escapeHtml(h.metric.name)}</b> per interval`, body, h.final?.status === 'fail'),
      '',
    );
  }
  return lines.join('\n');
}

/** The log line of one look: each metric's status, canary and baseline values, and the judge's note. */
export function describeLook(
  event: LookEvent,
  metrics: readonly MetricJudgement[],
  judge: string,
  plannedLooks: number,
): string {
  const parts = [...event.verdicts].map(([name, v]) => {
    const metric = metrics.find((m) => m.name === name);
    const show = (x: number) =>
      metric?.kind === 'ratio' ? `${(x * 100).toPrecision(3)}%` : formatValue(x, metric?.unit);
    const numbers =
      v.canary !== undefined ? ` canary ${show(v.canary)} baseline ${show(v.baseline ?? NaN)}` : '';
    const status = lookStatus(v, judge).replace(/^\S+ /, '');
    return `${name}: ${status}${numbers} (${v.note})`;
  });
  return `interval ${event.look}/${plannedLooks} at ${event.at.toISOString()}: ${parts.join('; ')}`;
}

/**
 * The `more-requests` and `more-intervals` outputs: for a run inconclusive for lack of evidence, the traffic that
 * would decide (requests: the larger arm's); empty otherwise.
 */
export function trafficOutputs(result: CanaryRunResult): { moreRequests: string; moreIntervals: string } {
  const { needed } = result;
  return {
    moreRequests:
      needed?.canaryRequests !== undefined
        ? String(Math.max(needed.canaryRequests, needed.baselineRequests ?? 0))
        : '',
    moreIntervals: needed ? String(needed.intervals) : '',
  };
}
