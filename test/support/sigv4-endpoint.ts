/**
 * A local stand-in for an Amazon Managed Service for Prometheus workspace: it checks every request's SigV4
 * signature (service `aps`) the way AWS does, by recomputing it with the SDK's own primitives (`SignatureV4`
 * from @smithy/signature-v4 and the SDK's SHA-256 from @smithy/core) from the request as received and fixed
 * test credentials, refuses a wrong, stale or missing one with 403 and AWS's JSON error, and passes the
 * verified requests (`/workspaces/<id>/api/v1/...`) on to a real Prometheus.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export const TEST_CREDENTIALS: TestCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKEN',
};

export interface SigV4Endpoint {
  /** The workspace URL to give canary-gate as prometheus-url. */
  url: string;
  /** Requests whose signature was verified, and those refused with the reason. */
  verified: number;
  refused: string[];
  stop(): Promise<void>;
}

export interface SigV4EndpointOptions {
  upstream: string;
  region: string;
  workspace?: string;
  credentials?: TestCredentials;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function parseAmzDate(text: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The reason a request's signature is wrong, or undefined when it is right. */
export async function checkSignature(
  request: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  },
  region: string,
  credentials: TestCredentials,
  now = new Date(),
): Promise<string | undefined> {
  const header = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = AUTH.exec(header('authorization') ?? '');
  if (!auth) return 'no SigV4 Authorization header';
  const [, keyId, day, scopeRegion, service, signedHeaders, signature] = auth;
  if (keyId !== credentials.accessKeyId) return `unknown access key ${keyId}`;
  if (scopeRegion !== region || service !== 'aps') return `wrong scope ${scopeRegion}/${service}`;
  if (header('x-amz-security-token') !== credentials.sessionToken) return 'wrong or missing session token';
  const date = parseAmzDate(header('x-amz-date'));
  if (!date || !header('x-amz-date')!.startsWith(day!)) return 'missing or inconsistent X-Amz-Date';
  if (Math.abs(now.getTime() - date.getTime()) > 5 * 60_000) return 'signature expired';
  // the signer trusts a signed x-amz-content-sha256 as the payload's hash: check it against the body, as AWS does
  const contentHash = header('x-amz-content-sha256');
  if (contentHash !== undefined) {
    const hash = new Sha256();
    hash.update(Buffer.from(request.body, 'utf8'));
    if (Buffer.from(await hash.digest()).toString('hex') !== contentHash)
      return 'the x-amz-content-sha256 header is not the hash of the body';
  }
  const names = signedHeaders!.split(';');
  if (!names.includes('host')) return 'host is not signed';
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = header(name);
    if (value === undefined) return `signed header ${name} is missing`;
    headers[name] = value;
  }
  const url = new URL(request.url, `http://${header('host')}`);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const previous = query[k];
    query[k] = previous === undefined ? v : [...[previous].flat(), v];
  }
  const signer = new SignatureV4({ service: 'aps', region, credentials, sha256: Sha256 });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers,
      body: request.body,
    },
    { signingDate: date },
  );
  const want = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers['authorization']))?.[1] ?? '';
  if (want.length !== signature!.length || !timingSafeEqual(Buffer.from(want), Buffer.from(signature!)))
    return 'the request signature does not match';
  return undefined;
}

export async function startSigV4Endpoint(options: SigV4EndpointOptions): Promise<SigV4Endpoint> {
  const credentials = options.credentials ?? TEST_CREDENTIALS;
  const prefix = `/workspaces/${options.workspace ?? 'ws-00000000-test'}`;
  const state = { verified: 0, refused: [] as string[] };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const reason = await checkSignature(
        { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body },
        options.region,
        credentials,
      );
      if (reason) {
        state.refused.push(reason);
        response.writeHead(403, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'InvalidSignatureException',
        });
        response.end(
          JSON.stringify({ message: `${reason}. Check your AWS Secret Access Key and signing method.` }),
        );
        return;
      }
      const path = request.url ?? '/';
      if (!path.startsWith(`${prefix}/api/v1/`)) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: `no such workspace path ${path}` }));
        return;
      }
      state.verified++;
      const upstream = await fetch(`${options.upstream}${path.slice(prefix.length)}`, {
        method: request.method ?? 'GET',
        headers: {
          'content-type': String(request.headers['content-type'] ?? 'application/x-www-form-urlencoded'),
        },
        ...(request.method === 'POST' ? { body } : {}),
      });
      response.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      response.end(await upstream.text());
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}/`,
    get verified() {
      return state.verified;
    },
    get refused() {
      return state.refused;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
