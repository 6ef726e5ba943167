/**
 * The job summary treats names as data: a region named with pipes, backticks and HTML renders literally, every
 * table keeps its columns, every <details> closes; the drill gets its milestones, chart and timeline.
 */
import { describe, expect, it } from '@jest/globals';
import { pattern, sample } from '../../test/support/failover/samples.js';
import { elements, markdownToDom, structuralProblems, textOf } from '../../test/support/markdown-dom.js';
import type { HealthReport, RegionReport } from './check.js';
import type { DrillReport } from './drill.js';
import { judgeAddresses, judgeRegion } from './health.js';
import { buildJsonReport, drillChart, renderSummary, type FailoverReport } from './report.js';
import { parseSla } from './sla.js';

const HOSTILE = 'eu|west`1</details><script>alert(1)</script>';
const sla = parseSla('p(95)<150ms\nerror-rate<1%');

function region(name: string, samples: string, address = '10.0.0.1'): RegionReport {
  const addresses = judgeAddresses([{ address, samples: pattern(samples) }], sla);
  return {
    name,
    url: `http://${address}/health`,
    host: address,
    resolution: { host: address, addresses: [address], attempts: [{ ok: true, ms: 0 }] },
    addresses,
    verdict: judgeRegion(addresses, sla),
  };
}

function report(drill?: DrillReport): FailoverReport {
  const regions = [region('us-east-1', 'SSSSSSSSSS'), region(HOSTILE, 'FFFFFFFFFF', '10.0.0.2')];
  const check: HealthReport = {
    startedAt: '',
    finishedAt: '',
    regions,
    healthyRegions: ['us-east-1'],
    unhealthyRegions: [HOSTILE],
    healthy: false,
    problems: [`region ${HOSTILE} is unhealthy`],
  };
  return {
    startedAt: '',
    finishedAt: '',
    settings: {
      healthPath: '/health',
      expectedStatus: '200',
      timeoutMs: 2000,
      samples: 10,
      concurrency: 16,
      sla,
      minHealthy: 2,
      resolver: 'the system resolver',
    },
    check,
    ...(drill ? { drill } : {}),
    passed: false,
    problems: check.problems,
  };
}

const drill: DrillReport = {
  status: 'passed',
  problems: [],
  settings: {
    url: 'http://rating.test/health',
    expectRegion: 'us-west-2',
    intervalMs: 500,
    stable: 2,
    timeoutMs: 60_000,
  },
  steadyBefore: { ok: true, problems: [] },
  t0: '2026-01-01T00:00:00.000Z',
  probes: [
    {
      n: 1,
      atMs: 0,
      endMs: 1,
      addresses: ['10.0.0.1'],
      results: [sample(false, 1)],
      success: false,
      regions: [],
      note: '10.0.0.1: connection refused',
      streak: 0,
    },
    {
      n: 2,
      atMs: 500,
      endMs: 512,
      addresses: ['10.0.0.3'],
      results: [sample(true, 12, { region: 'us-west-2' })],
      success: true,
      regions: ['us-west-2'],
      note: '200 from us-west-2 via 10.0.0.3 in 12ms',
      streak: 1,
    },
    {
      n: 3,
      atMs: 1000,
      endMs: 1010,
      addresses: ['10.0.0.3'],
      results: [sample(true, 10, { region: 'us-west-2' })],
      success: true,
      regions: ['us-west-2'],
      note: '200 from us-west-2 via 10.0.0.3 in 10ms',
      streak: 2,
    },
  ],
  firstSuccessMs: 512,
  rtoMs: 512,
  recoveredMs: 1010,
  timedOut: false,
  steadyAfter: { ok: true, problems: [], attempts: 1, waitedMs: 40 },
};

