/**
 * canary-gate: compare a canary with its baseline over several intervals and answer promote, rollback or
 * inconclusive. Reads the inputs, builds the provider's collector, runs the analysis on the clock, and writes
 * the outputs, the JSON report and the job summary. A provider that is down, slow or answering errors never
 * leads to promote.
 */
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import { writeReportFile } from '../../common/report-file.js';
import { createCollector } from '../../canary/collectors/index.js';
import { JUDGES } from '../../canary/judges.js';
import {
  buildJsonReport,
  describeLook,
  renderCanarySummary,
  trafficOutputs,
  type ReportSettings,
} from '../../canary/report.js';
import { runCanary, systemClock, type Clock } from '../../canary/run.js';
import { parseInputs } from './inputs.js';

export interface CanaryGateDeps {
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

export const defaultDeps = (): CanaryGateDeps => ({ env: process.env, clock: systemClock });

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
  const collector = createCollector(inputs.source, inputs.metrics, inputs.selectors, inputs.timeoutMs);
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
    (event) => {
      io.info(describeLook(event, inputs.metrics, inputs.judge, inputs.looks));
      if (event.providerProblem)
        io.warning(`interval ${event.look}: the metrics provider failed: ${event.providerProblem}`);
      if (event.criticalFailed.length)
        io.info(`critical metric ${event.criticalFailed.join(', ')} failed: stopping early`);
    },
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
  const reportPath = writeReportFile('canary-gate', buildJsonReport(result, settings), deps.env);
  io.setOutput('decision', result.decision);
  state.decided = true;
  io.setOutput('score', String(result.score));
  io.setOutput('failed-metrics', JSON.stringify(result.failedMetrics));
  io.setOutput('report', reportPath);
  const traffic = trafficOutputs(result);
  io.setOutput('more-requests', traffic.moreRequests);
  io.setOutput('more-intervals', traffic.moreIntervals);
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
