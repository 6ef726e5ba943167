/**
 * failover-check in the demo. Two regions of the rating service (embedded store, replicating to each other every
 * 200 ms), us-east-1 on 127.0.0.2 and eu-west-1 on 127.0.0.3 (same port), behind a local entry point with health
 * checks on 127.0.0.10 (entry-point.ts). With dnsmasq installed, the failover record `rating.openclaw.test`
 * points at the entry point on a local DNS server, and failover-check checks it. With Prometheus and Alertmanager
 * installed, the alerting pack watches both regions (alerting.ts).
 *
 * Three runs of the action:
 * - health: both regions against an SLA, the failover record: healthy, the step passes;
 * - drill: inject stops us-east-1 (SIGKILL, through a control endpoint of the demo, which owns the processes),
 *   the entry point fails over to eu-west-1, failover-check measures the RTO there and checks that a rating written
 *   before the fault is still served; recover restarts us-east-1, after the page arrived when alerting runs (the
 *   region stays down until the page, or a deadline), so the alert of the drill is shown arriving;
 * - outage (while the drill holds us-east-1 down): both regions probed: us-east-1 unhealthy, the step fails, as
 *   a workflow step would.
 */
import { findFreePort } from '../../service/testing/process.js';
import { runAction, type RunResult } from '../../test/harness/runner.js';
import { startControlServer, type ControlServer } from '../../test/support/failover/control.js';
import { startDnsmasq, type Dnsmasq } from '../../test/support/failover/dnsmasq.js';
import { startRegion, type Region } from '../../test/support/failover/regions.js';
import { startLoad, type Load } from '../../test/support/load.js';
import { startAlerting, type AlertingStack } from './alerting.js';
import { startEntryPoint, type EntryPoint } from './entry-point.js';
import type { DemoRecord } from './record.js';

const PRIMARY = { name: 'us-east-1', host: '127.0.0.2' };
const STANDBY = { name: 'eu-west-1', host: '127.0.0.3' };
const ENTRY_HOST = '127.0.0.10';
const RECORD = 'rating.openclaw.test';
const SLA = 'p(95)<300ms\nerror-rate<1%';

export interface FailoverSite {
  /** Runs the health check and records its verdict. */
  health(): Promise<void>;
  /** Starts the drill; `faulted` resolves once us-east-1 is down, `done` when the drill run is over. */
  drill(): { faulted: Promise<number>; done: Promise<void> };
  /** Probes both regions while us-east-1 is down, and records the verdict. */
  outage(): Promise<void>;
  stop(): Promise<void>;
}

export interface FailoverOptions {
  record: DemoRecord;
  dnsmasq: boolean;
  alerting: boolean;
  /** The latest time to wait for the page until (epoch ms). */
  pageDeadline: number;
}

const outcome = (r: RunResult) => `step ${r.exitCode === 0 ? 'passes' : 'fails'}`;

