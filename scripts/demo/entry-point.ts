/**
 * The drill's global entry point: a loopback HTTP load balancer with health checks, as an ALB or a Route 53
 * failover record behaves. It checks every region's /health every `checkIntervalMs`; a region is taken out after
 * `unhealthyAfter` failed checks in a row and put back after `healthyAfter` good ones. Each request goes to the
 * first healthy region in the order given (the primary first); with none healthy it answers 503. A request to a
 * region that fails mid-way answers 502, as a load balancer does until its checks catch up.
 */
import { createServer, request, type Server } from 'node:http';

export interface EntryPoint {
  /** `http://<host>:<port>` */
  url: string;
  /** The region requests go to now, or undefined when none is healthy. */
  current(): string | undefined;
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  /** `http://host:port` */
  url: string;
}

export async function startEntryPoint(options: {
  host: string;
  port: number;
  backends: Backend[];
  checkIntervalMs?: number;
  unhealthyAfter?: number;
  healthyAfter?: number;
}): Promise<EntryPoint> {
  const interval = options.checkIntervalMs ?? 250;
  const unhealthyAfter = options.unhealthyAfter ?? 2;
  const healthyAfter = options.healthyAfter ?? 2;
  const state = options.backends.map((b) => ({ ...b, healthy: true, streak: 0 }));
  let closed = false;

  const check = async (b: (typeof state)[number]) => {
    const ok = await fetch(`${b.url}/health`, { signal: AbortSignal.timeout(Math.max(interval, 200)) }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (ok === b.healthy) b.streak = 0;
    else if (++b.streak >= (ok ? healthyAfter : unhealthyAfter)) {
      b.healthy = ok;
      b.streak = 0;
    }
  };
  const checks = (async () => {
    while (!closed) {
      await Promise.all(state.map(check));
      await new Promise((r) => setTimeout(r, interval));
    }
  })();

  const server: Server = createServer((req, res) => {
    const target = state.find((b) => b.healthy);
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('no healthy region\n');
      return;
    }
    const url = new URL(req.url ?? '/', target.url);
    const upstream = request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host }, timeout: 5000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`region ${target.name} failed\n`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    url: `http://${options.host}:${options.port}`,
    current: () => state.find((b) => b.healthy)?.name,
    async close() {
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await checks;
    },
  };
}
