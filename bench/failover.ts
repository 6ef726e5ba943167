/**
 * `npm run bench:failover`: the failover-check probe engine on 200 local endpoints, 10 samples each, against
 *
 *   - the ideal wall time for the concurrency limit: (200 × 10 / concurrency) × mean probe latency, i.e. what a
 *     pool that never idles and costs nothing would take (ratio = measured wall time / ideal);
 *   - Debian's prometheus-blackbox-exporter probing the same endpoints in the same run, through its
 *     /probe?target=...&module=http_2xx endpoint, driven with the same concurrency and count (ratio of probes per
 *     second, and of CPU time: the exporter's from /proc/<pid>/stat, ours from process.cpuUsage()).
 *
 * The endpoints run in a child process (so neither side's CPU includes serving them), each answering a small
 * JSON /health, first at once, then after a 20 ms delay (a nearby region's round trip). Both probers open a
 * fresh connection per probe. Everything shares the machine's cores, so read the ratios.
 *
 * Without the exporter (Debian's prometheus-blackbox-exporter; scripts/provision.sh installs it, or set
 * BLACKBOX_EXPORTER to its path), the bench says so and measures failover-check against the ideal only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runHealthCheck, Semaphore, type CheckSettings } from '../src/failover/check.js';
import { systemClock } from '../src/failover/model.js';
import { httpProber, parseStatusMatcher } from '../src/failover/probe.js';
import { systemResolver } from '../src/failover/resolve.js';

const ENDPOINTS = 200;
const SAMPLES = 10;
const PROBES = ENDPOINTS * SAMPLES;
/** Debian's name for the exporter, and upstream's. */
const BLACKBOX_NAMES = ['prometheus-blackbox-exporter', 'blackbox_exporter'];
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

const ENDPOINT_SERVER = `
const http = require('node:http');
const delay = Number(process.env.DELAY_MS || 0);
const body = JSON.stringify({ status: 'ok', region: 'bench' });
let ready = 0;
const ports = [];
for (let i = 0; i < ${ENDPOINTS}; i++) {
  const server = http.createServer((req, res) => {
    const send = () => { res.setHeader('content-type', 'application/json'); res.end(body); };
    delay ? setTimeout(send, delay) : send();
  });
  server.listen(0, '127.0.0.1', () => {
    ports[i] = server.address().port;
    if (++ready === ${ENDPOINTS}) console.log(JSON.stringify(ports));
  });
}
`;

function startEndpoints(delayMs: number): Promise<{ child: ChildProcess; ports: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ENDPOINT_SERVER], {
      env: { PATH: process.env['PATH'], DELAY_MS: String(delayMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ child, ports: JSON.parse(out) as number[] });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`endpoints exited with ${code}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** The exporter's path: BLACKBOX_EXPORTER when set, else the first of its names on PATH (or in /usr/bin). */
function findBlackbox(): { path?: string; looked: string[] } {
  const isExecutable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const given = process.env['BLACKBOX_EXPORTER'];
  if (given) return isExecutable(given) ? { path: given, looked: [given] } : { looked: [given] };
  const dirs = [...new Set([...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/bin'])];
  const looked = BLACKBOX_NAMES.flatMap((name) => dirs.map((dir) => join(dir, name)));
  return { path: looked.find(isExecutable), looked };
}

/** utime + stime of a process, in ms. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which is in parentheses and may hold spaces)
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

interface Measured {
  label: string;
  wallMs: number;
  cpuMs: number;
  ok: number;
  meanLatencyMs: number;
  concurrency: number;
}

async function runOurs(ports: number[], concurrency: number, samples = SAMPLES): Promise<Measured> {
  const settings: CheckSettings = {
    healthPath: '/health',
    expectedStatus: parseStatusMatcher('200')!,
    timeoutMs: 2000,
    samples,
    concurrency,
    headers: {},
    sla: [],
    minHealthy: 1,
  };
  const regions = ports.map((port, i) => ({ name: `e${i}`, url: `http://127.0.0.1:${port}` }));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const report = await runHealthCheck(regions, undefined, settings, {
    resolver: systemResolver(),
    prober: httpProber,
    clock: systemClock,
  });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const all = report.regions.flatMap((r) => r.addresses.flatMap((a) => a.samples));
  return {
    label: `failover-check, concurrency ${concurrency}`,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    ok: all.filter((s) => s.ok).length,
    meanLatencyMs: all.reduce((s, x) => s + x.timings.totalMs, 0) / all.length,
    concurrency,
  };
}

interface Blackbox {
  child: ChildProcess;
  url: string;
  dir: string;
}

async function startBlackbox(binary: string): Promise<Blackbox> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-blackbox-'));
  writeFileSync(
    join(dir, 'blackbox.yml'),
    [
      'modules:',
      '  http_2xx:',
      '    prober: http',
      '    timeout: 2s',
      '    http:',
      '      valid_status_codes: [200]',
      '      preferred_ip_protocol: ip4',
      '      ip_protocol_fallback: false',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'blackbox.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/healthy`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error('blackbox_exporter did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, dir };
}

