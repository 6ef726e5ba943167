/**
 * What the analysis loop asks of a metrics provider: one look's data, collected over a window, with every query
 * sent and every answer read recorded for the report. The collectors: Prometheus (and Amazon Managed Service for
 * Prometheus) in prometheus.ts, CloudWatch in cloudwatch.ts, the Prometheus text of /metrics in scrape.ts;
 * `createCollector` (index.ts) picks one for the action's settings.
 */
import type { LookData } from '../model.js';

export type Arm = 'canary' | 'baseline';

export interface LookWindow {
  look: number;
  start: Date;
  end: Date;
  /** The interval as PromQL writes it, e.g. `30s`. */
  range: string;
}

export interface QueryRecord {
  metric: string;
  arm: Arm;
  part: 'value' | 'failures' | 'total';
  query: string;
  at: string;
  value?: number;
  series?: number;
  problem?: string;
  warnings?: string[];
}

export interface CollectedLook {
  data: Map<string, LookData>;
  queries: QueryRecord[];
  /** Set when the provider itself failed (down, timeout, HTTP error): the look has no data. */
  providerProblem?: string;
}

export interface LookCollector {
  /** Called once at the start of the run (before the initial delay ends), e.g. to take a first scrape. */
  prepare?(at: Date): Promise<void>;
  collect(window: LookWindow): Promise<CollectedLook>;
  /** What the collector reads, for the run's first log line: `prometheus`, `scrape of 1 canary and 1 baseline target(s)`. */
  describe(): string;
}

/** A look without data for a metric, and why. */
export function noData(window: LookWindow, problem: string): LookData {
  return { look: window.look, at: window.end.toISOString(), kind: 'none', problem };
}

/** Prometheus labels as PromQL writes them: `{job="rating", track="canary"}`. */
export function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}` : '{}';
}