describe('renderSummary', () => {
  it('renders a hostile region name literally, with every table whole and every details closed', () => {
    const markdown = renderSummary(report(drill));
    // h4 headings and <br> between failing SLA lines are this report's own; anything else would be a problem
    expect(structuralProblems(markdown).filter((p) => !/<(h4|br)>/.test(p))).toEqual([]);
    const dom = markdownToDom(markdown);
    expect(elements(dom, 'script')).toEqual([]);
    for (const table of elements(dom, 'table')) {
      const widths = elements(table, 'tr').map(
        (tr) => elements(tr).filter((e) => e.tagName === 'td' || e.tagName === 'th').length,
      );
      expect(new Set(widths).size).toBe(1);
    }
    expect(elements(dom, 'code').map(textOf)).toContain(HOSTILE);
    expect(elements(dom, 'details')).toHaveLength(3); // two regions and the drill's timeline
  });

  it('shows the region table, the failing SLA lines, and the drill milestones', () => {
    const markdown = renderSummary(report(drill));
    expect(markdown).toContain(
      '### ❌ Failover check: unhealthy · 1 of 2 regions healthy · drill passed, RTO 0.512 s',
    );
    expect(markdown).toMatch(
      /\| `us-east-1` \| 10\.0\.0\.1 \| ✅ healthy \| 10\/10 \| 5ms \| 5ms \| 5ms \| — \| — \|/,
    );
    expect(markdown).toContain(
      '| 10× connection refused | `p(95)<150ms` (no successful samples)<br>`error-rate<1%` (error-rate = 100% (10 of 10)) |',
    );
    expect(markdown).toContain('| **RTO**: first of 2 successes in a row | **0.512 s** |');
    expect(markdown).toContain(
      '| 2 | 0.500 | 10.0.0.3 | us-west-2 | ✅ 200 from us-west-2 via 10.0.0.3 in 12ms | 12ms | 1 |',
    );
  });

  it('says which path was probed: health-path for all, or each path with its regions when a URL has its own', () => {
    const base = report();
    const settingsLine = (markdown: string) =>
      markdown.split('\n').find((l) => /samples per address/.test(l))!;
    expect(settingsLine(renderSummary(base))).toMatch(/^10 samples per address of `\/health` \(status `200`/);

    const ownPaths: FailoverReport = {
      ...base,
      check: {
        ...base.check,
        regions: [
          { ...base.check.regions[0]!, url: 'http://10.0.0.1/ready?deep=1' },
          base.check.regions[1]!,
          { ...region('eu-central-1', 'SSSSSSSSSS', '10.0.0.3'), url: 'http://10.0.0.3/ready?deep=1' },
        ],
      },
    };
    const line = settingsLine(renderSummary(ownPaths));
    expect(line).toMatch(
      /^10 samples per address of `\/ready\?deep=1` \(`us-east-1`, `eu-central-1`\), `\/health` \(``/,
    );
    expect(line).not.toContain('of `/health` (status');

    // every region at one path of its own: that path, not health-path
    const onePath: FailoverReport = {
      ...base,
      check: { ...base.check, regions: [{ ...base.check.regions[0]!, url: 'https://a.example/livez' }] },
    };
    expect(settingsLine(renderSummary(onePath))).toMatch(/^10 samples per address of `\/livez` \(status/);
  });
});

describe('drillChart', () => {
  it('draws the latency of each probe against its time since the fault, failures at 0', () => {
    expect(drillChart(drill)).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Drill: latency of each probe of the entry point (0 = failed)"',
        '  x-axis "seconds since the fault (inject returned)" ["0.0", "0.5", "1.0"]',
        '  y-axis "latency (ms)" 0 --> 14',
        '  bar [0, 12, 10]',
        '```',
      ].join('\n'),
    );
  });

  it('keeps at most 60 bars, the first success among them', () => {
    const many: DrillReport = {
      ...drill,
      probes: Array.from({ length: 600 }, (_, i) => ({
        ...drill.probes[i === 301 ? 1 : 0]!,
        n: i + 1,
        atMs: i * 500,
        success: i >= 301,
      })),
    };
    const bars = /bar \[(.*)\]/.exec(drillChart(many))![1]!.split(', ');
    expect(bars.length).toBeLessThanOrEqual(62);
    expect(bars).toContain('12');
  });
});

describe('buildJsonReport', () => {
  it('has every probe with its timing, and the drill in seconds', () => {
    const json = buildJsonReport(report(drill)) as any;
    expect(json.regions[0].addresses[0].samples).toHaveLength(10);
    expect(json.regions[0].addresses[0].samples[0]).toMatchObject({
      n: 1,
      ok: true,
      latencyMs: 5,
      timings: { totalMs: 5 },
    });
    expect(json.regions[0].stats.sorted).toBeUndefined();
    expect(json.drill).toMatchObject({ rtoSeconds: 0.512, firstSuccessSeconds: 0.512 });
    expect(json.drill.probes[1]).toMatchObject({
      atSeconds: 0.5,
      results: [{ region: 'us-west-2', latencyMs: 12 }],
    });
  });
});
