/**
 * Small helpers for the observability tests: the metric names a PromQL expression reads, and the names the rating
 * service really exports (read from /metrics of a running process).
 */
import { startServiceProcess } from '../../service/testing/process.js';

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * The metric names an expression selects: every identifier that is not a function or aggregation (followed by
 * `(`), a keyword, a label name (inside `{}` or a grouping clause), a string, a number or a duration.
 * Good enough for the expressions we write; Prometheus itself checks that they parse.
 */
export function metricNames(expr: string): string[] {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  s = s.replace(/\boffset\s+-?[0-9][0-9a-z]*/g, ' ');
  s = s.replace(/(?<![a-zA-Z_:0-9])[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?/gi, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call !== undefined || name === undefined || KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return [...names].sort();
}

/**
 * Every metric name (histogram series names included: _bucket, _sum, _count) that /metrics of a real service
 * process shows once each of its code paths has run: a rating written and read, a limit taken, and a peer to
 * pull from (an unreachable one: the replication metrics appear on the first failed pull).
 */
export async function exportedMetricNames(): Promise<Set<string>> {
  const service = await startServiceProcess({
    env: { REGION: 'eu-west-1', PEERS: 'http://127.0.0.1:9', REPLICATION_INTERVAL_MS: '50' },
  });
  try {
    const json = { 'content-type': 'application/json' };
    await fetch(`${service.url}/v1/subjects/lamp-1/ratings`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: 'evt-1', actor: 'user-1', stars: 4 }),
    });
    await fetch(`${service.url}/v1/subjects/lamp-1/rating`);
    await fetch(`${service.url}/v1/limits/key-1/take`, { method: 'POST', headers: json, body: '{}' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = await fetch(`${service.url}/metrics`).then((r) => r.text());
      const names = new Set(
        text
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#'))
          .map((l) => l.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/)?.[0] ?? ''),
      );
      if (names.has('replication_pulls_total') || Date.now() > deadline) return names;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await service.stop();
  }
}

export const DASHBOARD = new URL(
  '../../templates/observability/grafana/dashboards/rating-service.json',
  import.meta.url,
).pathname;

export interface DashboardQuery {
  panel: string;
  refId: string;
  /** As written in the dashboard. */
  raw: string;
  /** With the Grafana variables replaced by concrete values. */
  expr: string;
}

/** Grafana's built-in variables and the dashboard's own, with the values the tests query them with. */
export const VARIABLE_VALUES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '5m',
  region: 'us-east-1|eu-west-1',
};

export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const value = VARIABLE_VALUES[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

/** Every query of every panel (rows' nested panels included) and of the annotations. */
export function dashboardQueries(dashboard: any): DashboardQuery[] {
  const panels = (dashboard.panels as any[]).flatMap((p) => [p, ...((p.panels as any[] | undefined) ?? [])]);
  const queries: DashboardQuery[] = panels.flatMap((p) =>
    ((p.targets as any[] | undefined) ?? []).map((t) => ({
      panel: String(p.title),
      refId: String(t.refId),
      raw: String(t.expr),
      expr: substituteVariables(String(t.expr)),
    })),
  );
  for (const a of dashboard.annotations?.list ?? [])
    if (typeof a.expr === 'string')
      queries.push({
        panel: `annotation ${a.name}`,
        refId: '-',
        raw: a.expr,
        expr: substituteVariables(a.expr),
      });
  return queries;
}
