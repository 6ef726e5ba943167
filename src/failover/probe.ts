/**
 * One HTTP(S) probe of one address: connect to the given IP, send the URL's name as Host (and as the TLS server
 * name, so the certificate is checked against the name), read at most 64 KiB of the body, and judge the answer:
 * expected status, body match, the region it reports. Each probe opens its own connection (as a health checker
 * does), so connect and TLS time are part of every sample. Failures are classified by name.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ProbeFailure, ProbeResult, ProbeTimings } from './model.js';
import { urlHost } from './resolve.js';

/** The part of a body that is read and matched. */
export const BODY_LIMIT = 64 * 1024;
export const USER_AGENT = 'openclaw-failover-check/1';

/** Which statuses count as success: exact codes and classes (`2xx`). */
export interface StatusMatcher {
  codes: number[];
  classes: number[];
  text: string;
}

export function statusMatches(matcher: StatusMatcher, status: number): boolean {
  return matcher.codes.includes(status) || matcher.classes.includes(Math.floor(status / 100));
}

/** `200`, `200,204`, `2xx`, `2xx,301` → a matcher; undefined when not one. */
export function parseStatusMatcher(text: string): StatusMatcher | undefined {
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const codes: number[] = [];
  const classes: number[] = [];
  for (const part of parts) {
    if (/^[1-5]xx$/i.test(part)) classes.push(Number(part[0]));
    else if (/^[1-5]\d\d$/.test(part)) codes.push(Number(part));
    else return undefined;
  }
  return { codes, classes, text: parts.join(',') };
}

export interface ProbeRequest {
  /** The URL to request; its host may be a name (sent as Host and TLS server name). */
  url: URL;
  /** The IP address to connect to. */
  address: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  expectedStatus: StatusMatcher;
  bodyMatch?: RegExp;
  /** The region the answer must report (JSON `region`, else the `x-region` header). */
  expectRegion?: string;
  /** Keep the (first 64 KiB of the) body in the result. */
  keepBody?: boolean;
}

/** Probes one address. Never throws: every outcome is a ProbeResult. */
export type Prober = (request: ProbeRequest) => Promise<ProbeResult>;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
]);

class ProbeTimeout extends Error {
  readonly code = 'PROBE_TIMEOUT';
  constructor(readonly waitingFor: string) {
    super(`timeout`);
  }
}

