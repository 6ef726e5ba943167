import type { FastifyBaseLogger } from 'fastify';
import type { ServiceMetrics } from '../http/metrics.js';
import type { Store } from '../store/store.js';
import { parseChangePage } from './change-page.js';

export interface AntiEntropyOptions {
  peers: string[];
  store: Store;
  intervalMs: number;
  timeoutMs: number;
  token: string | undefined;
  metrics: ServiceMetrics;
  log: FastifyBaseLogger;
  now: () => number;
}

/** What /health reports per peer. */
export interface PeerStatus {
  peer: string;
  lagSeconds: number;
  lastError: string | null;
}

export const CHANGES_PATH = '/internal/v1/replication/changes';
/** Changes per page, and pages per peer per round (a region far behind catches up over several rounds). */
export const PAGE_SIZE = 500;
const PAGES_PER_ROUND = 20;

interface PeerCursor {
  epoch: string | undefined;
  cursor: number;
  /** Start time of the latest round that read the peer's feed to its end. */
  syncedAt: number;
  lastError: string | null;
}

/**
 * Anti-entropy by pulling: every `intervalMs`, read each peer's change feed from where we left off and merge
 * it into the local store. States merge by per-field maximum and events by their order, so pulls may repeat,
 * overlap or arrive in any order. A peer whose feed starts over (a new epoch: it restarted empty) is read from
 * the start; so is every peer after this process restarts, which is how a region that was down catches up.
 */
export class AntiEntropy {
  private readonly options: AntiEntropyOptions;
  private readonly cursors = new Map<string, PeerCursor>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(options: AntiEntropyOptions) {
    this.options = options;
    const startedAt = options.now();
    for (const peer of options.peers) {
      this.cursors.set(peer, { epoch: undefined, cursor: 0, syncedAt: startedAt, lastError: null });
    }
    options.metrics.setReplicationLagSource(() => this.status());
  }

  start(): void {
    if (this.options.peers.length === 0 || this.stopped) return;
    const loop = () => {
      this.round = this.syncOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.round;
  }

  status(): PeerStatus[] {
    const now = this.options.now();
    return [...this.cursors].map(([peer, cursor]) => ({
      peer,
      lagSeconds: Math.max(0, (now - cursor.syncedAt) / 1000),
      lastError: cursor.lastError,
    }));
  }

  /** One round: every peer in parallel; failures are logged and counted, never thrown. */
  async syncOnce(): Promise<void> {
    await Promise.all([...this.cursors].map(([peer, cursor]) => this.pull(peer, cursor)));
  }

  private async pull(peer: string, cursor: PeerCursor): Promise<void> {
    const { store, metrics, log, now } = this.options;
    const roundStart = now();
    try {
      for (let page = 0; page < PAGES_PER_ROUND; page += 1) {
        const changes = parseChangePage(await this.fetchPage(peer, cursor));
        await store.applyChanges(changes, now());
        cursor.epoch = changes.epoch;
        cursor.cursor = changes.cursor;
        if (!changes.more) {
          cursor.syncedAt = roundStart;
          break;
        }
      }
      if (cursor.lastError !== null) log.info({ peer }, 'replication from peer restored');
      cursor.lastError = null;
      metrics.replicationPulls.inc({ peer, outcome: 'ok' });
    } catch (error) {
      if (this.stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      if (cursor.lastError === null) log.warn({ peer, error: message }, 'replication from peer failed');
      cursor.lastError = message;
      metrics.replicationPulls.inc({ peer, outcome: 'error' });
    }
  }

  private async fetchPage(peer: string, cursor: PeerCursor): Promise<unknown> {
    const url = new URL(`${peer}${CHANGES_PATH}`);
    url.searchParams.set('since', String(cursor.cursor));
    url.searchParams.set('limit', String(PAGE_SIZE));
    if (cursor.epoch !== undefined) url.searchParams.set('epoch', cursor.epoch);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
    });
    if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
    return response.json();
  }
}
