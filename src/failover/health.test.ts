/** A region's status comes from all its samples: the flip rule (3 in a row), the error rate, the SLA. */
import { describe, expect, it } from '@jest/globals';
import { judgeAddress, judgeAddresses, judgeRegion, longestFailureRun } from './health.js';
import { parseSla } from './sla.js';
import { pattern, sample } from '../../test/support/failover/samples.js';

describe('judgeAddress', () => {
  it('is never decided by one unlucky request', () => {
    for (const p of ['FSSSSSSSSS', 'SSSSFSSSSS', 'SSSSSSSSSF', 'F', 'SF'])
      expect(judgeAddress(pattern(p)).down).toBe(false);
  });

  it('is down after 3 consecutive failures, as a Route 53 health check flips', () => {
    const verdict = judgeAddress(pattern('SSSSFFFSSS'));
    expect(verdict.down).toBe(true);
    expect(verdict.reasons).toEqual(['3 consecutive failures (connection refused)']);
    expect(judgeAddress(pattern('SFFSFFSSSS')).down).toBe(true); // 4 of 10: too many, though never 3 in a row
  });

  it('is not saved by one lucky success among failures', () => {
    const verdict = judgeAddress(pattern('FFSFFSFFSF'));
    expect(verdict.down).toBe(true);
    expect(verdict.reasons[0]).toMatch(/^7 of 10 samples failed \(70% > 10%\): 7× connection refused$/);
  });

  it('leaves the error rate to the SLA when the SLA sets one', () => {
    expect(judgeAddress(pattern('SFSFSSSSSS'), 0.5).down).toBe(false);
    expect(judgeAddress(pattern('SFFFSSSSSS'), 0.5).down).toBe(true);
  });

  it('finds the longest run and its failure messages', () => {
    const samples = [
      sample(false, 1),
      sample(true, 1),
      sample(false, 2000, { failure: { kind: 'timeout', message: 'timeout (no response within 2s)' } }),
      sample(false, 2000, { failure: { kind: 'timeout', message: 'timeout (no response within 2s)' } }),
    ];
    expect(longestFailureRun(samples)).toEqual({ length: 2, messages: ['timeout (no response within 2s)'] });
  });
});

describe('judgeRegion', () => {
  const sla = parseSla('p(95)<150ms\nerror-rate<=10%');

  it('is healthy when every address is up and every SLA line holds', () => {
    const verdict = judgeRegion(
      judgeAddresses([{ address: '10.0.0.1', samples: pattern('SSSSSSSSSF') }], sla),
      sla,
    );
    expect(verdict).toMatchObject({ status: 'healthy', reasons: [] });
    expect(verdict.sla.map((s) => s.pass)).toEqual([true, true]);
  });

  it('names the dead address of a name with several', () => {
    const addresses = judgeAddresses(
      [
        { address: '10.0.0.1', samples: pattern('SSSSSSSSSS') },
        { address: '10.0.0.2', samples: pattern('FFFFFFFFFF') },
      ],
      [],
    );
    const verdict = judgeRegion(addresses, []);
    expect(verdict.status).toBe('unhealthy');
    expect(verdict.reasons).toEqual([
      'address 10.0.0.2 is down: 10 consecutive failures (connection refused)',
    ]);
  });

  it('is unhealthy when it serves but breaks the SLA, with the line and the measured value', () => {
    const slow = Array.from({ length: 10 }, () => sample(true, 300));
    const verdict = judgeRegion(judgeAddresses([{ address: '10.0.0.1', samples: slow }], sla), sla);
    expect(verdict.status).toBe('unhealthy');
    expect(verdict.reasons).toEqual(['SLA p(95)<150ms broken: p(95) = 300ms over 10 successful samples']);
  });

  it('is unhealthy when its name did not resolve', () => {
    const verdict = judgeRegion([], sla, 'DNS failure: NXDOMAIN (no such name) for x.test (3 attempts)');
    expect(verdict).toMatchObject({ status: 'unhealthy', sla: [] });
  });
});
