/**
 * The Prometheus rule files of templates/observability/prometheus/rules: promtool accepts them, their promtool unit
 * tests pass (and fail when a rule changes), every alert has a firing and a non-firing case in those tests, the
 * labels and annotations the routing and the on-call need, and a runbook in docs/runbooks/.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { exportedMetricNames, metricNames } from './promql.js';
import { runbookUrl } from '../support/template.js';

const run = promisify(execFile);
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROMETHEUS_DIR = join(REPO, 'templates', 'observability', 'prometheus');
const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const TESTS_DIR = join(PROMETHEUS_DIR, 'tests');
const RUNBOOKS_DIR = join(REPO, 'docs', 'runbooks');

const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.test.yml'))
  .sort();

async function promtool(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd, timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const allRules: (Rule & { file: string })[] = ruleFiles.flatMap((file) =>
  (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: { rules: Rule[] }[] }).groups
    .flatMap((g) => g.rules)
    .map((r) => ({ ...r, file })),
);
const recorded = new Set(allRules.flatMap((r) => (r.record === undefined ? [] : [r.record])));

const alerts: (Rule & { alert: string; file: string })[] = ruleFiles.flatMap((file) =>
  (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: { rules: Rule[] }[] }).groups
    .flatMap((g) => g.rules)
    .filter((r): r is Rule & { alert: string } => typeof r.alert === 'string')
    .map((r) => ({ ...r, file })),
);

describe('rule files', () => {
  test('there are rule files, each with a unit test file of the same name', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(5);
    expect(testFiles).toEqual(ruleFiles.map((f) => f.replace(/\.yml$/, '.test.yml')));
  });

  test('promtool check rules accepts every rule file', async () => {
    const { code, out } = await promtool(['check', 'rules', ...ruleFiles], RULES_DIR);
    expect(out).not.toContain('FAILED');
    expect(code).toBe(0);
  });

  test.each(testFiles)('promtool test rules %s passes', async (file) => {
    const { code, out } = await promtool(['test', 'rules', file], TESTS_DIR);
    expect(out).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  test('the unit tests fail when a rule changes (RatingRegionDown with for: 2m instead of 1m)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-broken-'));
    try {
      cpSync(PROMETHEUS_DIR, dir, { recursive: true });
      const file = join(dir, 'rules', 'rating-targets.yml');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('for: 1m');
      writeFileSync(file, text.replace('for: 1m', 'for: 2m'));
      const { code, out } = await promtool(['test', 'rules', 'rating-targets.test.yml'], join(dir, 'tests'));
      expect(out).toContain('FAILED');
      expect(out).toContain('RatingRegionDown');
      expect(code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('promtool check rules refuses a rule that is not PromQL (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-invalid-'));
    try {
      writeFileSync(
        join(dir, 'bad.yml'),
        'groups:\n  - name: bad\n    rules:\n      - alert: Bad\n        expr: rate(token_bucket_fill_ratio[1m] < 0.1\n',
      );
      const { code, out } = await promtool(['check', 'rules', 'bad.yml'], dir);
      expect(out).toContain('FAILED');
      expect(code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what the rules read', () => {
  let exported: Set<string>;
  beforeAll(async () => {
    exported = await exportedMetricNames();
  }, 30_000);

  test('every metric a rule reads is exported by the service, is `up`, or is recorded by these rules', () => {
    expect(exported.has('http_requests_total')).toBe(true);
    const unknown = allRules.flatMap((r) =>
      metricNames(r.expr)
        .filter((m) => !exported.has(m) && m !== 'up' && !recorded.has(m))
        .map((m) => `${r.alert ?? r.record}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  test('the known-wrong token-bucket rule would be caught: no such metric', () => {
    expect(
      metricNames('rate(openclaw_token_bucket_available[1m]) < 0.1').filter((m) => !exported.has(m)),
    ).toEqual(['openclaw_token_bucket_available']);
  });

  test('recorded names follow level:metric:operations, and every recorded series is read by an alert', () => {
    for (const name of recorded) expect(name).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
    const read = new Set(allRules.filter((r) => r.alert !== undefined).flatMap((r) => metricNames(r.expr)));
    const readByRecordings = new Set(
      allRules.filter((r) => r.record !== undefined).flatMap((r) => metricNames(r.expr)),
    );
    const unused = [...recorded].filter(
      (n) => !read.has(n) && !readByRecordings.has(n) && !/burn_rate/.test(n),
    );
    expect(unused).toEqual([]);
  });
});

describe.each(alerts.map((a) => [a.alert, a] as const))('alert %s', (name, rule) => {
  test('has a severity the routing knows, and summary and description naming the region and the value', () => {
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toContain('$labels.region');
    expect(rule.annotations?.description).toContain('$labels.region');
    expect(rule.annotations?.description).toContain('$value');
  });

  test('links a runbook in docs/runbooks/ that has what the on-call needs', () => {
    expect(rule.annotations?.runbook_url).toBe(runbookUrl(name));
    const path = join(RUNBOOKS_DIR, `${name}.md`);
    expect(existsSync(path)).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(new RegExp(`^# ${name}\\b`, 'm'));
    for (const heading of [
      '## What it means',
      '## Check first',
      '## Commands',
      '## Fail over',
      '## Validate',
      '## Roll back',
    ])
      expect(text).toContain(heading);
    expect(text).toContain('failover-drill');
    expect(text).toContain('```');
  });

  test('its unit tests show it firing, with its region and severity, and a case that does not fire', () => {
    const cases = testFiles.flatMap((f) =>
      (
        parse(readFileSync(join(TESTS_DIR, f), 'utf8')) as {
          tests: {
            alert_rule_test?: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
          }[];
        }
      ).tests.flatMap((t) => t.alert_rule_test ?? []),
    );
    const mine = cases.filter((c) => c.alertname === name);
    expect(mine.some((c) => c.exp_alerts.length > 0)).toBe(true);
    expect(mine.some((c) => c.exp_alerts.length === 0)).toBe(true);
    for (const expected of mine.flatMap((c) => c.exp_alerts)) {
      expect(expected.exp_labels.region).toMatch(/^[a-z]{2}-[a-z]+-[0-9]$/);
      expect(expected.exp_labels.severity).toBe(rule.labels?.severity);
    }
  });
});
