/**
 * parsePlanJson: a plan is accepted (also after text a wrapper printed before it); anything else fails with an
 * ActionError that says what the text is instead, and names where it came from.
 */
import { describe, expect, it } from '@jest/globals';
import { ActionError } from '../common/errors.js';
import { parsePlanJson, planStructure, type RawPlan } from './plan.js';
import { fixtureText } from '../../test/support/plans.js';

const source = { input: 'plan-json', description: 'The file /tmp/plan.json' };

/** The plan parsePlanJson reads from `text`, which must come without warnings. */
function planOf(text: string): RawPlan {
  const { plan, warnings } = parsePlanJson(text, source);
  expect(warnings).toEqual([]);
  return plan;
}

function errorOf(text: string): ActionError {
  try {
    parsePlanJson(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    const message = (error as ActionError).message;
    // every message names the file and the input it came from
    expect(message).toContain("The file /tmp/plan.json (from input 'plan-json')");
    return error as ActionError;
  }
  throw new Error(`accepted: ${text.slice(0, 80)}`);
}

const STREAMING_LOG = [
  '{"@level":"info","@message":"Terraform 1.9.0","@module":"terraform.ui","@timestamp":"2024-06-01T10:00:00.000000Z","terraform":"1.9.0","type":"version","ui":"1.2"}',
  '{"@level":"info","@message":"aws_s3_bucket.b: Plan to create","@module":"terraform.ui","@timestamp":"2024-06-01T10:00:01.000000Z","change":{"resource":{"addr":"aws_s3_bucket.b"},"action":"create"},"type":"planned_change"}',
  '{"@level":"info","@message":"Plan: 1 to add, 0 to change, 0 to destroy.","@module":"terraform.ui","@timestamp":"2024-06-01T10:00:01.000000Z","changes":{"add":1,"change":0,"import":0,"remove":0,"operation":"plan"},"type":"change_summary"}',
].join('\n');

describe('parsePlanJson', () => {
  it('accepts a plan', () => {
    const plan = planOf(fixtureText('terraform-basic-create.json'));
    expect(plan.format_version).toBe('1.0');
    expect(plan.resource_changes).toHaveLength(3);
  });

  it('accepts format 0.x (Terraform 0.12) and an errored plan without resource changes', () => {
    expect(planOf(fixtureText('checkov-aws-55-create-outputs.json')).format_version).toBe('0.1');
    expect(planOf(fixtureText('terraform-plan-error.json')).errored).toBe(true);
  });

  it("skips the [command] line setup-terraform's wrapper prints before the JSON", () => {
    const json = fixtureText('terraform-moved.json');
    for (const prefix of [
      '[command]/home/runner/work/_temp/terraform-bin show -json tfplan\n',
      '[command]/usr/bin/terraform show -json {tfplan}\r\n',
      '\ufeff',
      '\n\n  ',
    ]) {
      expect(planOf(prefix + json).resource_changes?.[0]?.address).toBe('test_instance.baz');
    }
    // the compact form terraform show writes, after the wrapper's line
    const compact = JSON.stringify(JSON.parse(json));
    expect(planOf(`[command]terraform show -json tfplan\n${compact}`).format_version).toBe('1.0');
  });

  it('says when the text is not JSON', () => {
    expect(errorOf('Error: Failed to load plugin schemas').message).toMatch(/is not JSON/);
    expect(errorOf('{"format_version": "1.0", ').message).toMatch(/is not JSON/);
  });

  it('says when the text is empty', () => {
    for (const text of ['', '   \n\t', '\ufeff']) expect(errorOf(text).message).toMatch(/is empty/);
  });

  it('says when the JSON is not an object', () => {
    for (const text of ['[]', '42', 'null', '"plan"']) expect(errorOf(text).message).toMatch(/not an object/);
  });

  it('recognises a state file', () => {
    const state =
      '{"format_version":"1.0","terraform_version":"1.9.0","values":{"root_module":{"resources":[{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"b"}}]}}}';
    expect(errorOf(state).message).toMatch(/is a Terraform state/);
    expect(errorOf(`[command]terraform show -json\n${state}`).message).toMatch(/is a Terraform state/);
  });

  it('recognises a provider schema', () => {
    const schema =
      '{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/aws":{"provider":{"version":0,"block":{}}}}}';
    expect(errorOf(schema).message).toMatch(/is a provider schema/);
  });

  it('recognises the streaming log of terraform plan -json', () => {
    expect(errorOf(STREAMING_LOG).message).toMatch(/streaming log of `terraform plan -json`/);
    expect(errorOf(`[command]/usr/bin/terraform plan -json\n${STREAMING_LOG}`).message).toMatch(
      /streaming log/,
    );
    // a log cut to its first line is still a log
    expect(errorOf(STREAMING_LOG.split('\n')[0]!).message).toMatch(/streaming log/);
  });

  it('refuses a format_version with an unknown major', () => {
    const message = errorOf('{"format_version":"2.0","resource_changes":[]}').message;
    expect(message).toMatch(/format_version 2\.0/);
    expect(message).toMatch(/does not support/);
    expect(errorOf('{"format_version":"x","resource_changes":[]}').message).toMatch(
      /no valid format_version/,
    );
    expect(errorOf('{"format_version":1.2,"resource_changes":[]}').message).toMatch(
      /no valid format_version/,
    );
  });

  describe('a plan without format_version (trimmed by a tool)', () => {
    /** A real plan with its format_version removed, as tools that trim plans write them. */
    const trimmed = (name: string): Record<string, unknown> => {
      const plan = JSON.parse(fixtureText(name)) as Record<string, unknown>;
      delete plan['format_version'];
      return plan;
    };

    it('is read, with a warning that names the file and what it was read by', () => {
      const { plan, warnings } = parsePlanJson(
        JSON.stringify(trimmed('terraform-basic-update.json')),
        source,
      );
      expect(plan.format_version).toBeUndefined();
      expect(plan.resource_changes?.length).toBeGreaterThan(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("The file /tmp/plan.json (from input 'plan-json') has no format_version");
      expect(warnings[0]).toMatch(/read as a Terraform plan by its resource_changes, output_changes/);
    });

    it('is read when only resource_changes remain', () => {
      const only = JSON.stringify({ resource_changes: trimmed('terraform-moved.json')['resource_changes'] });
      const { plan, warnings } = parsePlanJson(only, source);
      expect(plan.resource_changes?.[0]?.address).toBe('test_instance.baz');
      expect(warnings[0]).toMatch(/by its resource_changes \(/);
    });

    it('is refused when no field has the shape of a plan', () => {
      for (const text of [
        '{"errored":false}',
        '{"resource_changes":{}}',
        '{"resource_changes":[],"output_changes":{"x":{"value":1}}}',
        '{"planned_values":[]}',
        '{"planned_values":{"values":{}}}',
        '{"output_changes":"none"}',
      ]) {
        expect(errorOf(text).message).toMatch(/has no format_version, and no resource_changes/);
      }
    });

    it('is still checked as a plan: a resource change without actions is refused', () => {
      expect(errorOf('{"resource_changes":[{"address":"a.b","change":{}}]}').message).toMatch(
        /without an address or actions/,
      );
    });

    it('a state or other JSON without format_version is still refused as before', () => {
      expect(errorOf('{"values":{"root_module":{}}}').message).toMatch(/not a Terraform plan/);
      expect(errorOf('{"hello":"world"}').message).toMatch(/not a Terraform plan/);
    });
  });

  it('planStructure names the plan fields of the right shape', () => {
    expect(planStructure({ resource_changes: [], planned_values: { root_module: {} } })).toEqual([
      'resource_changes',
      'planned_values',
    ]);
    expect(planStructure({ output_changes: { a: { actions: ['create'] } } })).toEqual(['output_changes']);
    expect(planStructure({ planned_values: { outputs: {} } })).toEqual(['planned_values']);
    expect(planStructure({ errored: true })).toBeUndefined();
    expect(planStructure({ resource_changes: 'x' })).toBeUndefined();
  });

  it('refuses JSON that is some other object', () => {
    expect(errorOf('{"hello":"world"}').message).toMatch(/not a Terraform plan/);
  });

  it('refuses a malformed resource change list', () => {
    expect(errorOf('{"format_version":"1.2","resource_changes":{}}').message).toMatch(/not a list/);
    expect(
      errorOf('{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{}}]}').message,
    ).toMatch(/without an address or actions/);
    expect(errorOf('{"format_version":"1.2","resource_changes":[null]}').message).toMatch(
      /without an address or actions/,
    );
  });
});
