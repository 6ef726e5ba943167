/**
 * `npm run demo` end to end, as a user runs it: a child process (tsx scripts/demo.ts), bounded.
 * - `--no-alerting` (the page of the drill takes about 91 s; test/observability/alerting.e2e.test.ts covers it):
 *   exit code 0, every verdict line ok, and demo-out/index.html linking a Markdown and an HTML summary per run;
 * - SIGINT (Ctrl-C) in the middle of the drill: the demo exits 130 and every process it had started is gone.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendantPids } from '../../scripts/demo/system.js';
import { ROOT } from '../harness/runner.js';

const OUT = join(ROOT, 'demo-out');

interface Demo {
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
  waitFor(text: string, timeoutMs: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
}

function startDemo(args: string[], timeoutMs: number): Demo {
  // what `npm run demo` runs (package.json): node itself, so a signal reaches the demo, not a wrapper
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? -1 : null));
    }),
  );
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    waitFor: (text, ms) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!output.includes(text)) return;
          listeners.delete(check);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`demo did not print "${text}" within ${ms} ms:\n${output}`));
        }, ms);
        listeners.add(check);
        check();
      }),
    signal: (s) => child.kill(s),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  test('--no-alerting: every step reaches its verdict, exit 0, index.html links each summary', async () => {
    const demo = startDemo(['--no-alerting'], 150_000);
    const code = await demo.exited;
    const output = demo.output();
    if (code !== 0) console.log(output);
    expect(code).toBe(0);
    const verdicts = output.slice(output.indexOf('Verdicts ('));
    const lines = verdicts.split('\n').filter((l) => /^(ok|FAIL|skip) /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(11);
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    for (const step of ['plan-comment', 'apply-gate', 'canary-gate', 'failover-check drill'])
      expect(verdicts).toContain(step);

    const index = readFileSync(join(OUT, 'index.html'), 'utf8');
    const links = [...index.matchAll(/href="([^"]+\/summary\.html)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThanOrEqual(10);
    for (const link of links) {
      expect(existsSync(join(OUT, link))).toBe(true);
      expect(existsSync(join(OUT, link.replace(/\.html$/, '.md')))).toBe(true);
    }
    // the canary's charts are drawn into its page
    const canaryPage = readFileSync(join(OUT, 'canary-gate', '2-identical-canary', 'summary.html'), 'utf8');
    expect(canaryPage).toMatch(/<svg[^>]*class="xychart"/);
    expect(canaryPage).not.toContain('language-mermaid');
  }, 160_000);

  // SIGINT to the demo alone: harder than Ctrl-C in a terminal, which signals every process of the group
  test('SIGINT during the drill: exits 130 and leaves no process it started', async () => {
    const demo = startDemo([], 60_000);
    await demo.waitFor('drill: us-east-1 stopped', 50_000);
    const started = descendantPids(demo.pid);
    expect(started.length).toBeGreaterThan(3); // the regions, dnsmasq, Prometheus, Alertmanager, action bundles...
    demo.signal('SIGINT');
    expect(await demo.exited).toBe(130);
    const deadline = Date.now() + 10_000;
    while (started.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(started.filter(alive)).toEqual([]);
  }, 90_000);
});
