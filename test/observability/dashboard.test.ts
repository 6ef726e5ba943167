/**
 * The Grafana dashboard (templates/observability/grafana): well-formed for Grafana's provisioning, every query valid
 * PromQL as a real Prometheus parses it, every metric it reads exported by the real service (or `up`, `ALERTS`, or
 * recorded by the rule files). That each query returns data from running regions is shown in alerting.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import {
  DASHBOARD,
  dashboardQueries,
  exportedMetricNames,
  metricNames,
  substituteVariables,
} from './promql.js';

const GRAFANA = join(DASHBOARD, '..', '..');
const RULES_DIR = join(GRAFANA, '..', 'prometheus', 'rules');
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
const queries = dashboardQueries(dashboard);
const recorded = new Set(
  readdirSync(RULES_DIR).flatMap((f) =>
    (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups: { rules: { record?: string }[] }[] }).groups
      .flatMap((g) => g.rules)
      .flatMap((r) => (r.record === undefined ? [] : [r.record])),
  ),
);

describe('dashboard JSON and provisioning', () => {
  test('one dashboard with a stable uid, unique panel ids, panels inside the 24-column grid', () => {
    expect(dashboard).toMatchObject({
      uid: 'openclaw-rating',
      title: expect.any(String),
      schemaVersion: expect.any(Number),
    });
    const panels = dashboard.panels as any[];
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets)
        expect(t).toMatchObject({ refId: expect.any(String), expr: expect.any(String) });
    }
  });

  test('covers what the issue asks: requests, errors, latency per region and route; buckets; replication; canary', () => {
    const all = queries.map((q) => q.raw).join('\n');
    expect(all).toContain('sum by (region, route) (rate(http_requests_total');
    expect(all).toMatch(/code=~"5\.\."/);
    expect(all).toContain('histogram_quantile(0.99, sum by (region, route, le)');
    expect(all).toContain('token_bucket_fill_ratio');
    expect(all).toContain('by (region, peer) (replication_lag_seconds');
    expect(all).toContain('by (region, peer, outcome) (rate(replication_pulls_total');
    expect(all).toContain('by (region, track');
  });

  test('every variable a query uses is defined by the dashboard or built into Grafana', () => {
    const defined = new Set((dashboard.templating.list as any[]).map((v) => v.name));
    for (const q of queries)
      for (const [, braced, bare] of q.raw.matchAll(/\$\{(\w+)\}|\$(\w+)/g)) {
        const name = braced ?? bare ?? '';
        expect(name.startsWith('__') || defined.has(name)).toBe(true);
      }
    expect(() => substituteVariables('rate(x[$__undefined_thing])')).toThrow(/unknown Grafana variable/);
  });

  test('provisioning: a Prometheus data source with the uid the variable defaults to, a file provider', () => {
    const ds = parse(readFileSync(join(GRAFANA, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'));
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', uid: 'prometheus', url: '${PROMETHEUS_URL}' }),
    ]);
    const dp = parse(readFileSync(join(GRAFANA, 'provisioning', 'dashboards', 'openclaw.yml'), 'utf8'));
    expect(dp.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: expect.any(String) }),
      }),
    ]);
  });
});

describe('dashboard queries against the real service and a real Prometheus', () => {
  let prometheus: PrometheusServer;
  let exported: Set<string>;

  beforeAll(async () => {
    [prometheus, exported] = await Promise.all([startPrometheus([]), exportedMetricNames()]);
  }, 40_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  const query = async (expr: string) =>
    (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`).then((r) =>
      r.json(),
    )) as {
      status: string;
      errorType?: string;
      error?: string;
    };

  test('Prometheus refuses invalid PromQL (so the next test can fail)', async () => {
    const answer = await query('sum by (region (rate(http_requests_total[1m]))');
    expect(answer).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  test.each(queries.map((q) => [`${q.panel} ${q.refId}`, q] as const))('%s parses', async (_name, q) => {
    const answer = await query(q.expr);
    expect({ expr: q.expr, status: answer.status, error: answer.error }).toEqual({
      expr: q.expr,
      status: 'success',
      error: undefined,
    });
  });

  test('every metric a query reads is exported by the service, or up / ALERTS, or recorded by the rule files', () => {
    const unknown = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((m) => !exported.has(m) && !['up', 'ALERTS'].includes(m) && !recorded.has(m))
        .map((m) => `${q.panel}: ${m}`),
    );
    expect(unknown).toEqual([]);
    expect(exported.has('token_bucket_fill_ratio')).toBe(true);
    expect(exported.has('replication_lag_seconds')).toBe(true);
  });
});
