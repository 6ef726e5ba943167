/**
 * The prober against real local servers: every outcome named as an operator would name it, the name sent as Host
 * and as the TLS server name while connecting to the given address, the body read to 64 KiB at most.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { selfSignedCertificate } from '../../test/support/failover/tls.js';
import { classifyError, httpProber, parseStatusMatcher, type ProbeRequest } from './probe.js';

let http: Server;
let httpPort: number;
const seen: { host?: string; path?: string; auth?: string }[] = [];
let silent: TcpServer;
let silentPort: number;
const silentSockets: Socket[] = [];
let tls: ReturnType<typeof createHttpsServer>;
let tlsPort: number;
const serverNames: string[] = [];

const listen = (server: Server | TcpServer, host = '127.0.0.1') =>
  new Promise<number>((resolve) =>
    server.listen(0, host, () => resolve((server.address() as { port: number }).port)),
  );

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    seen.push({
      host: req.headers.host,
      path: req.url,
      auth: req.headers.authorization as string | undefined,
    });
    const json = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health') return json(200, { status: 'ok', region: 'eu-west-1' });
    if (req.url === '/draining') return json(503, { status: 'draining', region: 'eu-west-1' });
    if (req.url === '/header-region') {
      res.setHeader('x-region', 'ap-south-1');
      return res.end('OK');
    }
    if (req.url === '/big') {
      // 1 MiB of filler, the marker past 64 KiB: never read
      res.write('a'.repeat(70 * 1024));
      res.end('MARKER' + 'b'.repeat(1024 * 1024));
      return;
    }
    if (req.url === '/slow-body') {
      res.write('{"status":');
      return; // never ends
    }
    res.statusCode = 404;
    res.end();
  });
  httpPort = await listen(http);
  silent = createTcpServer((socket) => silentSockets.push(socket)); // accepts, never answers
  silentPort = await listen(silent);
  const { key, cert } = selfSignedCertificate();
  tls = createHttpsServer(
    {
      key,
      cert,
      SNICallback: (name, cb) => {
        serverNames.push(name);
        cb(null);
      },
    },
    (_req, res) => res.end('{"region":"tls"}'),
  );
  tlsPort = await listen(tls);
});

afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  http.closeAllConnections();
  tls.closeAllConnections();
  await Promise.all([http, silent, tls].map((s) => new Promise((r) => s.close(r))));
});

const ok200 = parseStatusMatcher('200')!;
const probe = (url: string, extra: Partial<ProbeRequest> = {}) =>
  httpProber({ url: new URL(url), address: '127.0.0.1', timeoutMs: 1000, expectedStatus: ok200, ...extra });

describe('httpProber', () => {
  it('connects to the address, sends the name as Host, reads the region, and times each phase', async () => {
    const result = await probe(`http://rating.openclaw.test:${httpPort}/health`, {
      expectRegion: 'eu-west-1',
      headers: { Authorization: 'Bearer s3cret' },
    });
    expect(result).toMatchObject({ ok: true, status: 200, region: 'eu-west-1', address: '127.0.0.1' });
    expect(seen.at(-1)).toEqual({
      host: `rating.openclaw.test:${httpPort}`,
      path: '/health',
      auth: 'Bearer s3cret',
    });
    const t = result.timings;
    expect(t.connectMs).toBeGreaterThan(0);
    expect(t.firstByteMs).toBeGreaterThanOrEqual(t.connectMs!);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.firstByteMs!);
  });

  it('names a region mismatch, and reads the region from an x-region header too', async () => {
    expect(
      (await probe(`http://127.0.0.1:${httpPort}/health`, { expectRegion: 'us-east-1' })).failure,
    ).toEqual({
      kind: 'region-mismatch',
      message: 'region mismatch: eu-west-1 answered, expected us-east-1',
    });
    expect(
      await probe(`http://127.0.0.1:${httpPort}/header-region`, { expectRegion: 'ap-south-1' }),
    ).toMatchObject({
      ok: true,
      region: 'ap-south-1',
    });
  });

  it('names an unexpected status with what the body says, and accepts classes', async () => {
    const result = await probe(`http://127.0.0.1:${httpPort}/draining`);
    expect(result).toMatchObject({ ok: false, status: 503 });
    expect(result.failure).toEqual({ kind: 'http-status', message: 'HTTP 503 (draining), expected 200' });
    expect(
      (
        await probe(`http://127.0.0.1:${httpPort}/draining`, {
          expectedStatus: parseStatusMatcher('2xx,503')!,
        })
      ).ok,
    ).toBe(true);
  });

  it('matches the body within its first 64 KiB only, and does not read the rest', async () => {
    const head = await probe(`http://127.0.0.1:${httpPort}/big`, { bodyMatch: /^a+$/, keepBody: true });
    expect(head.ok).toBe(true);
    expect(head.body).toHaveLength(64 * 1024);
    const beyond = await probe(`http://127.0.0.1:${httpPort}/big`, { bodyMatch: /MARKER/ });
    expect(beyond.failure).toEqual({
      kind: 'body-mismatch',
      message: 'body mismatch: /MARKER/ not found in the first 64 KiB',
    });
  });

  it('names a refused connection', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r));
    expect((await probe(`http://127.0.0.1:${port}/health`)).failure).toEqual({
      kind: 'connection-refused',
      message: 'connection refused',
      code: 'ECONNREFUSED',
    });
  });

  it('names a timeout and what it was waiting for, within the bound', async () => {
    const started = Date.now();
    const noAnswer = await probe(`http://127.0.0.1:${silentPort}/health`, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(noAnswer.failure).toMatchObject({
      kind: 'timeout',
      message: 'timeout (no response within 300ms)',
    });
    const noBody = await probe(`http://127.0.0.1:${httpPort}/slow-body`, { timeoutMs: 300 });
    expect(noBody).toMatchObject({ ok: false, status: 200 });
    expect(noBody.failure?.message).toBe('timeout (body not complete within 300ms)');
  });

  it('names a self-signed certificate as a TLS error, sending the name as SNI', async () => {
    const result = await probe(`https://rating.openclaw.test:${tlsPort}/health`);
    expect(result.failure).toEqual({
      kind: 'tls',
      message: 'TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(serverNames.at(-1)).toBe('rating.openclaw.test');
  });

  it('names plain HTTP on an https URL a TLS error, and TLS on an http URL a protocol error', async () => {
    expect((await probe(`https://127.0.0.1:${httpPort}/health`)).failure).toMatchObject({
      kind: 'tls',
      message: 'TLS error: wrong version number (EPROTO)',
    });
    const result = await probe(`http://127.0.0.1:${tlsPort}/health`);
    expect(result.ok).toBe(false);
    expect(['protocol', 'connection-reset']).toContain(result.failure?.kind);
  });
});

describe('classifyError', () => {
  it('names the usual network and TLS codes', () => {
    const e = (code: string, message = code) => Object.assign(new Error(message), { code });
    expect(classifyError(e('EHOSTUNREACH')).message).toBe('network unreachable (EHOSTUNREACH)');
    expect(classifyError(e('ECONNRESET')).kind).toBe('connection-reset');
    expect(classifyError(e('CERT_HAS_EXPIRED', 'certificate has expired')).message).toBe(
      'TLS error: certificate has expired (CERT_HAS_EXPIRED)',
    );
    expect(
      classifyError(e('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"))
        .message,
    ).toBe("TLS error: Hostname/IP does not match certificate's altnames");
  });
});
