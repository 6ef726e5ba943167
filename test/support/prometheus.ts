/**
 * A real Prometheus server (Debian's `prometheus` binary) for integration tests: started on a free loopback port
 * with a temporary TSDB, scraping the given targets with their labels, stopped and cleaned up by the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startManagedProcess, type ManagedProcess } from '../../service/testing/child-process.js';
import { findFreePort } from '../../service/testing/process.js';

export interface ScrapeTarget {
  /** host:port */
  address: string;
  labels: Record<string, string>;
}

export interface PrometheusServer {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** Rule files to load, by absolute path, unmodified (Prometheus reads them where they are). */
  ruleFiles?: string[];
  /** Alertmanagers to send alerts to, as `host:port`. */
  alertmanagers?: string[];
}

export async function startPrometheus(
  targets: ScrapeTarget[],
  scrapeIntervalSeconds = 1,
  options: PrometheusOptions = {},
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const port = await findFreePort();
  const config = [
    'global:',
    `  scrape_interval: ${scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${scrapeIntervalSeconds}s`,
    ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((f) => `  - '${f}'`)] : []),
    ...(options.alertmanagers?.length
      ? [
          'alerting:',
          '  alertmanagers:',
          '    - static_configs:',
          `        - targets: [${options.alertmanagers.map((a) => `'${a}'`).join(', ')}]`,
        ]
      : []),
    'scrape_configs:',
    '  - job_name: rating',
    '    static_configs:',
    ...targets.flatMap((t) => [
      `      - targets: ['${t.address}']`,
      '        labels:',
      ...Object.entries(t.labels).map(([k, v]) => `          ${k}: '${v}'`),
    ]),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config + '\n');
  const process = startManagedProcess(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { env: { PATH: globalThis.process.env['PATH'] ?? '/usr/bin:/bin' } },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (process.hasExited()) throw new Error(`prometheus exited:\n${process.output()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 20 s:\n${process.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process,
    async stop() {
      await process.stop('SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait until Prometheus has scraped every target at least `samples` times. */
export async function waitForScrapes(
  url: string,
  targets: number,
  samples: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = (await fetch(
      `${url}/api/v1/query?query=${encodeURIComponent('count_over_time(up[1m])')}`,
    ).then((r) => r.json())) as {
      data?: { result?: { value: [number, string] }[] };
    };
    const counts = (res.data?.result ?? []).map((r) => Number(r.value[1]));
    if (counts.length >= targets && counts.every((c) => c >= samples)) return;
    if (Date.now() > deadline)
      throw new Error(
        `Prometheus scraped ${counts.length} targets ${JSON.stringify(counts)} times, wanted ${targets}×${samples}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}
