/** The judges on known distributions, and the whole analysis on simulated A/A and A/B runs. */
import { describe, expect, test } from '@jest/globals';
import { mannWhitneyJudge, sequentialJudge, thresholdJudge } from './judges.js';
import type { JudgePlan, LookData, MetricJudgement } from './model.js';
import {
  ERROR_RATE,
  LATENCY,
  presetJudgements,
  runSimulated,
  simulateLooks,
  type Scenario,
} from '../../test/support/canary-simulation.js';

const plan: JudgePlan = { looks: 10, harmAlpha: 0.005, passAlpha: 0.01, minRequests: 20 };
const ratio: MetricJudgement = {
  name: 'errors',
  kind: 'ratio',
  direction: 'increase',
  allowedIncrease: 0,
  tolerance: 0.005,
  critical: true,
  weight: 1,
};
const value: MetricJudgement = {
  name: 'p99',
  kind: 'value',
  direction: 'increase',
  allowedIncrease: 0.1,
  tolerance: 0,
  critical: true,
  weight: 1,
};

const counts = (look: number, ce: number, be: number, n = 1000): LookData => ({
  look,
  at: '',
  kind: 'ratio',
  canary: { events: ce, total: n },
  baseline: { events: be, total: n },
});
const values = (look: number, c: number, b: number): LookData => ({
  look,
  at: '',
  kind: 'value',
  canary: c,
  baseline: b,
});

describe('sequential judge', () => {
  test('a canary failing three times as often is rolled back early', () => {
    const looks = [counts(1, 30, 10), counts(2, 31, 9), counts(3, 29, 11), counts(4, 30, 10)];
    const verdicts = looks.map((_, i) => sequentialJudge.judgeLook(ratio, looks.slice(0, i + 1), plan));
    expect(verdicts[0]!.status).toBe('pass'); // one interval is not enough at the first, strict boundary
    expect(verdicts.some((v) => v.status === 'fail')).toBe(true);
    const failedAt = verdicts.findIndex((v) => v.status === 'fail');
    expect(failedAt).toBeLessThanOrEqual(3);
    expect(verdicts[failedAt]!.statistic!).toBeGreaterThanOrEqual(verdicts[failedAt]!.boundary!);
  });

  test('too little traffic is no-data, never pass', () => {
    const v = sequentialJudge.judgeLook(ratio, [counts(1, 0, 0, 5)], plan);
    expect(v.status).toBe('no-data');
    expect(v.note).toMatch(/too little traffic: 5 canary and 5 baseline requests \(min-requests 20\)/);
  });

  test('an empty result or NaN is no-data', () => {
    expect(
      sequentialJudge.judgeLook(
        ratio,
        [{ look: 1, at: '', kind: 'none', problem: 'empty result (no series matched)' }],
        plan,
      ).status,
    ).toBe('no-data');
    expect(sequentialJudge.judgeLook(value, [values(1, NaN, 0.1)], plan).status).toBe('no-data');
  });

  test('identical arms with plenty of traffic pass at the end; a trickle of traffic is no-data', () => {
    const looks = Array.from({ length: 10 }, (_, i) => counts(i + 1, 10, 10, 2000));
    const verdicts = looks.map((_, i) => sequentialJudge.judgeLook(ratio, looks.slice(0, i + 1), plan));
    expect(sequentialJudge.judgeFinal(ratio, looks, verdicts, plan).status).toBe('pass');
    const trickle = [counts(1, 0, 0, 3), counts(2, 0, 0, 4)];
    expect(
      sequentialJudge.judgeFinal(
        ratio,
        trickle,
        trickle.map(() => ({ status: 'no-data' as const, note: '' })),
        plan,
      ).status,
    ).toBe('no-data');
  });

  test('the effect-size floor: latency 5% higher with 10% allowed never fails, 60% higher does', () => {
    const small = Array.from({ length: 10 }, (_, i) => values(i + 1, 0.105 + (i % 2) * 0.002, 0.1));
    const smallVerdicts = small.map((_, i) => sequentialJudge.judgeLook(value, small.slice(0, i + 1), plan));
    expect(smallVerdicts.every((v) => v.status === 'pass')).toBe(true);
    expect(sequentialJudge.judgeFinal(value, small, smallVerdicts, plan).status).toBe('pass');
    const big = Array.from({ length: 10 }, (_, i) => values(i + 1, 0.16 + (i % 3) * 0.005, 0.1));
    const bigVerdicts = big.map((_, i) => sequentialJudge.judgeLook(value, big.slice(0, i + 1), plan));
    expect(bigVerdicts.some((v) => v.status === 'fail')).toBe(true);
  });

  test('a hard max fails whatever the baseline does', () => {
    const v = sequentialJudge.judgeLook({ ...ratio, max: 0.05 }, [counts(1, 80, 79)], plan);
    expect(v.status).toBe('fail');
    expect(v.note).toMatch(/above the limit 0.05/);
  });

  test('direction decrease: a drop is bad, a rise is not', () => {
    const drop = Array.from({ length: 6 }, (_, i) => values(i + 1, 50 + (i % 2), 100));
    const m = { ...value, direction: 'decrease' as const };
    expect(
      drop
        .map((_, i) => sequentialJudge.judgeLook(m, drop.slice(0, i + 1), plan))
        .some((v) => v.status === 'fail'),
    ).toBe(true);
    const rise = Array.from({ length: 6 }, (_, i) => values(i + 1, 200 + (i % 2), 100));
    expect(
      rise
        .map((_, i) => sequentialJudge.judgeLook(m, rise.slice(0, i + 1), plan))
        .some((v) => v.status === 'fail'),
    ).toBe(false);
  });
});

