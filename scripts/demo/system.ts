/**
 * The demo's dealings with this machine: which optional programs are installed, and stopping every process the
 * demo started (the managed ones, and the action bundles and their shell commands, found as descendants of this
 * process in /proc), also on Ctrl-C or SIGTERM.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { killAllManagedProcesses } from '../../service/testing/process.js';

/** The full path of `command` on PATH (or in /usr/sbin, where Debian puts dnsmasq), or undefined. */
export function onPath(command: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Process ids of every live descendant of `root` (children first found, then theirs), from /proc. */
export function descendantPids(root = process.pid): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0 && found.length < 10_000) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** SIGKILL every process this one started, by id (managed helpers first, then any descendant left). */
export function killEverythingStarted(): void {
  killAllManagedProcesses();
  for (const pid of descendantPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * On SIGINT or SIGTERM: run `cleanup` (bounded by 5 s), kill whatever is left, and exit with 130 or 143. A second
 * signal skips the cleanup.
 */
export function stopEverythingOnSignal(cleanup: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (stopping) {
      killEverythingStarted();
      process.exit(code);
    }
    stopping = true;
    console.error(`\n${signal}: stopping every process the demo started`);
    const bounded = Promise.race([cleanup(), new Promise((r) => setTimeout(r, 5000))]);
    void bounded.finally(() => {
      killEverythingStarted();
      process.exit(code);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
