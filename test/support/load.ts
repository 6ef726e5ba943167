/**
 * Bounded load on loopback: a few workers sending requests in a loop at a target rate until stopped, or until
 * `maxDurationMs` or `maxRequests` is reached, whichever comes first. Counts what came back.
 */
export interface Load {
  stop(): Promise<{ sent: number; ok: number; failed: number }>;
}

export function startLoad(
  urls: string[],
  options: { ratePerSecond: number; maxDurationMs: number; maxRequests?: number; workers?: number },
): Load {
  const started = Date.now();
  let stopped = false;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const max = options.maxRequests ?? Math.ceil((options.ratePerSecond * options.maxDurationMs) / 1000) + 100;
  const workers = options.workers ?? 4;
  const pause = (1000 * workers) / options.ratePerSecond;
  const worker = async (w: number) => {
    let next = Date.now() + (pause * w) / workers;
    while (!stopped && Date.now() - started < options.maxDurationMs && sent < max) {
      const url = urls[sent % urls.length]!;
      sent++;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status < 500) ok++;
        else failed++;
      } catch {
        failed++;
      }
      next += pause;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const running = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    async stop() {
      stopped = true;
      await running;
      return { sent, ok, failed };
    },
  };
}
