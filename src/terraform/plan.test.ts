/**
 * parsePlanJson: a plan is accepted (also after text a wrapper printed before it); anything else fails with an
 * ActionError that says what the text is instead, and names where it came from.
 */
import { describe, expect, it } from '@jest/globals';
import { ActionError } from '../common/errors.js';
import { parsePlanJson } from './plan.js';
import { fixtureText } from './__support__/plans.js';

const source = { input: 'plan-json', description: 'The file /tmp/plan.json' };

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
    const plan = parsePlanJson(fixtureText('terraform-basic-create.json'), source);
    expect(plan.format_version).toBe('1.0');
    expect(plan.resource_changes).toHaveLength(3);
  });

  it('accepts format 0.x (Terraform 0.12) and an errored plan without resource changes', () => {
    expect(parsePlanJson(fixtureText('checkov-aws-55-create-outputs.json'), source).format_version).toBe(
      '0.1',
    );
    expect(parsePlanJson(fixtureText('terraform-plan-error.json'), source).errored).toBe(true);
  });

  it("skips the [command] line setup-terraform's wrapper prints before the JSON", () => {
    const json = fixtureText('terraform-moved.json');
    for (const prefix of [
      '[command]/home/runner/work/_temp/terraform-bin show -json tfplan\n',
      '[command]/usr/bin/terraform show -json {tfplan}\r\n',
      '\ufeff',
      '\n\n  ',
    ]) {
      expect(parsePlanJson(prefix + json, source).resource_changes?.[0]?.address).toBe('test_instance.baz');
    }
    // the compact form terraform show writes, after the wrapper's line
    const compact = JSON.stringify(JSON.parse(json));
    expect(parsePlanJson(`[command]terraform show -json tfplan\n${compact}`, source).format_version).toBe(
      '1.0',
    );
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
    expect(errorOf('{"resource_changes":[]}').message).toMatch(/no valid format_version/);
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
