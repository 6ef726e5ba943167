/** SigV4 for AMP: the URL rule, the signer against a verifier built on the SDK's own primitives, the client. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkSignature,
  startSigV4Endpoint,
  TEST_CREDENTIALS,
  type SigV4Endpoint,
} from '../../../test/support/sigv4-endpoint.js';
import { PrometheusClient, PrometheusError } from './prometheus.js';
import { ampRegion, NodeSha256, sigV4Signer } from './sigv4.js';

describe('ampRegion', () => {
  test.each([
    ['https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1234-abcd/', 'us-east-1'],
    ['https://aps-workspaces.eu-west-2.amazonaws.com/workspaces/ws-x', 'eu-west-2'],
    ['https://aps-workspaces-fips.us-gov-west-1.amazonaws.com/workspaces/ws-x/', 'us-gov-west-1'],
    ['https://aps-workspaces.cn-north-1.amazonaws.com.cn/workspaces/ws-x/', 'cn-north-1'],
  ])('%s is an AMP workspace in %s', (url, region) => expect(ampRegion(url)).toBe(region));

  test.each([
    'http://prometheus.monitoring:9090',
    'https://aps-workspaces.us-east-1.amazonaws.com/', // no workspace
    'https://aps-workspaces.us-east-1.amazonaws.com.evil.example/workspaces/ws-x/',
    'https://prometheus.example/workspaces/ws-x/',
    'not a url',
  ])('%s is not', (url) => expect(ampRegion(url)).toBeUndefined());
});

describe('NodeSha256', () => {
  test('SHA-256 and HMAC-SHA-256 as published (FIPS 180-2, RFC 4231 case 2)', async () => {
    const h = new NodeSha256();
    h.update('abc');
    expect(Buffer.from(await h.digest()).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const m = new NodeSha256('Jefe');
    m.update('what do ya want for nothing?');
    expect(Buffer.from(await m.digest()).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('sigV4Signer', () => {
  const request = {
    method: 'POST',
    url: 'http://127.0.0.1:9999/workspaces/ws-1/api/v1/query',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'query=up&time=1767225600.000',
  };

  test('a signature the SDK-based verifier accepts, with the session token; wrong secrets are refused', async () => {
    const headers = await sigV4Signer({ region: 'us-east-1', credentials: TEST_CREDENTIALS })(request);
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/aps\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    const received = { method: 'POST', url: '/workspaces/ws-1/api/v1/query', headers, body: request.body };
    expect(await checkSignature(received, 'us-east-1', TEST_CREDENTIALS)).toBeUndefined();
    expect(await checkSignature({ ...received, body: 'query=down' }, 'us-east-1', TEST_CREDENTIALS)).toBe(
      'the x-amz-content-sha256 header is not the hash of the body',
    );
    const { 'x-amz-content-sha256': _hash, ...withoutHash } = headers;
    expect(
      await checkSignature(
        { ...received, headers: withoutHash, body: 'query=down' },
        'us-east-1',
        TEST_CREDENTIALS,
      ),
    ).toBe('signed header x-amz-content-sha256 is missing');
    const wrong = await sigV4Signer({
      region: 'us-east-1',
      credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' },
    })(request);
    expect(await checkSignature({ ...received, headers: wrong }, 'us-east-1', TEST_CREDENTIALS)).toBe(
      'the request signature does not match',
    );
    expect(await checkSignature(received, 'eu-west-1', TEST_CREDENTIALS)).toMatch(/wrong scope/);
  });

  test('a stale signature is refused', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const headers = await sigV4Signer({ region: 'us-east-1', credentials: TEST_CREDENTIALS, now: () => old })(
      request,
    );
    expect(
      await checkSignature(
        { method: 'POST', url: '/workspaces/ws-1/api/v1/query', headers, body: request.body },
        'us-east-1',
        TEST_CREDENTIALS,
      ),
    ).toBe('signature expired');
  });
});

describe('PrometheusClient with SigV4 against the verifying endpoint', () => {
  let upstream: Server;
  let endpoint: SigV4Endpoint;

  beforeAll(async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [1, '42'] }] },
        }),
      );
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    endpoint = await startSigV4Endpoint({
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      region: 'us-east-1',
    });
  });

  afterAll(async () => {
    await endpoint.stop();
    await new Promise((r) => upstream.close(r));
  });

  test('signed queries are answered; unsigned or wrongly signed ones are 403 with the reason', async () => {
    const client = (credentials?: typeof TEST_CREDENTIALS) =>
      new PrometheusClient({
        url: endpoint.url,
        timeoutMs: 5000,
        headers: { 'X-Scope-OrgID': 'team-a' },
        ...(credentials ? { sign: sigV4Signer({ region: 'us-east-1', credentials }) } : {}),
      });
    const answer = await client(TEST_CREDENTIALS).query('sum(up)', new Date());
    expect(answer.result).toMatchObject({ resultType: 'vector' });
    expect(endpoint.verified).toBe(1);
    const refused = await client({ ...TEST_CREDENTIALS, secretAccessKey: 'x' })
      .query('sum(up)', new Date())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PrometheusError);
    expect((refused as PrometheusError).status).toBe(403);
    expect((refused as PrometheusError).message).toMatch(/HTTP 403: the request signature does not match/);
    await expect(client().query('sum(up)', new Date())).rejects.toThrow(/no SigV4 Authorization header/);
  });

  test('credentials that cannot be found are an auth error, not a network one', async () => {
    const client = new PrometheusClient({
      url: endpoint.url,
      timeoutMs: 5000,
      sign: sigV4Signer({
        region: 'us-east-1',
        credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
      }),
    });
    const error = (await client.query('up', new Date()).catch((e: unknown) => e)) as PrometheusError;
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/cannot sign the request .* Could not load credentials/);
  });
});
