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
import { JUDGES, formatValue } from '../../canary/judges.js';
import { CloudWatchCollector } from '../../canary/providers/cloudwatch.js';
import { PrometheusClient } from '../../canary/providers/prometheus.js';
import { sigV4Signer } from '../../canary/providers/sigv4.js';
import {
  buildJsonReport,
  lookStatus,
  renderCanarySummary,
  type ReportSettings,
} from '../../canary/report.js';
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
          ...(inputs.sigv4 ? { sign: sigV4Signer(inputs.sigv4) } : {}),
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

function logLook(io: ActionIO, inputs: CanaryGateInputs, event: LookEvent): void {
  const parts = [...event.verdicts].map(([name, v]) => {
    const metric = inputs.metrics.find((m) => m.name === name);
    const show = (x: number) =>
      metric?.kind === 'ratio' ? `${(x * 100).toPrecision(3)}%` : formatValue(x, metric?.unit);
    const numbers =
      v.canary !== undefined ? ` canary ${show(v.canary)} baseline ${show(v.baseline ?? NaN)}` : '';
    const status = lookStatus(v, inputs.judge).replace(/^\S+ /, '');
    return `${name}: ${status}${numbers} (${v.note})`;
  });
  io.info(`interval ${event.look}/${inputs.looks} at ${event.at.toISOString()}: ${parts.join('; ')}`);
  if (event.providerProblem)
    io.warning(`interval ${event.look}: the metrics provider failed: ${event.providerProblem}`);
  if (event.criticalFailed.length)
    io.info(`critical metric ${event.criticalFailed.join(', ')} failed: stopping early`);
}

/**
 * The action. `decision` is always set: on an input error, a query the provider rejects, or any other failure
 * that stops the run it is `error` (and the step fails), so a workflow can branch on rollback and on error.
 */
export async function run(io: ActionIO, deps: CanaryGateDeps = defaultDeps()): Promise<void> {
  const state = { decided: false };
  try {
    await analyse(io, deps, state);
  } catch (error) {
    if (!state.decided) io.setOutput('decision', 'error');
    throw error;
  }
}

async function analyse(io: ActionIO, deps: CanaryGateDeps, state: { decided: boolean }): Promise<void> {
  const inputs = parseInputs(io);
  for (const value of Object.values(inputs.headers)) if (value) io.setSecret(value);
  const collector = buildCollector(inputs);
  io.info(
    `Canary analysis: ${inputs.metrics.map((m) => m.name).join(', ')} with the ${inputs.judge} judge, ${inputs.looks} intervals of ${inputs.intervalMs / 1000}s, provider ${collector.describe()}${inputs.sigv4 ? ` (queries signed with SigV4 for ${inputs.sigv4.service} in ${inputs.sigv4.region})` : ''}.`,
  );
  const result = await runCanary(
    {
      metrics: inputs.metrics,
      judge: JUDGES[inputs.judge]!,
      looks: inputs.looks,
      confidence: inputs.confidence,
      promoteConfidence: inputs.promoteConfidence,
      minRequests: inputs.minRequests,
      policy: { passScore: inputs.passScore, marginalScore: inputs.marginalScore, noData: inputs.noData },
      intervalMs: inputs.intervalMs,
      initialDelayMs: inputs.initialDelayMs,
    },
    collector,
    deps.clock,
    (event) => logLook(io, inputs, event),
  );
  const settings: ReportSettings = {
    provider: inputs.provider,
    judge: inputs.judge,
    confidence: inputs.confidence,
    promoteConfidence: inputs.promoteConfidence,
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
  state.decided = true;
  io.setOutput('score', String(result.score));
  io.setOutput('failed-metrics', JSON.stringify(result.failedMetrics));
  io.setOutput('report', reportPath);
  io.setOutput(
    'more-requests',
    result.needed?.canaryRequests !== undefined
      ? String(Math.max(result.needed.canaryRequests, result.needed.baselineRequests ?? 0))
      : '',
  );
  io.setOutput('more-intervals', result.needed ? String(result.needed.intervals) : '');
  await io.appendSummary(renderCanarySummary(result, settings));
  const message = `Canary decision: ${result.decision} (score ${result.score}): ${result.reason}`;
  // error always fails the step (the gate could not judge); the others as fail-on and dry-run say
  if (result.decision !== 'error' && !inputs.failOn.includes(result.decision)) {
    io.info(message);
    return;
  }
  if (inputs.dryRun && result.decision !== 'error') {
    io.warning(`${message} (dry run: the step does not fail)`);
    return;
  }
  throw new ActionError(message);
}
