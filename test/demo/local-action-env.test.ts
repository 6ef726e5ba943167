/**
 * The @github/local-action examples (examples/local-action/<action>.env): each names a real action (its file
 * name, and LOCAL_ACTION, which examples/local-action/entrypoint.ts runs), and every INPUT_* it sets is an input
 * that action declares, under the variable name the runner would use (test/harness/runner.ts's inputVariable).
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { inputVariable, ROOT } from '../harness/runner.js';

const DIR = join(ROOT, 'examples', 'local-action');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.env'));

/** KEY=value lines (comments and blank lines skipped), as dotenv reads them; a key may hold hyphens. */
function parseDotenv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^([\w.-]+)=(.*)$/.exec(line);
    if (!m) throw new Error(`not a KEY=value line: ${line}`);
    if (vars.has(m[1]!)) throw new Error(`${m[1]} is set twice`);
    vars.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return vars;
}

function declaredInputs(action: string): Record<string, { required?: boolean; default?: unknown }> {
  const meta = parseYaml(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { required?: boolean; default?: unknown }>;
  };
  return meta.inputs;
}

test('there are examples', () => {
  expect(EXAMPLES).toEqual(expect.arrayContaining(['plan-comment.env', 'failover-check.env']));
});

describe.each(EXAMPLES)('%s', (file) => {
  const action = file.replace(/\.env$/, '');
  const vars = parseDotenv(readFileSync(join(DIR, file), 'utf8'));

  test('names a real action, in its file name and in LOCAL_ACTION', () => {
    expect(existsSync(join(ROOT, 'actions', action, 'action.yml'))).toBe(true);
    expect(vars.get('LOCAL_ACTION')).toBe(action);
  });

  test('every INPUT_* is an input the action declares, and every required input is set', () => {
    const inputs = declaredInputs(action);
    const byVariable = new Map(Object.keys(inputs).map((name) => [inputVariable(name), name]));
    const set = [...vars.keys()].filter((k) => k.startsWith('INPUT_'));
    expect(set.length).toBeGreaterThan(0);
    expect(set.filter((k) => !byVariable.has(k))).toEqual([]);
    const required = Object.entries(inputs)
      .filter(([, i]) => i.required === true)
      .map(([name]) => inputVariable(name));
    expect(required.filter((k) => !vars.has(k))).toEqual([]);
  });

  test('paths it gives as inputs exist in the repository', () => {
    for (const key of ['INPUT_PLAN-JSON', 'INPUT_METRICS-FILE']) {
      const value = vars.get(key);
      if (value !== undefined) expect(existsSync(join(ROOT, value))).toBe(true);
    }
  });
});
