/** The summary a reviewer reads: looks short of their boundary are not passes, units, 0 vs 0, thin traffic. */
import { describe, expect, test } from '@jest/globals';
import {
  presetJudgements,
  runSimulated,
  simulateLooks,
  type Scenario,
} from '../../test/support/canary-simulation.js';
import { decide } from './decision.js';
import { sequentialJudge } from './judges.js';
import { buildJsonReport, renderCanarySummary, type ReportSettings } from './report.js';

const settings: ReportSettings = {
  provider: 'prometheus',
  judge: 'sequential',
  confidence: 0.99,
  promoteConfidence: 0.9,
  intervalMs: 30_000,
  plannedLooks: 10,
  dryRun: false,
};
const scenario = (over: Partial<Scenario>): Scenario => ({
  name: 'x',
  requestsPerInterval: 1000,
  baselineErrorRate: 0.01,
  errorMultiplier: 1,
  latencyMultiplier: 1,
  looks: 10,
  ...over,
});
const summary = (s: Scenario, seed: number) => {
  const r = runSimulated(s, simulateLooks(s, seed), { judge: sequentialJudge, metrics: presetJudgements() });
  const run = { ...r, startedAt: '', finishedAt: '', queries: [] };
  return { result: r, text: renderCanarySummary(run, settings), json: buildJsonReport(run, settings) as any };
};

describe('the job summary', () => {
  test('a look that has not reached its boundary reads "not significant", never "pass"; latencies in ms', () => {
    const { text } = summary(scenario({}), 11);
    expect(text).toContain('⏳ not significant');
    expect(text).not.toMatch(/\| \d+ \|[^\n]*\| ✅ pass \|/);
    expect(text).toMatch(/\| `http-latency-p99` \(critical\) \| \d+(\.\d+)? ms \| \d+(\.\d+)? ms \|/);
    expect(text).toContain('y-axis "p99 latency (ms)"');
    expect(text).toContain('promotion needs 90% confidence that every metric is within its tolerance');
  });

  test('no failures in either arm: no statistic, no "50% confidence of being worse"', () => {
    const { text } = summary(scenario({ baselineErrorRate: 0 }), 12);
    expect(text).toMatch(/\| `http-error-rate` \(critical\) \| 0\.00% \| 0\.00% \| \+0\.0% \| — \|/);
    expect(text).toMatch(
      /\| — \| \d+\.\d\d \| ⏳ nothing to test yet \| no failures in either arm yet: nothing to test \|/,
    );
    expect(text).not.toContain('50.0%');
  });

  test('thin traffic: the summary, the report and the result say how much more traffic would decide', () => {
    const s = scenario({ requestsPerInterval: 50 });
    let found = false;
    for (let seed = 100; seed < 120 && !found; seed++) {
      const { result, text, json } = summary(s, seed);
      if (result.decision !== 'inconclusive') continue;
      found = true;
      expect(result.needed!.intervals).toBeGreaterThan(0);
      expect(text).toMatch(
        /> Too little evidence to decide\. http-[a-z0-9-]+: about [\d,]+ more requests per arm \([\d,]+ more intervals at the traffic observed\) would decide with an 80% chance/,
      );
      expect(json.needed).toEqual(result.needed);
    }
    expect(found).toBe(true);
  });
});

describe('decide', () => {
  const metric = presetJudgements()[0]!;
  const policy = { passScore: 95, marginalScore: 75, noData: 'inconclusive' as const };
  test('a provider failure is error, unless a metric failed', () => {
    const pass = { metric, final: { status: 'pass' as const, note: '' } };
    expect(decide([pass], policy, ['look 3: timeout']).decision).toBe('error');
    const fail = { metric, final: { status: 'fail' as const, note: 'worse' } };
    expect(decide([fail], policy, ['look 3: timeout']).decision).toBe('rollback');
    expect(decide([pass], policy).decision).toBe('promote');
  });
});
