/**
 * AWS Signature Version 4 for Prometheus queries to Amazon Managed Service for Prometheus (AMP). The signing is
 * the SDK's own (`SignatureV4` from `@smithy/signature-v4`, service `aps`), with credentials from the SDK's
 * default provider chain (`defaultProvider`: environment, web identity as the OIDC credentials step leaves
 * it, SSO, shared files, container and instance metadata). Only the SHA-256 the signer needs is supplied here,
 * as a thin adapter over node:crypto (the same one the SDK's Node runtime uses).
 *
 * AMP's query endpoint is https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-<id>/api/v1/query; the
 * region for signing comes from that host unless the caller gives one.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Checksum,
  SourceData,
} from '@smithy/types';

/** The AWS region of an AMP workspace URL, or undefined when the URL is not one. */
export function ampRegion(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = /^aps-workspaces(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(parsed.hostname);
  if (!host || !/^\/workspaces\/[^/]+/.test(parsed.pathname)) return undefined;
  return host[1];
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the Smithy signer takes. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }

  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

function bytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Signs a request: returns the headers to send (the given ones, plus host, x-amz-date, authorization, ...). */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

export interface SigV4Options {
  region: string;
  /** `aps` for AMP. */
  service?: string;
  /** Default: the SDK's default provider chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The signing time (tests); default now. */
  now?: () => Date;
}

/** The signer for Prometheus requests: the SDK's SignatureV4 over method, path, query, headers and body. */
export function sigV4Signer(options: SigV4Options): RequestSigner {
  const signer = new SignatureV4({
    service: options.service ?? 'aps',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: NodeSha256,
  });
  return async (request) => {
    const url = new URL(request.url);
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const previous = query[key];
      query[key] = previous === undefined ? value : [...[previous].flat(), value];
    }
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...request.headers, host: url.host },
        body: request.body,
      },
      options.now ? { signingDate: options.now() } : {},
    );
    return signed.headers as Record<string, string>;
  };
}
