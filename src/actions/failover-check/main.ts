/**
 * failover-check: reads the inputs, wires the real resolver, prober, shell and clock into the failover check
 * (src/failover/run.ts), and writes the outputs, the JSON report and the job summary. The step fails when too
 * few regions are healthy, the failover record is wrong, or the drill failed.
 */
import { ActionError } from '../../common/errors.js';
import type { ActionIO } from '../../common/io.js';
import { writeReportFile } from '../../common/report-file.js';
import { systemClock, type Clock } from '../../failover/model.js';
import { httpProber, type Prober } from '../../failover/probe.js';
import {
  buildJsonReport,
  failoverOutputs,
  renderSummary,
  verdictMessage,
  warningsOf,
} from '../../failover/report.js';
import { serverResolver, systemResolver } from '../../failover/resolve.js';
import { headerSecrets, runFailoverCheck } from '../../failover/run.js';
import { bashRunner, type ShellRunner } from '../../failover/shell.js';
import { parseInputs } from './inputs.js';

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

export async function run(io: ActionIO, deps: FailoverCheckDeps = defaultDeps()): Promise<void> {
  const inputs = parseInputs(io);
  for (const secret of headerSecrets(inputs.headers)) io.setSecret(secret);
  const report = await runFailoverCheck(inputs, {
    resolver: inputs.dnsResolver ? serverResolver(inputs.dnsResolver) : systemResolver(),
    prober: deps.prober,
    clock: deps.clock,
    shell: deps.shell,
    workspace: deps.env['GITHUB_WORKSPACE'] || process.cwd(),
    env: deps.env,
    log: (message) => io.info(message),
    group: (title, body) => io.group(title, body),
  });
  for (const warning of warningsOf(report)) io.warning(warning);
  const reportPath = writeReportFile('failover-check', buildJsonReport(report), deps.env);
  for (const [name, value] of Object.entries(failoverOutputs(report))) io.setOutput(name, value);
  io.setOutput('report', reportPath);
  await io.appendSummary(renderSummary(report));
  if (!report.passed) throw new ActionError(verdictMessage(report));
  io.info(verdictMessage(report));
}
