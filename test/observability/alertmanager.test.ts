/**
 * The routing of templates/observability/alertmanager/alertmanager.yml: amtool accepts it, it holds no secret,
 * every alert of the rule files reaches the receiver its severity names, and a real Alertmanager running it
 * inhibits a down region's own error page while paging for it, in PagerDuty's Events API v2 shape (warnings to
 * the Slack webhook), reading the routing key and webhook URL from the files beside it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  ALERTMANAGER_CONFIG,
  prepareAlertmanagerConfig,
  startAlertmanager,
  startNotificationStandIn,
  type AlertmanagerServer,
  type NotificationStandIn,
} from '../support/alertmanager.js';
import { runbookUrl } from '../support/template.js';

const run = promisify(execFile);
const RULES_DIR = join(ALERTMANAGER_CONFIG, '..', '..', 'prometheus', 'rules');

async function amtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('amtool', args, { timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

interface AlertRule {
  alert: string;
  labels: Record<string, string>;
}
function alertRules(): AlertRule[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .flatMap(
      (f) => (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups: { rules: any[] }[] }).groups,
    )
    .flatMap((g) => g.rules)
    .filter((r): r is AlertRule => typeof r.alert === 'string');
}

describe('alertmanager.yml, statically', () => {
  test('amtool check-config accepts it', async () => {
    const { code, out } = await amtool('check-config', ALERTMANAGER_CONFIG);
    expect(out).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  test('amtool check-config refuses a broken copy (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'am-broken-'));
    try {
      const broken = readFileSync(ALERTMANAGER_CONFIG, 'utf8').replace(
        'receiver: pagerduty-critical',
        'receiver: pagerduty-nowhere',
      );
      writeFileSync(join(dir, 'alertmanager.yml'), broken);
      const { code, out } = await amtool('check-config', join(dir, 'alertmanager.yml'));
      expect(code).not.toBe(0);
      expect(out).toContain('pagerduty-nowhere');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no secret literal: the routing key and the webhook URL come from files', () => {
    const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as any;
    const text = readFileSync(ALERTMANAGER_CONFIG, 'utf8');
    for (const receiver of config.receivers) {
      for (const pd of receiver.pagerduty_configs ?? []) {
        expect(pd.routing_key).toBeUndefined();
        expect(pd.service_key).toBeUndefined();
        expect(pd.routing_key_file).toEqual(expect.any(String));
      }
      for (const slack of receiver.slack_configs ?? []) {
        expect(slack.api_url).toBeUndefined();
        expect(slack.api_url_file).toEqual(expect.any(String));
      }
    }
    expect(config.global.slack_api_url).toBeUndefined();
    expect(text).not.toMatch(/hooks\.slack\.com/);
    expect(text).not.toMatch(/\b[0-9a-f]{32}\b/i);
  });

  test('every alert routes to the receiver its severity names, grouped by alert and region', async () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(9);
    for (const rule of rules) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      const { code, out } = await amtool(
        'config',
        'routes',
        'test',
        `--config.file=${ALERTMANAGER_CONFIG}`,
        `alertname=${rule.alert}`,
        `severity=${rule.labels.severity}`,
        'region=eu-west-1',
      );
      expect(code).toBe(0);
      const receiver = out.split('\n').find((l) => !l.startsWith('Warning') && l.trim() !== '');
      expect({ alert: rule.alert, receiver }).toEqual({
        alert: rule.alert,
        receiver: rule.labels.severity === 'critical' ? 'pagerduty-critical' : 'slack-warnings',
      });
    }
    const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as any;
    expect(config.route.group_by).toEqual(['alertname', 'region']);
  });
});

describe('alertmanager.yml in a real Alertmanager', () => {
  let standIn: NotificationStandIn;
  let alertmanager: AlertmanagerServer;
  let configDir: string;
  const routingKey = 'r0ut1ngk3yf0rth3t3st';

  const alert = (labels: Record<string, string>, summary: string) => ({
    labels,
    annotations: {
      summary,
      description: `${labels['alertname']} in ${labels['region']} (test)`,
      runbook_url: runbookUrl(labels['alertname']!),
    },
    startsAt: new Date().toISOString(),
    generatorURL: 'http://prometheus.test/graph',
  });

  beforeAll(async () => {
    standIn = await startNotificationStandIn();
    const prepared = prepareAlertmanagerConfig({
      pagerdutyUrl: standIn.pagerdutyUrl,
      slackWebhookUrl: standIn.slackWebhookUrl,
      routingKey,
    });
    configDir = prepared.dir;
    // the copy differs from the real file in the pagerduty_url line only
    const diff = prepared.copy.split('\n').filter((line, i) => line !== prepared.original.split('\n')[i]);
    expect(diff).toEqual([`  pagerduty_url: ${standIn.pagerdutyUrl}`]);
    alertmanager = await startAlertmanager(prepared.configFile);
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'RatingRegionDown', severity: 'critical', region: 'eu-west-1' }, 'eu-west-1 down'),
        alert(
          {
            alertname: 'RatingErrorBudgetBurnFast',
            severity: 'critical',
            slo: 'availability',
            region: 'eu-west-1',
          },
          'eu-west-1 errors',
        ),
        alert(
          {
            alertname: 'RatingErrorBudgetBurnFast',
            severity: 'critical',
            slo: 'availability',
            region: 'us-east-1',
          },
          'us-east-1 errors',
        ),
        alert(
          {
            alertname: 'RatingTokenBucketNearDepletion',
            severity: 'warning',
            region: 'us-east-1',
            policy: 'writes',
          },
          'us-east-1 writes buckets near depletion',
        ),
      ]),
    });
    expect(response.status).toBe(200);
  }, 30_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await standIn?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  test('the down region inhibits its own error page, not the other region’s', async () => {
    const deadline = Date.now() + 10_000;
    let alerts: any[] = [];
    while (Date.now() < deadline) {
      alerts = (await fetch(`${alertmanager.url}/api/v2/alerts`).then((r) => r.json())) as any[];
      if (alerts.length === 4 && alerts.some((a) => a.status.inhibitedBy.length > 0)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const state = Object.fromEntries(
      alerts.map((a) => [`${a.labels.alertname}/${a.labels.region}`, a.status.state as string]),
    );
    expect(state).toEqual({
      'RatingRegionDown/eu-west-1': 'active',
      'RatingErrorBudgetBurnFast/eu-west-1': 'suppressed',
      'RatingErrorBudgetBurnFast/us-east-1': 'active',
      'RatingTokenBucketNearDepletion/us-east-1': 'active',
    });
  });

  test('pages reach PagerDuty (Events API v2) and warnings reach Slack after group_wait; the inhibited one never', async () => {
    // group_wait is 30 s in the real file: both pages and the warning arrive within it plus a few seconds
    const page = (region: string, alertname: string) => (n: { body: any }) =>
      n.body.payload?.custom_details?.region === region &&
      n.body.payload?.custom_details?.alertname === alertname;
    const [down, errors] = await Promise.all([
      standIn.waitFor('pagerduty', page('eu-west-1', 'RatingRegionDown'), 45_000),
      standIn.waitFor('pagerduty', page('us-east-1', 'RatingErrorBudgetBurnFast'), 45_000),
    ]);
    for (const event of [down, errors]) {
      expect(event.body).toMatchObject({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: expect.any(String),
        payload: { severity: 'critical', source: expect.stringMatching(/^rating-service\//) },
        links: [{ href: expect.stringMatching(/\/docs\/runbooks\/Rating\w+\.md$/) }],
      });
    }
    expect(down.body.payload.summary).toBe('[eu-west-1] eu-west-1 down');
    expect(down.body.links[0].href).toBe(runbookUrl('RatingRegionDown'));
    const warning = await standIn.waitFor('slack', () => true, 15_000);
    expect(warning.body.attachments[0]).toMatchObject({
      title: 'FIRING: RatingTokenBucketNearDepletion in us-east-1',
      title_link: runbookUrl('RatingTokenBucketNearDepletion'),
    });
    // the three groups were flushed together; give a straggler a moment, then: no page for eu-west-1's errors
    await new Promise((r) => setTimeout(r, 2000));
    expect(standIn.pagerduty.filter(page('eu-west-1', 'RatingErrorBudgetBurnFast'))).toEqual([]);
    expect(standIn.pagerduty).toHaveLength(2);
    expect(standIn.slack).toHaveLength(1);
  }, 60_000);
});
