/**
 * The root action's dispatch table: the inputs each action declares are those of its action.yml, and the stray
 * inputs of a step are exactly those it set for another command, the root action.yml's defaults (which the
 * runner passes whatever the command) never among them.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { actionDefaults, ROOT } from '../../test/harness/runner.js';
import {
  ACTIONS,
  DECLARED_INPUTS,
  describeStrayInputs,
  ROOT_INPUT_DEFAULTS,
  strayInputs,
} from './registry.js';

const metaOf = (file: string) =>
  parse(readFileSync(join(ROOT, file), 'utf8')) as { inputs: Record<string, { default?: unknown }> };

/** What the runner hands the root action: its action.yml's defaults, then the step's `with:`. */
const step = (inputs: Record<string, string>) => {
  const all: Record<string, string> = { ...actionDefaults('.', 'ghs_workflow_token'), ...inputs };
  return (name: string) => (all[name] ?? '').trim();
};

describe('DECLARED_INPUTS and ROOT_INPUT_DEFAULTS', () => {
  it("list every action's inputs as its action.yml declares them, and the root action.yml's defaults", () => {
    expect(Object.keys(DECLARED_INPUTS).sort()).toEqual(Object.keys(ACTIONS).sort());
    for (const name of Object.keys(ACTIONS))
      expect(DECLARED_INPUTS[name]).toEqual(Object.keys(metaOf(`actions/${name}/action.yml`).inputs));
    const root = Object.entries(metaOf('action.yml').inputs).filter(([, spec]) => spec.default !== undefined);
    expect(ROOT_INPUT_DEFAULTS).toEqual(
      Object.fromEntries(root.map(([k, spec]) => [k, String(spec.default)])),
    );
  });
});

describe('strayInputs', () => {
  it('names the inputs of another command that the step set, with the commands that take them', () => {
    const stray = strayInputs(
      'failover-check',
      step({
        command: 'failover-check',
        regions: '- {name: a, url: "http://a"}',
        'plan-json': 'plan.json',
        label: 'us-east-1',
      }),
    );
    expect(stray).toEqual([
      { input: 'label', takenBy: ['apply-gate', 'plan-comment'] },
      { input: 'plan-json', takenBy: ['apply-gate', 'plan-comment'] },
    ]);
  });

  it("never counts the root action.yml's defaults, its own inputs, nor inputs it shares with other commands", () => {
    // every default of the root action.yml is set (github-token evaluated), as the runner does for any command
    expect(strayInputs('failover-check', step({ command: 'failover-check', regions: 'x' }))).toEqual([]);
    // timeout is also canary-gate's; samples and concurrency are failover-check's own
    expect(
      strayInputs('failover-check', step({ timeout: '5s', samples: '3', concurrency: '2', sla: 'p(95)<1s' })),
    ).toEqual([]);
    // the same value as the root default cannot be told from it, even when the step wrote it
    expect(strayInputs('failover-check', step({ confidence: '0.99', 'dismiss-stale': ' true ' }))).toEqual(
      [],
    );
    // an expression default reaches the action evaluated: any value may be it
    expect(strayInputs('failover-check', step({ 'github-token': 'ghp_some_other_token' }))).toEqual([]);
  });

  it("counts another command's defaulted input set to something else, and an empty value never", () => {
    expect(
      strayInputs('failover-check', step({ confidence: '0.95', 'dismiss-stale': 'false', metrics: '' })),
    ).toEqual([
      { input: 'confidence', takenBy: ['canary-gate'] },
      { input: 'dismiss-stale', takenBy: ['apply-gate'] },
    ]);
    expect(strayInputs('plan-comment', step({ regions: 'x', 'drill-inject': 'kill 1' }))).toEqual([
      { input: 'drill-inject', takenBy: ['failover-check'] },
      { input: 'regions', takenBy: ['failover-check'] },
    ]);
  });
});

describe('describeStrayInputs', () => {
  it('names each input and its commands, and says what to do', () => {
    expect(
      describeStrayInputs('failover-check', [
        { input: 'plan-json', takenBy: ['apply-gate', 'plan-comment'] },
      ]),
    ).toBe(
      'failover-check ignores an input it does not take: plan-json (apply-gate, plan-comment). It is an input of the command in parentheses: remove it from this step, or run that command in a step of its own.',
    );
    expect(
      describeStrayInputs('plan-comment', [
        { input: 'drill-inject', takenBy: ['failover-check'] },
        { input: 'regions', takenBy: ['failover-check'] },
      ]),
    ).toBe(
      'plan-comment ignores 2 inputs it does not take: drill-inject (failover-check), regions (failover-check). They are inputs of the commands in parentheses: remove them from this step, or run those commands in steps of their own.',
    );
  });
});
