/**
 * A real Alertmanager (Debian's `prometheus-alertmanager` binary) for integration tests, run with the repository's
 * own routing (templates/observability/alertmanager/alertmanager.yml), plus a local HTTP server standing in for
 * PagerDuty's Events API v2 and a Slack incoming webhook, which records every notification it receives.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startManagedProcess, type ManagedProcess } from '../../service/testing/child-process.js';
import { findFreePort } from '../../service/testing/process.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ALERTMANAGER_CONFIG = join(
  REPO,
  'templates',
  'observability',
  'alertmanager',
  'alertmanager.yml',
);
/** Debian's package installs the binary under this name (scripts/provision.sh). */
export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

/** One HTTP request the stand-in received. */
export interface ReceivedNotification {
  /** Date.now() when it arrived. */
  at: number;
  path: string;
  body: any;
}

export interface NotificationStandIn {
  url: string;
  /** Where PagerDuty's Events API v2 would be (`global.pagerduty_url`). */
  pagerdutyUrl: string;
  /** What the Slack incoming webhook URL file holds. */
  slackWebhookUrl: string;
  pagerduty: ReceivedNotification[];
  slack: ReceivedNotification[];
  /** Resolves with the first notification (of `kind`, arrived so far or later) that `match` accepts. */
  waitFor(
    kind: 'pagerduty' | 'slack',
    match: (n: ReceivedNotification) => boolean,
    timeoutMs: number,
  ): Promise<ReceivedNotification>;
  stop(): Promise<void>;
}

/**
 * A local server answering as PagerDuty's Events API v2 does (202 `{"status":"success",...}`) on
 * `/pagerduty/v2/enqueue`, and as a Slack webhook (200 `ok`) on `/slack/webhook`. Everything else is a 404.
 */
export async function startNotificationStandIn(): Promise<NotificationStandIn> {
  const pagerduty: ReceivedNotification[] = [];
  const slack: ReceivedNotification[] = [];
  const listeners = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid' }));
        return;
      }
      const received = { at: Date.now(), path: req.url ?? '', body };
      if (req.method === 'POST' && req.url === '/pagerduty/v2/enqueue') {
        pagerduty.push(received);
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'success',
            message: 'Event processed',
            dedup_key: (body as { dedup_key?: string }).dedup_key,
          }),
        );
      } else if (req.method === 'POST' && req.url === '/slack/webhook') {
        slack.push(received);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      } else {
        res.writeHead(404);
        res.end();
      }
      for (const listener of listeners) listener();
    });
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pagerdutyUrl: `${url}/pagerduty/v2/enqueue`,
    slackWebhookUrl: `${url}/slack/webhook`,
    pagerduty,
    slack,
    waitFor(kind, match, timeoutMs) {
      const list = kind === 'pagerduty' ? pagerduty : slack;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = list.find(match);
          if (found === undefined) return;
          finish();
          resolve(found);
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `no matching ${kind} notification within ${timeoutMs} ms; received: ${JSON.stringify(list, null, 1)}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The test copy of the real routing file: byte for byte the same but the value of the one `pagerduty_url:` line
 * (global), pointed at the stand-in, plus the two secret files the configuration reads, written beside it.
 * Throws when the file does not have exactly one such line, so a changed file cannot silently escape the test.
 */
export function prepareAlertmanagerConfig(options: {
  pagerdutyUrl: string;
  slackWebhookUrl: string;
  routingKey: string;
  source?: string;
}): { dir: string; configFile: string; original: string; copy: string } {
  const original = readFileSync(options.source ?? ALERTMANAGER_CONFIG, 'utf8');
  const pattern = /^(\s*pagerduty_url:\s*)\S+$/gm;
  const matches = original.match(pattern) ?? [];
  if (matches.length !== 1)
    throw new Error(
      `${options.source ?? ALERTMANAGER_CONFIG}: expected exactly one "pagerduty_url:" line, found ${matches.length}`,
    );
  const copy = original.replace(pattern, (_line, key: string) => `${key}${options.pagerdutyUrl}`);
  const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets', 'pagerduty-routing-key'), options.routingKey + '\n');
  writeFileSync(join(dir, 'secrets', 'slack-webhook-url'), options.slackWebhookUrl + '\n');
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, copy);
  return { dir, configFile, original, copy };
}

export interface AlertmanagerServer {
  url: string;
  /** host:port, for Prometheus's alerting config. */
  address: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts Alertmanager on a free loopback port with `configFile`, no clustering, a temporary data directory, in the
 * directory of `configFile` (Alertmanager 0.25 reads `routing_key_file` and `api_url_file` relative to its working
 * directory).
 */
export async function startAlertmanager(configFile: string): Promise<AlertmanagerServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'alertmanager-data-'));
  const port = await findFreePort();
  const process = startManagedProcess(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${configFile}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { env: { PATH: globalThis.process.env['PATH'] ?? '/usr/bin:/bin' }, cwd: dirname(configFile) },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (process.hasExited()) throw new Error(`alertmanager exited:\n${process.output()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`alertmanager not ready in 20 s:\n${process.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    address: `127.0.0.1:${port}`,
    process,
    async stop() {
      await process.stop('SIGTERM', 5000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
