/**
 * `npm run demo`: every verdict of the suite on this machine, with nothing but Node (Prometheus, Alertmanager and
 * dnsmasq are used when installed, and the demo says what it skipped when they are not).
 *
 * The built action bundles in dist/ run exactly as the Actions runner runs them (INPUT_* variables, a real
 * webhook payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). A local GitHub API double stands in for github.com (it
 * validates every call against GitHub's OpenAPI description), and the OpenClaw rating service runs as real
 * processes on loopback.
 *
 * 1. plan-comment: two regions of a matrix post their plans, then us-east-1 plans again and edits its comment.
 * 2. apply-gate: the approved plan may be applied; after a new push the approval is stale and the gate refuses.
 * 3. canary-gate: a canary answering 10% of requests with 500 is rolled back, an identical one promoted.
 * 4. failover-check: both regions against an SLA and the failover record; a drill stops us-east-1 and measures
 *    the RTO through a local entry point; a check during the outage finds us-east-1 unhealthy.
 * 5. alerting: during the drill, RatingRegionDown pages the local PagerDuty stand-in (about 91 s after the
 *    fault: `for: 1m` and group_wait 30 s), while steps 1 to 3 run.
 *
 * Every job summary goes to demo-out/<step>/<run>/ as Markdown and as an HTML page with its charts drawn, with
 * demo-out/index.html linking them. One line per verdict at the end; the exit code is 1 when any step did not
 * reach its expected verdict. `--no-alerting` leaves the alerting part out (about 90 s instead of 105 s).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GitHubDouble } from '../test/github-double/server.js';
import { ROOT } from '../test/harness/runner.js';
import { canary } from './demo/canary.js';
import { startFailoverSite, type FailoverSite } from './demo/failover.js';
import { planAndApply } from './demo/plans.js';
import { DemoRecord } from './demo/record.js';
import { killEverythingStarted, onPath, stopEverythingOnSignal } from './demo/system.js';

const OUT = join(ROOT, 'demo-out');
const started = Date.now();
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--no-alerting');
if (unknown.length > 0) {
  console.error(`demo: unknown argument ${unknown.join(' ')} (the only option is --no-alerting)`);
  process.exit(2);
}

const tools = {
  prometheus: onPath('prometheus') !== undefined,
  alertmanager: onPath('prometheus-alertmanager') !== undefined,
  dnsmasq: onPath('dnsmasq') !== undefined,
};
const alerting = tools.prometheus && tools.alertmanager && !args.includes('--no-alerting');

rmSync(OUT, { recursive: true, force: true });
const record = new DemoRecord(OUT);
let gh: GitHubDouble | undefined;
let site: FailoverSite | undefined;
const stopAll = async () => {
  await Promise.allSettled([site?.stop(), gh?.stop()]);
};
stopEverythingOnSignal(stopAll);

console.log(
  [
    'OpenClaw GitOps actions: the demo',
    `   Prometheus ${tools.prometheus ? 'installed' : 'not installed (canary-gate scrapes /metrics instead)'}; ` +
      `Alertmanager ${tools.alertmanager ? 'installed' : 'not installed'}; ` +
      `dnsmasq ${tools.dnsmasq ? 'installed' : 'not installed (no failover record check)'}`,
    alerting
      ? '   alerting: on (the page of the drill arrives about 91 s after the fault; the other steps run meanwhile)'
      : `   alerting: off (${args.includes('--no-alerting') ? '--no-alerting' : 'needs prometheus and prometheus-alertmanager'})`,
  ].join('\n'),
);
if (!alerting)
  record.notes.push(
    args.includes('--no-alerting')
      ? 'alerting left out (--no-alerting).'
      : 'alerting skipped: prometheus and prometheus-alertmanager are not both installed.',
  );

let exitCode = 1;
try {
  console.log(
    '1. failover-check (two rating-service regions, replicating; a local entry point with health checks)',
  );
  [gh, site] = await Promise.all([
    GitHubDouble.start(),
    startFailoverSite({
      record,
      dnsmasq: tools.dnsmasq,
      alerting,
      // the page is due about 91 s after the fault; the demo gives up at 108 s in, to end under two minutes
      pageDeadline: started + 108_000,
    }),
  ]);
  gh.addToken('ghs_workflow_token', 'github-actions[bot]');
  console.log(
    `   regions, entry point${tools.dnsmasq ? ', DNS' : ''}${alerting ? ', Prometheus and Alertmanager' : ''} up ${((Date.now() - started) / 1000).toFixed(1)} s in`,
  );
  await site.health();
  const drill = site.drill();
  await Promise.race([drill.faulted, drill.done]);
  console.log(
    `   drill: us-east-1 stopped ${((Date.now() - started) / 1000).toFixed(1)} s in; ${alerting ? 'kept down until the page arrives; ' : ''}steps 2 to 4 run meanwhile`,
  );
  const outage = site.outage();
  await planAndApply(gh, record);
  await canary(record, tools.prometheus);
  await outage;
  if (alerting)
    console.log('5. alerting: waiting for the drill: us-east-1 stays down until RatingRegionDown pages');
  await drill.done;
  record.verdict(
    'GitHub API contract',
    '0 violations',
    `${gh.violations.length} violation${gh.violations.length === 1 ? '' : 's'}`,
    { detail: gh.violations.slice(0, 3).join('; ') },
  );
  exitCode = record.failed().length === 0 ? 0 : 1;
} catch (error) {
  console.error(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  record.verdict(
    'demo',
    'every step run',
    `stopped: ${error instanceof Error ? error.message : String(error)}`,
  );
} finally {
  await stopAll();
  killEverythingStarted();
}

const index = record.writeIndex();
console.log(`\nVerdicts (${((Date.now() - started) / 1000).toFixed(0)} s):\n${record.report()}`);
for (const note of record.notes) console.log(`note: ${note}`);
console.log(`\nJob summaries (Markdown and HTML) in ${OUT}; open ${index}`);
if (exitCode !== 0)
  console.error(`demo: ${record.failed().length} step(s) did not reach their expected verdict`);
process.exit(exitCode);
