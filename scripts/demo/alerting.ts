/**
 * The alerting pack as it ships: a real Prometheus scraping the two regions every second with the repository's
 * rule files loaded unmodified, a real Alertmanager with the repository's routing (the copy differs only in
 * `global.pagerduty_url`, pointed at a local PagerDuty stand-in, see test/support/alertmanager.ts), and the
 * stand-in recording every page. RatingRegionDown fires after its `for: 1m`, and Alertmanager pages after its
 * group_wait of 30 s: about 91 s from the fault.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALERTMANAGER_CONFIG,
  prepareAlertmanagerConfig,
  startAlertmanager,
  startNotificationStandIn,
  type AlertmanagerServer,
  type NotificationStandIn,
  type ReceivedNotification,
} from '../../test/support/alertmanager.js';
import { startPrometheus, waitForScrapes, type PrometheusServer } from '../../test/support/prometheus.js';

export const RULES_DIR = join(ALERTMANAGER_CONFIG, '..', '..', 'prometheus', 'rules');

export interface AlertingStack {
  prometheus: PrometheusServer;
  alertmanager: AlertmanagerServer;
  standIn: NotificationStandIn;
  /** The first RatingRegionDown trigger for `region` at the stand-in, or undefined at the deadline. */
  waitForPage(region: string, deadline: number): Promise<ReceivedNotification | undefined>;
  /** When RatingRegionDown for `region` was first seen firing in Prometheus (polled every 500 ms). */
  firingAt(region: string): number | undefined;
  /** Resolves once Prometheus has scraped every one of `regions` as up (at most 20 s, then throws). */
  waitUntilUp(regions: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlerting(regions: { name: string; address: string }[]): Promise<AlertingStack> {
  const ruleFiles = readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(RULES_DIR, f));
  const standIn = await startNotificationStandIn();
  const prepared = prepareAlertmanagerConfig({
    pagerdutyUrl: standIn.pagerdutyUrl,
    slackWebhookUrl: standIn.slackWebhookUrl,
    routingKey: 'demo0routing0key0for0the0stand0in',
  });
  const alertmanager = await startAlertmanager(prepared.configFile);
  const prometheus = await startPrometheus(
    regions.map((r) => ({ address: r.address, labels: { region: r.name, track: 'stable' } })),
    1,
    { ruleFiles, alertmanagers: [alertmanager.address] },
  );
  // scraped at least once (the regions may still be starting: up may be 0 here)
  await waitForScrapes(prometheus.url, regions.length, 1);

  const firing = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const alerts = (await fetch(`${prometheus.url}/api/v1/alerts`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.json())
        .catch(() => undefined)) as
        { data?: { alerts?: { labels: Record<string, string>; state: string }[] } } | undefined;
      for (const a of alerts?.data?.alerts ?? [])
        if (a.labels['alertname'] === 'RatingRegionDown' && a.state === 'firing' && a.labels['region'])
          if (!firing.has(a.labels['region'])) firing.set(a.labels['region'], Date.now());
      await new Promise((r) => setTimeout(r, 500));
    }
  })();

  return {
    prometheus,
    alertmanager,
    standIn,
    firingAt: (region) => firing.get(region),
    async waitUntilUp(names) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = (await fetch(
          `${prometheus.url}/api/v1/query?query=${encodeURIComponent('up{job="rating"} == 1')}`,
        )
          .then((r) => r.json())
          .catch(() => undefined)) as
          { data?: { result?: { metric: Record<string, string> }[] } } | undefined;
        const up = new Set((answer?.data?.result ?? []).map((r) => r.metric['region']));
        if (names.every((n) => up.has(n))) return;
        if (Date.now() > deadline)
          throw new Error(`Prometheus did not see ${names.join(', ')} up within 20 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    waitForPage: (region, deadline) =>
      standIn
        .waitFor(
          'pagerduty',
          (n) =>
            n.body?.event_action === 'trigger' &&
            n.body?.payload?.custom_details?.alertname === 'RatingRegionDown' &&
            n.body?.payload?.custom_details?.region === region,
          Math.max(deadline - Date.now(), 1),
        )
        .catch(() => undefined),
    async stop() {
      polling = false;
      await poller;
      await Promise.allSettled([prometheus.stop(), alertmanager.stop()]);
      await standIn.stop();
      rmSync(prepared.dir, { recursive: true, force: true });
    },
  };
}