/** The named failure of a Node network, TLS or HTTP error. */
export function classifyError(error: unknown, timeoutMs?: number): ProbeFailure {
  if (error instanceof ProbeTimeout) {
    return {
      kind: 'timeout',
      message: `timeout (${error.waitingFor} within ${formatMs(timeoutMs ?? 0)})`,
      code: error.code,
    };
  }
  const err = error as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code;
  const message = err?.message ?? String(error);
  const withCode = (kind: ProbeFailure['kind'], text: string): ProbeFailure => ({
    kind,
    message: text,
    ...(code ? { code } : {}),
  });
  switch (code) {
    case 'ECONNREFUSED':
      return withCode('connection-refused', 'connection refused');
    case 'ECONNRESET':
    case 'EPIPE':
      return withCode('connection-reset', 'connection reset by the server');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return withCode('unreachable', `network unreachable (${code})`);
    case 'ETIMEDOUT':
      return withCode('timeout', 'timeout (the connection timed out)');
  }
  if (
    code &&
    (TLS_CODES.has(code) ||
      code.startsWith('ERR_SSL_') ||
      code.startsWith('ERR_TLS_') ||
      code.startsWith('CERT_') ||
      (code === 'EPROTO' && /SSL|TLS/i.test(message)))
  ) {
    const openssl = /routines:[^:]*:([^:]+)/.exec(message);
    const reason = (err.reason ?? openssl?.[1] ?? message).trim();
    return withCode('tls', `TLS error: ${reason}${code.startsWith('ERR_') ? '' : ` (${code})`}`);
  }
  if (code && code.startsWith('HPE_')) return withCode('protocol', `HTTP protocol error: ${message}`);
  return withCode('other', message);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(2)}s` : `${Math.round(ms)}ms`;
}

/** The region an answer reports: `region` of a JSON object body, else the `x-region` header. */
export function reportedRegion(body: string, headers: http.IncomingHttpHeaders): string | undefined {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as { region?: unknown }).region === 'string')
        return (parsed as { region: string }).region;
    } catch {
      // a truncated or non-JSON body: fall through to the header
    }
  }
  const header = headers['x-region'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** Judges a received answer: status, then body, then region. */
export function judgeAnswer(
  request: Pick<ProbeRequest, 'expectedStatus' | 'bodyMatch' | 'expectRegion'>,
  status: number,
  body: string,
  region: string | undefined,
): ProbeFailure | undefined {
  if (!statusMatches(request.expectedStatus, status)) {
    let detail = '';
    try {
      const parsed = JSON.parse(body) as { status?: unknown; error?: unknown };
      const said = typeof parsed.status === 'string' ? parsed.status : parsed.error;
      if (typeof said === 'string') detail = ` (${said.slice(0, 60)})`;
    } catch {
      // not JSON: the status alone
    }
    return {
      kind: 'http-status',
      message: `HTTP ${status}${detail}, expected ${request.expectedStatus.text}`,
    };
  }
  if (request.bodyMatch && !request.bodyMatch.test(body)) {
    return {
      kind: 'body-mismatch',
      message: `body mismatch: ${String(request.bodyMatch)} not found in the first 64 KiB`,
    };
  }
  if (request.expectRegion !== undefined && region !== request.expectRegion) {
    return {
      kind: 'region-mismatch',
      message:
        region === undefined
          ? `region mismatch: the answer names no region, expected ${request.expectRegion}`
          : `region mismatch: ${region} answered, expected ${request.expectRegion}`,
    };
  }
  return undefined;
}

/** The real prober: Node's http/https, one fresh connection per probe. */
export const httpProber: Prober = (request) =>
  new Promise<ProbeResult>((resolve) => {
    const { url, address, timeoutMs } = request;
    const secure = url.protocol === 'https:';
    const host = urlHost(url);
    const startedAt = Date.now();
    const t0 = performance.now();
    const since = () => Math.round((performance.now() - t0) * 1000) / 1000;
    const timings: ProbeTimings = { totalMs: 0 };
    let waitingFor = 'no connection';
    let settled = false;
    let timer: NodeJS.Timeout | undefined = undefined;
    const finish = (result: Omit<ProbeResult, 'url' | 'address' | 'startedAt' | 'timings'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      timings.totalMs = since();
      resolve({ url: url.toString(), address, startedAt, timings, ...result });
    };
    const options: https.RequestOptions = {
      host: address,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      agent: false,
      headers: { host: url.host, 'user-agent': USER_AGENT, accept: '*/*', ...request.headers },
    };
    if (secure) {
      // SNI and the certificate check use the name; an IP literal gets no SNI (RFC 6066) and is checked as an IP
      options.servername = isIP(host) ? '' : host;
      options.rejectUnauthorized = true;
    }
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(options);
    } catch (error) {
      finish({ ok: false, failure: classifyError(error) });
      return;
    }
    let status: number | undefined;
    timer = setTimeout(() => {
      finish({
        ok: false,
        ...(status !== undefined ? { status } : {}),
        failure: classifyError(new ProbeTimeout(waitingFor), timeoutMs),
      });
      req.destroy();
    }, timeoutMs);
    req.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        timings.connectMs = since();
        waitingFor = secure ? 'no TLS handshake' : 'no response';
      });
      socket.once('secureConnect', () => {
        timings.tlsMs = since();
        waitingFor = 'no response';
      });
    });
    req.on('error', (error) => finish({ ok: false, failure: classifyError(error, timeoutMs) }));
    req.on('response', (res) => {
      timings.firstByteMs = since();
      status = res.statusCode ?? 0;
      waitingFor = 'body not complete';
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const body = Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8');
        const region = reportedRegion(body, res.headers);
        const failure = judgeAnswer(request, status ?? 0, body, region);
        finish({
          ok: failure === undefined,
          status,
          ...(region !== undefined ? { region } : {}),
          ...(failure ? { failure } : {}),
          ...(request.keepBody ? { body } : {}),
        });
        res.destroy();
        req.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= BODY_LIMIT) done();
      });
      res.on('end', done);
      res.on('error', (error) =>
        finish({ ok: false, status: res.statusCode, failure: classifyError(error) }),
      );
    });
    req.end();
  });
