/**
 * A region's status from all its samples, never from one request. An address is down when its samples show
 * `FAILURE_THRESHOLD` (3) failures in a row, as a Route 53 health check flips after 3 consecutive failed checks,
 * or when too many of them failed overall: more than the SLA's `error-rate` allows, or, without one, more than
 * `DEFAULT_MAX_ERROR_RATE` (10%) with at least two failures (so one unlucky request never decides, and one
 * lucky success among failures does not save it). A region is healthy when every address behind its name is up
 * and every SLA line holds over the region's samples.
 */
import type { FailureKind, ProbeResult } from './model.js';
import {
  evaluateSla,
  formatRate,
  slaErrorRateLimit,
  summarise,
  type SampleStats,
  type SlaAssertion,
  type SlaResult,
} from './sla.js';

export const FAILURE_THRESHOLD = 3;
export const DEFAULT_MAX_ERROR_RATE = 0.1;

export interface FailureRun {
  length: number;
  /** The failure messages of the run, most frequent first. */
  messages: string[];
}

/** The longest run of consecutive failed samples (in sample order). */
export function longestFailureRun(samples: readonly ProbeResult[]): FailureRun {
  let best: ProbeResult[] = [];
  let current: ProbeResult[] = [];
  for (const s of samples) {
    if (s.ok) current = [];
    else {
      current.push(s);
      if (current.length > best.length) best = [...current];
    }
  }
  return { length: best.length, messages: countMessages(best).map(([m]) => m) };
}

/** Failure messages with their counts, most frequent first. */
export function countMessages(samples: readonly ProbeResult[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of samples)
    if (s.failure) counts.set(s.failure.message, (counts.get(s.failure.message) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/** `3× connection refused, 1× timeout (no response within 2s)`. */
export function describeFailures(samples: readonly ProbeResult[]): string {
  return countMessages(samples)
    .map(([m, n]) => `${n}× ${m}`)
    .join(', ');
}

export function failureKinds(samples: readonly ProbeResult[]): FailureKind[] {
  return [...new Set(samples.flatMap((s) => (s.failure ? [s.failure.kind] : [])))];
}

export interface AddressVerdict {
  down: boolean;
  reasons: string[];
}

/**
 * Whether one address is down, from its samples in order. `errorRateLimit` is the SLA's error-rate limit when it
 * sets one (then the SLA line itself judges the rate, and a breach shows there).
 */
export function judgeAddress(samples: readonly ProbeResult[], errorRateLimit?: number): AddressVerdict {
  const reasons: string[] = [];
  const run = longestFailureRun(samples);
  if (run.length >= FAILURE_THRESHOLD) {
    reasons.push(`${run.length} consecutive failures (${run.messages.join('; ')})`);
  }
  const failed = samples.filter((s) => !s.ok).length;
  const rate = samples.length ? failed / samples.length : 0;
  if (errorRateLimit === undefined && failed >= 2 && rate > DEFAULT_MAX_ERROR_RATE && reasons.length === 0) {
    reasons.push(
      `${failed} of ${samples.length} samples failed (${formatRate(rate)} > ${formatRate(DEFAULT_MAX_ERROR_RATE)}): ${describeFailures(samples)}`,
    );
  }
  if (samples.length === 0) reasons.push('no samples');
  return { down: reasons.length > 0, reasons };
}

export interface AddressResult {
  address: string;
  samples: ProbeResult[];
  stats: SampleStats;
  verdict: AddressVerdict;
  /** Regions that answered, with counts. */
  answeredBy: Record<string, number>;
}

export type RegionStatus = 'healthy' | 'unhealthy';

export interface RegionVerdict {
  status: RegionStatus;
  /** Why it is unhealthy: addresses down (named), resolution failed, SLA lines broken. */
  reasons: string[];
  sla: SlaResult[];
  stats: SampleStats;
}

export function answeredBy(samples: readonly ProbeResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) if (s.region !== undefined) counts[s.region] = (counts[s.region] ?? 0) + 1;
  return counts;
}

export function judgeAddresses(
  addresses: readonly { address: string; samples: ProbeResult[] }[],
  sla: readonly SlaAssertion[],
): AddressResult[] {
  const limit = slaErrorRateLimit(sla);
  return addresses.map((a) => ({
    address: a.address,
    samples: a.samples,
    stats: summarise(a.samples),
    verdict: judgeAddress(a.samples, limit),
    answeredBy: answeredBy(a.samples),
  }));
}

/** A region's verdict from its addresses' results and the SLA over all its samples. */
export function judgeRegion(
  addresses: readonly AddressResult[],
  sla: readonly SlaAssertion[],
  resolutionProblem?: string,
): RegionVerdict {
  const all = addresses.flatMap((a) => a.samples);
  const stats = summarise(all);
  const reasons: string[] = [];
  if (resolutionProblem) reasons.push(resolutionProblem);
  const several = addresses.length > 1;
  for (const a of addresses) {
    if (a.verdict.down)
      reasons.push(`${several ? `address ${a.address} is down: ` : ''}${a.verdict.reasons.join('; ')}`);
  }
  const slaResults = resolutionProblem ? [] : evaluateSla(sla, stats);
  // a region that is down breaks its latency lines too: the down reason says it all
  if (reasons.length === 0)
    for (const r of slaResults) if (!r.pass) reasons.push(`SLA ${r.line} broken: ${r.note}`);
  return { status: reasons.length ? 'unhealthy' : 'healthy', reasons, sla: slaResults, stats };
}
