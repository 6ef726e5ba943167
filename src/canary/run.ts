/**
 * The canary run in time: wait the initial delay, then every interval collect a look from the provider and feed
 * it to the analysis, stopping early when a critical metric fails. The clock is passed in, so tests and demos can
 * run it fast or on a fake clock.
 */
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { CanaryAnalysis, type AnalysisOptions, type AnalysisResult } from './analysis.js';
import type { LookCollector, QueryRecord } from './collectors/collector.js';
import type { LookVerdict } from './model.js';

export { systemClock, type Clock } from '../common/clock.js';

export interface CanaryRunOptions extends AnalysisOptions {
  intervalMs: number;
  initialDelayMs: number;
}

export interface LookEvent {
  look: number;
  at: Date;
  verdicts: Map<string, LookVerdict>;
  criticalFailed: string[];
  providerProblem?: string;
}

export interface CanaryRunResult extends AnalysisResult {
  startedAt: string;
  finishedAt: string;
  queries: QueryRecord[];
}

export async function runCanary(
  options: CanaryRunOptions,
  collector: LookCollector,
  clock: Clock = systemClock,
  onLook: (event: LookEvent) => void = () => undefined,
): Promise<CanaryRunResult> {
  const analysis = new CanaryAnalysis(options);
  const started = clock.now();
  const queries: QueryRecord[] = [];
  if (collector.prepare) await collector.prepare(new Date(started));
  await clock.sleep(options.initialDelayMs);
  const firstWindowStart = started + options.initialDelayMs;
  for (let look = 1; !analysis.done; look++) {
    const end = firstWindowStart + look * options.intervalMs;
    await clock.sleep(end - clock.now());
    const window = {
      look,
      start: new Date(end - options.intervalMs),
      end: new Date(end),
      range: promRange(options.intervalMs),
    };
    const collected = await collector.collect(window);
    queries.push(...collected.queries);
    const { verdicts, criticalFailed } = analysis.addLook(collected.data, collected.providerProblem);
    const event: LookEvent = { look, at: window.end, verdicts, criticalFailed };
    if (collected.providerProblem) event.providerProblem = collected.providerProblem;
    onLook(event);
  }
  return {
    ...analysis.finish(),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    queries,
  };
}

/** A PromQL range duration for an interval: whole seconds (`30s`, `90s`) or milliseconds below a second. */
export function promRange(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}