export async function startFailoverSite(options: FailoverOptions): Promise<FailoverSite> {
  const { record } = options;
  const port = await findFreePort();
  const url = (host: string) => `http://${host}:${port}`;
  const replication = { REPLICATION_INTERVAL_MS: '200', REPLICATION_TIMEOUT_MS: '1000' };
  // everything at once: the regions, the DNS server, the alerting stack (it knows the regions' addresses already)
  const [east, west, dns, alerting] = (await Promise.all([
    ...[
      [PRIMARY, STANDBY],
      [STANDBY, PRIMARY],
    ].map(([self, peer]) =>
      startRegion({
        name: self!.name,
        host: self!.host,
        port,
        env: { PEERS: url(peer!.host), ...replication },
      }),
    ),
    options.dnsmasq ? startDnsmasq({ records: { [RECORD]: [ENTRY_HOST] } }) : undefined,
    options.alerting
      ? startAlerting([PRIMARY, STANDBY].map((r) => ({ name: r.name, address: `${r.host}:${port}` })))
      : undefined,
  ])) as [Region, Region, Dnsmasq | undefined, AlertingStack | undefined];
  const entry: EntryPoint = await startEntryPoint({
    host: ENTRY_HOST,
    port,
    backends: [east, west].map((r) => ({ name: r.name, url: r.url })),
  });
  // the alert must be honest: Prometheus has seen both regions up before the fault
  if (alerting) await alerting.waitUntilUp([PRIMARY.name, STANDBY.name]);
  if (!dns) record.notes.push('dnsmasq is not installed: the failover record was not checked.');

  // bounded traffic on both regions and through the entry point, for as long as the demo may run
  const load: Load = startLoad(
    [east.url, west.url, entry.url].flatMap((base) =>
      ['a', 'b', 'c'].map((x) => `${base}/v1/subjects/item-${x}/rating`),
    ),
    { ratePerSecond: 60, maxDurationMs: 120_000, workers: 4 },
  );

  // a rating written in us-east-1 and replicated to eu-west-1: the drill checks it survives the failover
  const stateUrl = `${dns ? `http://${RECORD}:${port}` : entry.url}/v1/subjects/lamp-42/rating`;
  await fetch(`${east.url}/v1/subjects/lamp-42/ratings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'evt-demo-1', actor: 'user-1', stars: 5 }),
  }).then((r) => r.arrayBuffer());
  const replicatedBy = Date.now() + 10_000;
  while (Date.now() < replicatedBy) {
    const answer = (await fetch(`${west.url}/v1/subjects/lamp-42/rating`)
      .then((r) => r.json())
      .catch(() => ({}))) as { count?: number };
    if (answer.count === 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  let faultAt = 0;
  let markFaulted: (at: number) => void = () => undefined;
  const faulted = new Promise<number>((resolve) => (markFaulted = resolve));
  let pageLine = '';
  const control: ControlServer = await startControlServer({
    'stop-us-east-1': async () => {
      await east.kill();
      faultAt = Date.now();
      markFaulted(faultAt);
    },
    'restore-us-east-1': async () => {
      if (alerting) {
        const page = await alerting.waitForPage(PRIMARY.name, options.pageDeadline);
        pageLine = page
          ? `RatingRegionDown paged`
          : `no page within ${((options.pageDeadline - faultAt) / 1000).toFixed(0)} s of the fault`;
        const firing = alerting.firingAt(PRIMARY.name);
        const detail = page
          ? `fault-to-page ${((page.at - faultAt) / 1000).toFixed(1)} s (fault → firing ${firing ? ((firing - faultAt) / 1000).toFixed(1) : '?'} s, for: 1m; firing → page ${firing ? ((page.at - firing) / 1000).toFixed(1) : '?'} s, group_wait 30s): "${page.body.payload?.summary}", runbook ${page.body.client_url}`
          : `Prometheus ${firing ? `had it firing after ${((firing - faultAt) / 1000).toFixed(1)} s` : 'never had it firing'}; pages received: ${alerting.standIn.pagerduty.length}`;
        record.verdict('alerting us-east-1 down', 'RatingRegionDown paged', pageLine, { detail });
      }
      await east.restart();
    },
  });

  const regions = [east, west]
    .map((r) => `- name: ${r.name}\n  url: ${r.url}\n  expect-region: ${r.name}`)
    .join('\n');
  const dnsInputs: Record<string, string> = dns
    ? { 'dns-name': RECORD, 'dns-resolver': dns.server, 'dns-expect': ENTRY_HOST }
    : {};
  const run = (inputs: Record<string, string>, timeoutMs = 60_000) =>
    runAction({
      action: 'failover-check',
      eventName: 'schedule',
      event: { schedule: '0 6 * * 1' },
      inputs: { regions, sla: SLA, ...dnsInputs, ...inputs },
      timeoutMs,
    });
  const dnsDetail = (r: RunResult) => {
    const text = r.runnerTemp[r.outputs['report'] ?? ''];
    const dnsReport = text ? (JSON.parse(text) as { dns?: { ok: boolean } }).dns : undefined;
    return dnsReport
      ? `, record ${RECORD} ${dnsReport.ok ? 'as expected' : 'wrong'}`
      : ', record not checked';
  };

  return {
    async health() {
      const r = await run({});
      const saved = record.save('failover-check', '1-health', r);
      record.verdict(
        'failover-check health',
        'healthy (step passes)',
        `${r.outputs['healthy'] === 'true' ? 'healthy' : 'unhealthy'} (${outcome(r)})`,
        { detail: `regions ${r.outputs['healthy-regions']}${dnsDetail(r)}`, links: [saved.link] },
      );
    },
    drill() {
      const done = run(
        {
          'drill-inject': `curl -fsS -X POST ${control.url}/stop-us-east-1`,
          'drill-recover': `curl -fsS -X POST ${control.url}/restore-us-east-1`,
          'drill-url': dns ? `http://${RECORD}:${port}/health` : `${entry.url}/health`,
          'drill-expect-region': STANDBY.name,
          'drill-interval': '200ms',
          'drill-stable': '5',
          'drill-timeout': '2m',
          'rto-max': '30s',
          'drill-state-url': stateUrl,
        },
        150_000,
      ).then((r) => {
        const text = r.runnerTemp[r.outputs['report'] ?? ''];
        const drill = text ? (JSON.parse(text) as { drill?: { status: string } }).drill : undefined;
        const saved = record.save('failover-check', '3-drill', r);
        record.verdict(
          'failover-check drill',
          `drill passed, ${STANDBY.name} serves (step passes)`,
          `drill ${drill?.status ?? 'not run'}, ${STANDBY.name} serves (${outcome(r)})`,
          {
            detail: `RTO ${r.outputs['rto-seconds'] ?? '?'} s through the entry point (first success ${r.outputs['first-success-seconds'] ?? '?'} s)${pageLine ? `; us-east-1 kept down until: ${pageLine}` : ''}`,
            links: [saved.link],
          },
        );
      });
      return { faulted, done };
    },
    async outage() {
      // once the entry point has failed over (its health checks take about half a second), so the failover
      // record's probe meets the standby rather than the switch
      const switched = Date.now() + 10_000;
      while (entry.current() !== STANDBY.name && Date.now() < switched)
        await new Promise((r) => setTimeout(r, 100));
      const r = await run({ samples: '5' });
      const saved = record.save('failover-check', '2-during-the-outage', r);
      const unhealthy = JSON.parse(r.outputs['unhealthy-regions'] ?? '[]') as string[];
      record.verdict(
        'failover-check during the outage',
        `${PRIMARY.name} unhealthy (step fails)`,
        `${unhealthy.join(', ') || 'none'} unhealthy (${outcome(r)})`,
        { detail: `healthy ${r.outputs['healthy-regions']}${dnsDetail(r)}`, links: [saved.link] },
      );
    },
    async stop() {
      await load.stop();
      await Promise.allSettled([
        control.close(),
        entry.close(),
        east.stop(),
        west.stop(),
        dns?.stop(),
        alerting?.stop(),
      ]);
    },
  };
}