/** GET with a keep-alive agent (the client's cost is not what is measured). */
function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function runBlackbox(
  bb: Blackbox,
  ports: number[],
  concurrency: number,
  samples = SAMPLES,
): Promise<Measured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const limit = new Semaphore(concurrency);
  const pid = bb.child.pid!;
  const cpuBefore = processCpuMs(pid);
  const start = performance.now();
  let ok = 0;
  let durationSum = 0;
  // the same order as ours: each endpoint's samples one after another, all endpoints contending for the pool
  await Promise.all(
    ports.map(async (port) => {
      for (let i = 0; i < samples; i++) {
        const text = await limit.run(() =>
          get(
            `${bb.url}/probe?module=http_2xx&target=${encodeURIComponent(`http://127.0.0.1:${port}/health`)}`,
            agent,
          ),
        );
        if (/^probe_success 1$/m.test(text)) ok++;
        durationSum += Number(/^probe_duration_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
      }
    }),
  );
  const wallMs = performance.now() - start;
  const cpuMs = processCpuMs(pid) - cpuBefore;
  agent.destroy();
  return {
    label: `blackbox_exporter, concurrency ${concurrency}`,
    wallMs,
    cpuMs,
    ok,
    meanLatencyMs: durationSum / (ports.length * samples),
    concurrency,
  };
}

function row(m: Measured, unloadedMs: number): string {
  const rate = PROBES / (m.wallMs / 1000);
  const ideal = (PROBES / m.concurrency) * m.meanLatencyMs;
  const idealUnloaded = (PROBES / m.concurrency) * unloadedMs;
  return `| ${m.label} | ${m.ok}/${PROBES} | ${m.meanLatencyMs.toFixed(2)} | ${(m.wallMs / 1000).toFixed(2)} | ${(ideal / 1000).toFixed(2)} | ${(m.wallMs / ideal).toFixed(2)} | ${(m.wallMs / idealUnloaded).toFixed(2)} | ${Math.round(rate)} | ${Math.round(m.cpuMs)} | ${((m.cpuMs * 1000) / PROBES).toFixed(0)} |`;
}

async function blackboxVersion(binary: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const v = spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    v.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    v.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    v.on('close', () => resolve(/version (\S+)/.exec(out)?.[1] ?? '?'));
  });
}

async function main(): Promise<void> {
  const binary = findBlackbox();
  console.log(
    `failover-check probe engine${binary.path ? ' vs prometheus-blackbox-exporter' : ''}: ${ENDPOINTS} endpoints × ${SAMPLES} samples = ${PROBES} probes per run; ${cpus().length} cores, Node ${process.version}`,
  );
  let bb: Blackbox | undefined;
  if (binary.path) {
    bb = await startBlackbox(binary.path);
    console.log(
      `blackbox_exporter ${await blackboxVersion(binary.path)} (${binary.path}), module http_2xx (prober http, fresh connection per probe)\n`,
    );
  } else {
    console.log(
      [
        '',
        `MISSING: prometheus-blackbox-exporter is not installed (looked for ${BLACKBOX_NAMES.join(' and ')} on PATH and in /usr/bin${process.env['BLACKBOX_EXPORTER'] ? `, and at BLACKBOX_EXPORTER=${process.env['BLACKBOX_EXPORTER']}` : ''}).`,
        'The comparison with it is skipped; failover-check is measured against the ideal only.',
        'To compare: `sudo apt-get install prometheus-blackbox-exporter` (scripts/provision.sh, which `npm test` runs, installs it as root), or set BLACKBOX_EXPORTER to the exporter binary.',
        '',
      ].join('\n'),
    );
  }
  const lines: string[] = [];
  try {
    for (const delayMs of [0, 20]) {
      const { child, ports } = await startEndpoints(delayMs);
      try {
        // warm up both (JIT, exporter's first requests), not measured
        await runOurs(ports, 16, 1);
        if (bb) await runBlackbox(bb, ports, 16, 1);
        // the endpoints' latency with nothing else in flight: one probe at a time, one per endpoint
        const unloadedMs = (await runOurs(ports, 1, 1)).meanLatencyMs;
        const pairs: { ours: Measured; theirs?: Measured }[] = [];
        for (const concurrency of [16, 64]) {
          const ours = await runOurs(ports, concurrency);
          pairs.push({ ours, ...(bb ? { theirs: await runBlackbox(bb, ports, concurrency) } : {}) });
        }
        lines.push(
          `endpoints answering ${delayMs ? `after ${delayMs} ms` : 'at once'} (latency of one probe at a time: ${unloadedMs.toFixed(2)} ms):`,
          '',
          '| prober | ok | mean latency (ms) | wall (s) | ideal (s) | wall / ideal | wall / unloaded ideal | probes/s | CPU (ms) | CPU per probe (µs) |',
          '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...pairs
            .flatMap(({ ours, theirs }) => [ours, ...(theirs ? [theirs] : [])])
            .map((m) => row(m, unloadedMs)),
          '',
        );
        if (bb) {
          for (const { ours, theirs } of pairs)
            lines.push(
              `- concurrency ${ours.concurrency}: failover-check ${(theirs!.wallMs / ours.wallMs).toFixed(2)}× the probes/s of blackbox_exporter, with ${(ours.cpuMs / theirs!.cpuMs).toFixed(2)}× its CPU time`,
            );
          lines.push('');
        }
      } finally {
        child.kill('SIGKILL');
      }
    }
  } finally {
    if (bb) {
      bb.child.kill('SIGTERM');
      rmSync(bb.dir, { recursive: true, force: true });
    }
  }
  console.log(lines.join('\n'));
  console.log(
    `ideal = (probes / concurrency) × the mean latency each prober measured under load: a pool that never idles; unloaded ideal = the same with the latency of one probe at a time (the endpoints' own), so it also counts the prober's own queueing. CPU: ours from process.cpuUsage() (the prober process)${bb ? ', blackbox_exporter from /proc/<pid>/stat utime+stime (the exporter process; the client driving its /probe endpoint is not counted)' : ''}.`,
  );
  if (!bb) console.log('\nNot measured: prometheus-blackbox-exporter (not installed; see MISSING above).');
}

await main();
