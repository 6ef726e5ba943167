/**
 * canary-gate in the demo: a baseline and two canaries of the rating service under bounded load, read from a
 * real Prometheus when one is installed (its own, scraping every second, no rules: the canary's 5xx must not
 * page), by scraping /metrics otherwise. Not a dry run: the canary answering 10% of requests with 500 is rolled
 * back and the step fails, as it would in a workflow; the identical one is promoted.
 */
import { startServiceProcess, type ServiceProcess } from '../../service/testing/process.js';
import { runAction, type RunResult } from '../../test/harness/runner.js';
import { startLoad } from '../../test/support/load.js';
import { startPrometheus, waitForScrapes } from '../../test/support/prometheus.js';
import type { DemoRecord } from './record.js';

export async function canary(record: DemoRecord, withPrometheus: boolean): Promise<void> {
  console.log(
    `4. canary-gate (rating service processes, ${withPrometheus ? 'a real Prometheus' : 'scrape provider: prometheus is not installed'})`,
  );
  if (!withPrometheus)
    record.notes.push('prometheus is not installed: canary-gate read the services with the scrape provider.');
  const started: ServiceProcess[] = [];
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  try {
    // Every service answers 12 ms late, inside the histogram bucket (10, 25] ms with room to spare: at 20 ms a
    // few stalls of the loaded machine pushed about 1% of both services' requests past 25 ms, and the judge
    // rightly could not rule out the identical canary being worse there (inconclusive).
    const start = async (env: Record<string, string>) => {
      const s = await startServiceProcess({ env: { REGION: 'us-east-1', FAULT_LATENCY_MS: '12', ...env } });
      started.push(s);
      return s;
    };
    const [baseline, faulty, identical] = await Promise.all([
      start({}),
      start({ FAULT_ERROR_RATE: '0.1' }),
      start({}),
    ]);
    const arms = { baseline, faulty, identical };
    if (withPrometheus) {
      prometheus = await startPrometheus(
        Object.entries(arms).map(([track, s]) => ({ address: `127.0.0.1:${s.port}`, labels: { track } })),
      );
    }
    const load = startLoad(
      Object.values(arms).flatMap((s) => ['a', 'b', 'c'].map((x) => `${s.url}/v1/subjects/item-${x}/rating`)),
      { ratePerSecond: 600, maxDurationMs: 75_000, workers: 32 },
    );
    if (prometheus) await waitForScrapes(prometheus.url, 3, 3);
    const analyse = (track: 'faulty' | 'identical'): Promise<RunResult> =>
      runAction({
        action: 'canary-gate',
        eventName: 'workflow_dispatch',
        inputs: prometheus
          ? {
              provider: 'prometheus',
              'prometheus-url': prometheus.url,
              'canary-selector': `track="${track}"`,
              'baseline-selector': 'track="baseline"',
              // 15 looks of 3 s: about 6,000 requests per arm, what the p99 test needs to promote on a busy machine
              interval: '3s',
              iterations: '15',
            }
          : {
              provider: 'scrape',
              'canary-targets': `${arms[track].url}/metrics`,
              'baseline-targets': `${baseline.url}/metrics`,
              interval: '2s',
              iterations: '10',
            },
        timeoutMs: 80_000,
      });
    const [bad, good] = await Promise.all([analyse('faulty'), analyse('identical')]);
    await load.stop();
    for (const [name, result, expected] of [
      ['1-canary-with-errors', bad, 'rollback (step fails)'],
      ['2-identical-canary', good, 'promote (step passes)'],
    ] as const) {
      const saved = record.save('canary-gate', name, result);
      record.verdict(
        `canary-gate ${name.slice(2).replace(/-/g, ' ')}`,
        expected,
        `${result.outputs['decision'] ?? 'no decision'} (step ${result.exitCode === 0 ? 'passes' : 'fails'})`,
        {
          detail: `score ${result.outputs['score']}, failed metrics ${result.outputs['failed-metrics']}`,
          links: [saved.link],
        },
      );
    }
  } finally {
    await prometheus?.stop();
    await Promise.all(started.map((s) => s.stop()));
  }
}
