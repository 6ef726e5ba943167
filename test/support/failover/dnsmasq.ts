/**
 * A real dnsmasq for the failover tests: started on a free loopback port, answering a hosts file (and CNAMEs)
 * for `*.openclaw.test` only (anything else in that domain is NXDOMAIN, nothing is forwarded), TTL as given.
 * `setRecords` rewrites the hosts file and sends SIGHUP, as a drill's inject command does, and waits until the
 * new answer is served.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startManagedProcess, type ManagedProcess } from '../../../service/testing/child-process.js';
import { findFreePort } from '../../../service/testing/process.js';

export const DNSMASQ = '/usr/sbin/dnsmasq';
export const DOMAIN = 'openclaw.test';

/** name → addresses */
export type Records = Record<string, string[]>;

export interface Dnsmasq {
  port: number;
  /** `127.0.0.1:<port>`, the form of the dns-resolver input. */
  server: string;
  pid: number;
  /** The hosts file dnsmasq reads (a shell command may rewrite it, then `kill -HUP <pid>`). */
  hostsFile: string;
  /** The hosts-file text for these records. */
  hostsText(records: Records): string;
  setRecords(records: Records): Promise<void>;
  resolve4(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

export function hostsText(records: Records): string {
  return Object.entries(records)
    .flatMap(([name, addresses]) => addresses.map((a) => `${a} ${name}\n`))
    .join('');
}

export async function startDnsmasq(options: {
  records: Records;
  cnames?: Record<string, string>;
  ttl?: number;
}): Promise<Dnsmasq> {
  // dnsmasq drops to `nobody` when started as root: the folder and file must be readable by it on SIGHUP
  const dir = mkdtempSync(join(tmpdir(), 'failover-dnsmasq-'));
  chmodSync(dir, 0o755);
  const hostsFile = join(dir, 'hosts');
  const write = (records: Records) => {
    writeFileSync(hostsFile, hostsText(records));
    chmodSync(hostsFile, 0o644);
  };
  write(options.records);
  let child: ManagedProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await findFreePort();
    const args = [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      `--addn-hosts=${hostsFile}`,
      `--local=/${DOMAIN}/`,
      '--pid-file=',
      '--log-facility=-',
      `--local-ttl=${options.ttl ?? 0}`,
      ...Object.entries(options.cnames ?? {}).map(([alias, target]) => `--cname=${alias},${target}`),
    ];
    const started = startManagedProcess(DNSMASQ, args, {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    try {
      await started.waitForLine((line) => line.includes(`read ${hostsFile}`), 5000);
      child = started;
    } catch (error) {
      await started.stop('SIGKILL');
      if (attempt === 2) throw error;
    }
  }
  const server = `127.0.0.1:${port}`;
  const resolve4 = async (name: string): Promise<string[]> => {
    const resolver = new Resolver({ timeout: 500, tries: 2 });
    resolver.setServers([server]);
    try {
      return (await resolver.resolve4(name)).sort();
    } catch {
      return [];
    } finally {
      resolver.cancel();
    }
  };
  const proc = child!;
  return {
    port,
    server,
    pid: proc.pid,
    hostsFile,
    hostsText,
    resolve4,
    async setRecords(records) {
      write(records);
      process.kill(proc.pid, 'SIGHUP');
      const [name, addresses] = Object.entries(records)[0] ?? [];
      if (!name) return;
      const want = [...addresses!].sort().join(',');
      const deadline = Date.now() + 5000;
      while ((await resolve4(name)).join(',') !== want) {
        if (Date.now() > deadline) throw new Error(`dnsmasq did not serve ${name} → ${want} within 5s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await proc.stop('SIGTERM', 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
