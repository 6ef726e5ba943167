/**
 * A tiny control endpoint a drill's shell commands call (`curl -fsS -X POST http://127.0.0.1:<port>/<action>`),
 * so the test process, which owns the region processes, does what the command asks (restart a region) and the
 * command's exit code says whether it worked.
 */
import { createServer, type Server } from 'node:http';

export interface ControlServer {
  url: string;
  /** Actions called, in order. */
  calls: string[];
  close(): Promise<void>;
}

export async function startControlServer(
  actions: Record<string, () => Promise<void>>,
): Promise<ControlServer> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    calls.push(name);
    const action = actions[name];
    if (req.method !== 'POST' || !action) {
      res.statusCode = 404;
      res.end(`no action ${name}\n`);
      return;
    }
    action().then(
      () => res.end(`${name}: done\n`),
      (error: unknown) => {
        res.statusCode = 500;
        res.end(`${name} failed: ${String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
