/**
 * modules/observability deploys the same rules and routing on AWS: it reads the shared rule files and the shared
 * alertmanager.yml from templates/observability (never a copy), and the alert manager definition it builds (the
 * shared route and inhibit_rules, SNS receivers of the same names) is a configuration Alertmanager accepts.
 * (No provider can be downloaded here; scripts/check-terraform.ts checks the arguments against the schema.)
 */
import { describe, expect, test } from '@jest/globals';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODULE = join(REPO, 'templates', 'terraform', 'modules', 'observability');
const SHARED = join(REPO, 'templates', 'observability');

async function mainTf(): Promise<any> {
  return parseHcl('main.tf', readFileSync(join(MODULE, 'main.tf'), 'utf8'));
}
function localsOf(tf: any): Record<string, string> {
  return Object.assign({}, ...(tf.locals as object[]));
}

describe('modules/observability', () => {
  test('reads the rule files from templates/observability/prometheus/rules, one namespace per file', async () => {
    const tf = await mainTf();
    const locals = localsOf(tf);
    expect(locals['observability_dir']).toBe('${path.module}/../../../observability');
    expect(resolve(MODULE, '../../../observability')).toBe(SHARED);
    expect(locals['rules_dir']).toBe('${local.observability_dir}/prometheus/rules');
    expect(locals['rule_files']).toBe('${fileset(local.rules_dir, "*.yml")}');
    const [namespace] = tf.resource.aws_prometheus_rule_group_namespace.rules;
    expect(namespace).toMatchObject({
      for_each: '${local.rule_files}',
      data: '${file("${local.rules_dir}/${each.value}")}',
    });
    expect(
      readdirSync(join(SHARED, 'prometheus', 'rules')).filter((f) => f.endsWith('.yml')).length,
    ).toBeGreaterThan(0);
    // never a copy: no YAML in the module
    expect(readdirSync(MODULE).filter((f) => /\.ya?ml$/.test(f))).toEqual([]);
  });

  test('the alert manager definition keeps the shared route and inhibit_rules and maps every receiver to a topic', async () => {
    const tf = await mainTf();
    const locals = localsOf(tf);
    expect(locals['shared_alertmanager']).toBe(
      '${yamldecode(file("${local.observability_dir}/alertmanager/alertmanager.yml"))}',
    );
    const amp = (locals as any)['amp_alertmanager_config'];
    expect(amp.route).toBe('${local.shared_alertmanager.route}');
    expect(amp.inhibit_rules).toBe('${local.shared_alertmanager.inhibit_rules}');
    const topics = (locals as any)['receiver_topics'] as Record<string, string>;
    const shared = parse(readFileSync(join(SHARED, 'alertmanager', 'alertmanager.yml'), 'utf8'));
    expect(Object.keys(topics).sort()).toEqual(shared.receivers.map((r: { name: string }) => r.name).sort());
    expect(tf.resource.aws_prometheus_alert_manager_definition.this[0].definition).toContain(
      'yamlencode(local.amp_alertmanager_config)',
    );
  });

  test('that definition (shared route and inhibitions, SNS receivers) is a configuration Alertmanager accepts', async () => {
    const shared = parse(readFileSync(join(SHARED, 'alertmanager', 'alertmanager.yml'), 'utf8'));
    // what main.tf builds, with example topic ARNs
    const amp = {
      route: shared.route,
      inhibit_rules: shared.inhibit_rules,
      receivers: shared.receivers.map((r: { name: string }) => ({
        name: r.name,
        sns_configs: [
          {
            topic_arn: `arn:aws:sns:us-east-1:123456789012:rating-us-east-1-${r.name}`,
            sigv4: { region: 'us-east-1' },
            subject: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} in {{ .CommonLabels.region }}',
            message: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}',
            attributes: { alertname: '{{ .CommonLabels.alertname }}', region: '{{ .CommonLabels.region }}' },
          },
        ],
      })),
    };
    const dir = mkdtempSync(join(tmpdir(), 'amp-am-'));
    try {
      writeFileSync(join(dir, 'alertmanager.yml'), stringify(amp));
      const { stdout } = await run('amtool', ['check-config', join(dir, 'alertmanager.yml')], {
        timeout: 20_000,
      });
      expect(stdout).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('topics are KMS encrypted; AMP and CloudWatch may publish; PagerDuty subscribed only when set', async () => {
    const tf = await mainTf();
    for (const topic of ['critical', 'warning'])
      expect(tf.resource.aws_sns_topic[topic][0].kms_master_key_id).toBe('${aws_kms_key.observability.arn}');
    const policy = JSON.stringify(tf.data.aws_iam_policy_document.topic);
    expect(policy).toContain('aps.amazonaws.com');
    expect(policy).toContain('cloudwatch.amazonaws.com');
    const subscription = tf.resource.aws_sns_topic_subscription.pagerduty[0];
    expect(subscription).toMatchObject({ protocol: 'https', endpoint: '${var.pagerduty_integration_url}' });
    expect(subscription.count).toContain('var.pagerduty_integration_url != null');
    const outputs = await parseHcl('outputs.tf', readFileSync(join(MODULE, 'outputs.tf'), 'utf8'));
    expect(Object.keys(outputs.output)).toEqual(
      expect.arrayContaining([
        'workspace_id',
        'workspace_arn',
        'prometheus_endpoint',
        'remote_write_url',
        'query_url',
        'critical_topic_arn',
        'warning_topic_arn',
      ]),
    );
    expect(existsSync(join(MODULE, 'README.md'))).toBe(true);
  });
});
