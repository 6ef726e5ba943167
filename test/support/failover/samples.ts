/** Probe results made by hand for the domain tests. */
import type { ProbeResult } from '../../../src/failover/model.js';

export function sample(ok: boolean, totalMs: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    url: 'http://x/health',
    address: '127.0.0.1',
    startedAt: 0,
    ok,
    timings: { totalMs },
    ...(ok ? { status: 200 } : { failure: { kind: 'connection-refused', message: 'connection refused' } }),
    ...extra,
  };
}

/** `SSFS...`: S a success of 5 ms, anything else a refused connection. */
export const pattern = (text: string): ProbeResult[] =>
  [...text].map((c) => (c === 'S' ? sample(true, 5) : sample(false, 1)));
