/**
 * The plain data of a failover check: what one probe saw, what a region is, and how failures are named. Every
 * failure has a kind (for counting) and a message that names it the way an operator would (`connection
 * refused`, `TLS error: self-signed certificate`, `DNS failure: NXDOMAIN`, `HTTP 503`).
 */

export type FailureKind =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'unreachable'
  | 'dns'
  | 'tls'
  | 'protocol'
  | 'http-status'
  | 'body-mismatch'
  | 'region-mismatch'
  | 'other';

export interface ProbeFailure {
  kind: FailureKind;
  /** Shown as is: `connection refused`, `TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`. */
  message: string;
  /** The Node or OpenSSL error code, when there is one. */
  code?: string;
}

/** Milliseconds from the start of the probe to each point reached (absent when not reached). */
export interface ProbeTimings {
  /** Name resolution, when the probe resolved the name itself (drill probes). */
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

export interface ProbeResult {
  /** The URL requested (with the name, not the address). */
  url: string;
  /** The address connected to; absent when the name did not resolve. */
  address?: string;
  /** Wall-clock start, epoch milliseconds. */
  startedAt: number;
  ok: boolean;
  timings: ProbeTimings;
  status?: number;
  /** The region that answered: the `region` field of a JSON body, else an `x-region` header. */
  region?: string;
  failure?: ProbeFailure;
  /** The first 64 KiB of the body, only when the caller asked to keep it. */
  body?: string;
}

/** A region as configured: a name, a base URL, and optionally the region its /health must report. */
export interface RegionSpec {
  name: string;
  url: string;
  expectRegion?: string;
}

export { systemClock, type Clock } from '../common/clock.js';