describe('threshold and Mann-Whitney judges', () => {
  test('threshold: each interval against max', () => {
    expect(thresholdJudge.judgeLook({ ...ratio, max: 0.02 }, [counts(1, 25, 0)], plan).status).toBe('fail');
    expect(thresholdJudge.judgeLook({ ...ratio, max: 0.02 }, [counts(1, 15, 0)], plan).status).toBe('pass');
  });
  test('Mann-Whitney: a consistently worse canary fails', () => {
    const looks = Array.from({ length: 8 }, (_, i) => values(i + 1, 2 + i * 0.01, 1 + i * 0.01));
    expect(mannWhitneyJudge.judgeLook(value, looks, plan).status).toBe('fail');
  });
});

describe('the whole analysis on simulated runs', () => {
  const scenario = (over: Partial<Scenario>): Scenario => ({
    name: 'x',
    requestsPerInterval: 1000,
    baselineErrorRate: 0.01,
    errorMultiplier: 1,
    latencyMultiplier: 1,
    looks: 10,
    ...over,
  });

  test('1,000 A/A runs with 10 looks each: false rollbacks at most 1 − confidence (1%)', () => {
    const s = scenario({});
    let rollbacks = 0;
    for (let run = 0; run < 1000; run++) {
      if (
        runSimulated(s, simulateLooks(s, 9_000_000 + run), {
          judge: sequentialJudge,
          metrics: presetJudgements(),
        }).decision === 'rollback'
      )
        rollbacks++;
    }
    expect(rollbacks / 1000).toBeLessThanOrEqual(0.01);
  });

  test('a naive judge that tests every look at 1% does inflate false rollbacks (the test can tell)', () => {
    const s = scenario({});
    const naive = { ...sequentialJudge, name: 'naive' };
    let rollbacks = 0;
    for (let run = 0; run < 1000; run++) {
      const result = runSimulated(s, simulateLooks(s, 9_000_000 + run), {
        judge: naive,
        metrics: presetJudgements(),
        confidence: 0.99,
      });
      // re-judge each look independently at a fixed z of 2.326 (1% one-sided), as a naive gate would
      const h = result.metrics.find((m) => m.metric.name === ERROR_RATE)!;
      if (h.verdicts.some((v) => v.statistic !== undefined && v.statistic >= 2.326)) rollbacks++;
    }
    expect(rollbacks / 1000).toBeGreaterThan(0.02);
  });

  test('twice the baseline error rate at 1,000 requests per interval is rolled back in at least 95% of runs within 10 intervals', () => {
    const s = scenario({ errorMultiplier: 2 });
    let rollbacks = 0;
    for (let run = 0; run < 200; run++) {
      const r = runSimulated(s, simulateLooks(s, 7_000_000 + run), {
        judge: sequentialJudge,
        metrics: presetJudgements(),
      });
      if (r.decision === 'rollback') rollbacks++;
    }
    expect(rollbacks / 200).toBeGreaterThanOrEqual(0.95);
  });

  test('1,000 requests per interval: an identical canary is promoted in at least 97% of 300 runs', () => {
    const s = scenario({});
    const decisions = { promote: 0, rollback: 0, inconclusive: 0, error: 0 };
    for (let run = 0; run < 300; run++) {
      const r = runSimulated(s, simulateLooks(s, 4_000_000 + run), {
        judge: sequentialJudge,
        metrics: presetJudgements(),
      });
      decisions[r.decision]++;
    }
    expect(decisions.promote / 300).toBeGreaterThanOrEqual(0.97);
    expect(decisions.rollback / 300).toBeLessThanOrEqual(0.01);
  });

  test('a canary worse by exactly the tolerance is promoted in at most 1 − promote-confidence of runs', () => {
    // error rate 1% → 1.5%: 0.5 points worse, the preset's tolerance; promote-confidence 0.9
    const s = scenario({ errorMultiplier: 1.5 });
    let promoted = 0;
    const runs = 1000;
    for (let run = 0; run < runs; run++) {
      const r = runSimulated(s, simulateLooks(s, 3_000_000 + run), {
        judge: sequentialJudge,
        metrics: presetJudgements(),
      });
      if (r.decision === 'promote') promoted++;
    }
    // 10% plus two binomial standard errors (0.95 points at 1,000 runs)
    expect(promoted / runs).toBeLessThanOrEqual(0.12);
  });

  test('at 50 requests per interval an A/A run is not rolled back, and an inconclusive one says how much more traffic would decide', () => {
    const s = scenario({ requestsPerInterval: 50 });
    let rollbacks = 0;
    let inconclusive = 0;
    for (let run = 0; run < 200; run++) {
      const r = runSimulated(s, simulateLooks(s, 5_000_000 + run), {
        judge: sequentialJudge,
        metrics: presetJudgements(),
      });
      if (r.decision === 'rollback') rollbacks++;
      if (r.decision !== 'inconclusive') continue;
      inconclusive++;
      expect(r.needed).toBeDefined();
      expect(r.needed!.intervals).toBeGreaterThan(0);
      expect(r.needed!.canaryRequests).toBeGreaterThan(0);
      const open = r.metrics.find((m) => m.metric.name === r.needed!.metric)!;
      expect(open.final!.note).toMatch(
        /more requests per arm \(\d[\d,]* more intervals? at the traffic observed\)/,
      );
    }
    expect(rollbacks).toBeLessThanOrEqual(2);
    expect(inconclusive).toBeGreaterThan(100);
  });

  test('the traffic asked for is enough: runs that long decide in most cases', () => {
    // A/A at 50 per interval: grow the run to what the first inconclusive runs asked for, and run again
    const s = scenario({ requestsPerInterval: 50 });
    const asked: number[] = [];
    for (let run = 0; run < 200 && asked.length < 30; run++) {
      const r = runSimulated(s, simulateLooks(s, 6_000_000 + run), {
        judge: sequentialJudge,
        metrics: presetJudgements(),
      });
      if (r.decision === 'inconclusive' && r.needed) asked.push(r.needed.intervals);
    }
    asked.sort((a, b) => a - b);
    const median = asked[Math.floor(asked.length / 2)]!;
    // the same traffic, in 10 intervals of the longer run's size
    const longer = scenario({ requestsPerInterval: Math.ceil((50 * (10 + median)) / 10) });
    let decided = 0;
    for (let run = 0; run < 100; run++) {
      const r = runSimulated(longer, simulateLooks(longer, 6_500_000 + run), {
        judge: sequentialJudge,
        metrics: presetJudgements(),
      });
      if (r.decision !== 'inconclusive') decided++;
    }
    expect(decided / 100).toBeGreaterThanOrEqual(0.6);
  });

  test('latency 50% higher is rolled back on the latency metric', () => {
    const s = scenario({ latencyMultiplier: 1.5 });
    const r = runSimulated(s, simulateLooks(s, 123), { judge: sequentialJudge, metrics: presetJudgements() });
    expect(r.decision).toBe('rollback');
    expect(r.failedMetrics).toEqual([LATENCY]);
  });
});
