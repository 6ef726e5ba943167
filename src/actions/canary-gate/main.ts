/**
 * canary-gate: compare a canary with its baseline over several intervals and answer promote, rollback or
 * inconclusive. Reads the inputs, builds the provider's collector, runs the analysis on the clock, and writes
 * the outputs, the JSON report and the job summary. A provider that is down, slow or answering errors never
 * leads to promote.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import { PrometheusCollector, ScrapeCollector, type LookCollector } from '../../canary/collect.js';
import { JUDGES, format } from '../../canary/judges.js';
import { CloudWatchCollector } from '../../canary/providers/cloudwatch.js';
import { PrometheusClient } from '../../canary/providers/prometheus.js';
import { buildJsonReport, renderCanarySummary, type ReportSettings } from '../../canary/report.js';
import { runCanary, systemClock, type Clock, type LookEvent } from '../../canary/runner.js';
import { parseInputs, type CanaryGateInputs } from './inputs.js';

export interface CanaryGateDeps {
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

export const defaultDeps = (): CanaryGateDeps => ({ env: process.env, clock: systemClock });

export function buildCollector(inputs: CanaryGateInputs): LookCollector {
  switch (inputs.provider) {
    case 'prometheus':
      return new PrometheusCollector(
        new PrometheusClient({
          url: inputs.prometheusUrl!,
          headers: inputs.headers,
          timeoutMs: inputs.timeoutMs,
        }),
        inputs.metrics,
        inputs.selectors,
      );
    case 'scrape':
      return new ScrapeCollector(inputs.metrics, inputs.targets, inputs.timeoutMs, inputs.headers);
    case 'cloudwatch':
      return CloudWatchCollector.create(
        inputs.awsRegion!,
        inputs.timeoutMs,
        inputs.metrics,
        inputs.selectors,
      );
  }
}

function logLook(io: ActionIO, planned: number, event: LookEvent): void {
  const parts = [...event.verdicts].map(([name, v]) => {
    const numbers =
      v.canary !== undefined ? ` canary ${format(v.canary)} baseline ${format(v.baseline ?? NaN)}` : '';
    return `${name}: ${v.status}${numbers} (${v.note})`;
  });
  io.info(`interval ${event.look}/${planned} at ${event.at.toISOString()}: ${parts.join('; ')}`);
  if (event.providerProblem)
    io.warning(`interval ${event.look}: the metrics provider failed: ${event.providerProblem}`);
  if (event.criticalFailed.length)
    io.info(`critical metric ${event.criticalFailed.join(', ')} failed: stopping early`);
}

export async function run(io: ActionIO, deps: CanaryGateDeps = defaultDeps()): Promise<void> {
  const inputs = parseInputs(io);
  for (const value of Object.values(inputs.headers)) if (value) io.setSecret(value);
  const collector = buildCollector(inputs);
  io.info(
    `Canary analysis: ${inputs.metrics.map((m) => m.name).join(', ')} with the ${inputs.judge} judge, ${inputs.looks} intervals of ${inputs.intervalMs / 1000}s, provider ${collector.describe()}.`,
  );
  const result = await runCanary(
    {
      metrics: inputs.metrics,
      judge: JUDGES[inputs.judge]!,
      looks: inputs.looks,
      confidence: inputs.confidence,
      minRequests: inputs.minRequests,
      policy: { passScore: inputs.passScore, marginalScore: inputs.marginalScore, noData: inputs.noData },
      intervalMs: inputs.intervalMs,
      initialDelayMs: inputs.initialDelayMs,
    },
    collector,
    deps.clock,
    (event) => logLook(io, inputs.looks, event),
  );
  const settings: ReportSettings = {
    provider: inputs.provider,
    judge: inputs.judge,
    confidence: inputs.confidence,
    intervalMs: inputs.intervalMs,
    plannedLooks: inputs.looks,
    dryRun: inputs.dryRun,
  };
  const dir = deps.env['RUNNER_TEMP'] ?? process.cwd();
  mkdirSync(dir, { recursive: true });
  const reportPath = join(
    dir,
    `canary-gate-report-${deps.env['GITHUB_RUN_ID'] ?? 'local'}-${Date.now()}.json`,
  );
  writeFileSync(reportPath, JSON.stringify(buildJsonReport(result, settings), null, 2));
  io.setOutput('decision', result.decision);
  io.setOutput('score', String(result.score));
  io.setOutput('failed-metrics', JSON.stringify(result.failedMetrics));
  io.setOutput('report', reportPath);
  await io.appendSummary(renderCanarySummary(result, settings));
  const message = `Canary decision: ${result.decision} (score ${result.score}): ${result.reason}`;
  if (!inputs.failOn.includes(result.decision)) {
    io.info(message);
    return;
  }
  if (inputs.dryRun) {
    io.warning(`${message} (dry run: the step does not fail)`);
    return;
  }
  throw new ActionError(message);
}
