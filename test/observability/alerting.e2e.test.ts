/**
 * Alerting end to end with real parts: the rating service's two regions as processes (us-east-1 with a stable and
 * a canary target, eu-west-1 with one), a real Prometheus scraping them every second with the repository's rule
 * files loaded unmodified, a real Alertmanager with the repository's routing (the copy differs only in
 * `global.pagerduty_url`, pointed at a local PagerDuty stand-in; the routing key and Slack webhook URL files are
 * written beside it), bounded traffic on every route.
 *
 * The fault: eu-west-1's process is killed. RatingRegionDown (`up == 0` for 1 min) fires, Alertmanager waits its
 * group_wait (30 s) and pages PagerDuty in the Events API v2 shape with the region and the runbook link; eu-west-1
 * is restarted and the page resolves at the group's next flush (group_interval of the critical route, 1 min).
 * The test prints the measured times. Before the fault, every dashboard query returns data from these processes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  findFreePort,
  killAllManagedProcesses,
  startServiceProcess,
  type ServiceProcess,
} from '../../service/testing/process.js';
import {
  ALERTMANAGER_CONFIG,
  prepareAlertmanagerConfig,
  startAlertmanager,
  startNotificationStandIn,
  type AlertmanagerServer,
  type NotificationStandIn,
  type ReceivedNotification,
} from '../support/alertmanager.js';
import { startLoad, type Load } from '../support/load.js';
import { startPrometheus, waitForScrapes, type PrometheusServer } from '../support/prometheus.js';
import { DASHBOARD, dashboardQueries } from './promql.js';
import { runbookUrl } from '../support/template.js';

const RULES_DIR = join(ALERTMANAGER_CONFIG, '..', '..', 'prometheus', 'rules');
const RULE_FILES = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(RULES_DIR, f));
const ROUTING_KEY = 'e2e0routing0key0for0the0stand0in';

let standIn: NotificationStandIn;
let alertmanager: AlertmanagerServer;
let alertmanagerDir: string;
let prometheus: PrometheusServer;
let eu: ServiceProcess;
let usStable: ServiceProcess;
let usCanary: ServiceProcess;
let load: Load;
let writing = true;
let writer: Promise<void>;

/** Rating writes and token-bucket takes in every region until stopped (at most 4 minutes). */
async function writeLoop(targets: () => ServiceProcess[]): Promise<void> {
  const started = Date.now();
  let n = 0;
  while (writing && Date.now() - started < 240_000) {
    n++;
    await Promise.all(
      targets().flatMap((s) => [
        fetch(`${s.url}/v1/subjects/item-${n % 5}/ratings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: `evt-${s.port}-${n}`, actor: `user-${n % 50}`, stars: 1 + (n % 5) }),
          signal: AbortSignal.timeout(2000),
        }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
        fetch(`${s.url}/v1/limits/key-${n % 3}/take`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ cost: 5 }),
          signal: AbortSignal.timeout(2000),
        }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      ]),
    );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function promQuery(
  expr: string,
): Promise<{ status: string; error?: string; data?: { result: any[] } }> {
  return (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`).then((r) =>
    r.json(),
  )) as { status: string; error?: string; data?: { result: any[] } };
}

beforeAll(async () => {
  standIn = await startNotificationStandIn();
  const prepared = prepareAlertmanagerConfig({
    pagerdutyUrl: standIn.pagerdutyUrl,
    slackWebhookUrl: standIn.slackWebhookUrl,
    routingKey: ROUTING_KEY,
  });
  alertmanagerDir = prepared.dir;
  alertmanager = await startAlertmanager(prepared.configFile);

  const [euPort, usPort, canaryPort] = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
  const url = (port: number) => `http://127.0.0.1:${port}`;
  [eu, usStable, usCanary] = await Promise.all([
    startServiceProcess({ port: euPort, env: { REGION: 'eu-west-1', PEERS: url(usPort) } }),
    startServiceProcess({ port: usPort, env: { REGION: 'us-east-1', PEERS: url(euPort) } }),
    // a canary with a few faults: the dashboard's canary-vs-stable panels have both tracks, and its 0.2% of 5xx
    // stays far below any burn-rate threshold of the region (about 0.7x the budget)
    startServiceProcess({
      port: canaryPort,
      env: { REGION: 'us-east-1', PEERS: url(euPort), FAULT_ERROR_RATE: '0.002' },
    }),
  ]);
  prometheus = await startPrometheus(
    [
      { address: `127.0.0.1:${euPort}`, labels: { region: 'eu-west-1', track: 'stable' } },
      { address: `127.0.0.1:${usPort}`, labels: { region: 'us-east-1', track: 'stable' } },
      { address: `127.0.0.1:${canaryPort}`, labels: { region: 'us-east-1', track: 'canary' } },
    ],
    1,
    { ruleFiles: RULE_FILES, alertmanagers: [alertmanager.address] },
  );
  const reads = [eu, usStable, usCanary].flatMap((s) =>
    ['a', 'b', 'c'].map((x) => `${s.url}/v1/subjects/item-${x}/rating`),
  );
  load = startLoad(reads, { ratePerSecond: 150, maxDurationMs: 240_000, workers: 6 });
  writer = writeLoop(() => [eu, usStable, usCanary]);
  await waitForScrapes(prometheus.url, 3, 5);
}, 60_000);

afterAll(async () => {
  writing = false;
  await load?.stop();
  await writer;
  await prometheus?.stop();
  await alertmanager?.stop();
  await standIn?.stop();
  await Promise.all([eu, usStable, usCanary].map((s) => s?.stop()));
  killAllManagedProcesses();
  if (alertmanagerDir) rmSync(alertmanagerDir, { recursive: true, force: true });
});

describe('alerting end to end', () => {
  test('Prometheus loaded every rule file unmodified, and knows the Alertmanager', async () => {
    const rules = (await fetch(`${prometheus.url}/api/v1/rules`).then((r) => r.json())) as {
      data: { groups: { file: string; rules: { name: string; health: string }[] }[] };
    };
    expect([...new Set(rules.data.groups.map((g) => g.file))].sort()).toEqual([...RULE_FILES].sort());
    for (const g of rules.data.groups)
      for (const r of g.rules)
        expect({ r: r.name, h: r.health }).toEqual({ r: r.name, h: expect.stringMatching(/ok|unknown/) });
    const ams = (await fetch(`${prometheus.url}/api/v1/alertmanagers`).then((r) => r.json())) as {
      data: { activeAlertmanagers: { url: string }[] };
    };
    expect(ams.data.activeAlertmanagers.map((a) => a.url)).toEqual([
      `http://${alertmanager.address}/api/v2/alerts`,
    ]);
  });

  test('every dashboard query returns data from the running regions', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    // the alert annotation (ALERTS{alertstate="firing"}) has data only while an alert fires: checked in the next test
    const queries = dashboardQueries(dashboard).filter((q) => !q.panel.startsWith('annotation'));
    const deadline = Date.now() + 20_000;
    let empty: string[];
    do {
      empty = [];
      for (const q of queries) {
        const answer = await promQuery(q.expr);
        expect({ expr: q.expr, status: answer.status }).toEqual({ expr: q.expr, status: 'success' });
        if ((answer.data?.result.length ?? 0) === 0) empty.push(`${q.panel} ${q.refId}: ${q.expr}`);
      }
      if (empty.length > 0) await new Promise((r) => setTimeout(r, 1000));
    } while (empty.length > 0 && Date.now() < deadline);
    expect(empty).toEqual([]);
    // the canary panels show both tracks
    const canary = dashboardQueries(dashboard).find((q) => q.panel.startsWith('5xx share: canary'))!;
    const tracks = (await promQuery(canary.expr)).data!.result.map(
      (r) => `${r.metric.region}/${r.metric.track}`,
    );
    expect(tracks.sort()).toEqual(['eu-west-1/stable', 'us-east-1/canary', 'us-east-1/stable']);
  }, 40_000);

  test('killing a region pages PagerDuty (Events API v2, region, runbook); restarting it resolves the page', async () => {
    const down = (n: ReceivedNotification) =>
      n.body.payload?.custom_details?.alertname === 'RatingRegionDown' &&
      n.body.payload?.custom_details?.region === 'eu-west-1';

    const faultAt = Date.now();
    await eu.kill();

    // Prometheus: pending, then firing after for: 1m (every wait bounded)
    let firingAt = 0;
    const firingDeadline = Date.now() + 100_000;
    while (firingAt === 0 && Date.now() < firingDeadline) {
      const alerts = (await fetch(`${prometheus.url}/api/v1/alerts`).then((r) => r.json())) as {
        data: { alerts: { labels: Record<string, string>; state: string }[] };
      };
      if (
        alerts.data.alerts.some((a) => a.labels['alertname'] === 'RatingRegionDown' && a.state === 'firing')
      )
        firingAt = Date.now();
      else await new Promise((r) => setTimeout(r, 500));
    }
    expect(firingAt).toBeGreaterThan(0);

    const page = await standIn.waitFor(
      'pagerduty',
      (n) => down(n) && n.body.event_action === 'trigger',
      60_000,
    );
    const pageAt = page.at;

    // while it fires: the dashboard's alert annotation has it
    const annotation = dashboardQueries(JSON.parse(readFileSync(DASHBOARD, 'utf8'))).find((q) =>
      q.panel.startsWith('annotation'),
    )!;
    const firing = (await promQuery(annotation.expr)).data!.result.map((r) => r.metric.alertname);
    expect(firing).toContain('RatingRegionDown');

    expect(page.body).toEqual(
      expect.objectContaining({
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: expect.any(String),
        client_url: runbookUrl('RatingRegionDown'),
        links: [
          {
            href: runbookUrl('RatingRegionDown'),
            text: 'Runbook: RatingRegionDown',
          },
        ],
        payload: expect.objectContaining({
          summary: '[eu-west-1] Rating service in eu-west-1 is down: no target answers',
          source: 'rating-service/eu-west-1',
          severity: 'critical',
          group: 'eu-west-1',
          class: 'RatingRegionDown',
          custom_details: expect.objectContaining({
            region: 'eu-west-1',
            runbook_url: runbookUrl('RatingRegionDown'),
            firing: '1',
          }),
        }),
      }),
    );
    expect(page.body.payload.custom_details.description).toContain(
      '0 targets of job rating in region eu-west-1',
    );

    // recovery
    const recoveredAt = Date.now();
    await eu.restart();
    const resolve = await standIn.waitFor(
      'pagerduty',
      (n) => n.body.dedup_key === page.body.dedup_key && n.body.event_action === 'resolve',
      100_000,
    );

    // nothing else paged: us-east-1 (with its canary's few 5xx) stayed quiet
    expect(
      standIn.pagerduty.map(
        (n) =>
          `${n.body.payload?.custom_details?.alertname}/${n.body.payload?.custom_details?.region}/${n.body.event_action}`,
      ),
    ).toEqual(['RatingRegionDown/eu-west-1/trigger', 'RatingRegionDown/eu-west-1/resolve']);

    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      [
        `fault-to-page: ${s(pageAt - faultAt)} s (eu-west-1 killed → RatingRegionDown at the PagerDuty stand-in)`,
        `  fault → firing in Prometheus: ${s(firingAt - faultAt)} s (for: 1m, scrape and evaluation every 1 s)`,
        `  firing → page: ${s(pageAt - firingAt)} s (Alertmanager group_wait 30s)`,
        `recovery-to-resolve: ${s(resolve.at - recoveredAt)} s (restart → resolve event; the critical route's group_interval is 1m)`,
      ].join('\n'),
    );
  }, 200_000);
});
