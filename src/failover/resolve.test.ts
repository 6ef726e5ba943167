/**
 * Name resolution and the failover record against a real dnsmasq: every address of a name, CNAME chains, TTLs,
 * failures named as DNS names them (NXDOMAIN, no answer, timeout), and a repointed record seen at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSocket, type Socket } from 'node:dgram';
import { startDnsmasq, type Dnsmasq } from '../../test/support/failover/dnsmasq.js';
import { judgeDnsAnswer, parseDnsExpect } from './dns-check.js';
import { DnsFailure, parseResolverAddress, queryDns, serverResolver, systemResolver } from './resolve.js';

let dns: Dnsmasq;
let slowDns: Dnsmasq;
let blackhole: Socket;
let blackholePort: number;

beforeAll(async () => {
  [dns, slowDns] = await Promise.all([
    startDnsmasq({
      records: {
        'rating.openclaw.test': ['127.0.0.2'],
        'all.openclaw.test': ['127.0.0.2', '127.0.0.3'],
        'us-west-2.openclaw.test': ['127.0.0.3'],
      },
      cnames: { 'www.openclaw.test': 'us-west-2.openclaw.test' },
    }),
    startDnsmasq({ records: { 'rating.openclaw.test': ['127.0.0.2'] }, ttl: 300 }),
  ]);
  blackhole = createSocket('udp4'); // receives queries, never answers
  await new Promise<void>((resolve) => blackhole.bind(0, '127.0.0.1', resolve));
  blackholePort = blackhole.address().port;
});

afterAll(async () => {
  blackhole.close();
  await Promise.all([dns.stop(), slowDns.stop()]);
});

async function failureOf(promise: Promise<unknown>): Promise<DnsFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DnsFailure) return error;
    throw error;
  }
  throw new Error('resolved');
}

describe('serverResolver', () => {
  it('returns every address of a name', async () => {
    const found = await serverResolver(dns.server).resolve('all.openclaw.test', 1000);
    expect(found.map((a) => a.address).sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(found.every((a) => a.family === 4 && a.ttl === 0)).toBe(true);
  });

  it('names NXDOMAIN, and resolves IP literals to themselves', async () => {
    const failure = await failureOf(serverResolver(dns.server).resolve('nope.openclaw.test', 1000));
    expect(failure.toFailure()).toEqual({
      kind: 'dns',
      message: 'DNS failure: NXDOMAIN (no such name)',
      code: 'ENOTFOUND',
    });
    expect(await serverResolver(dns.server).resolve('::1', 1000)).toEqual([{ address: '::1', family: 6 }]);
  });

  it('names a DNS server that does not answer a timeout, within the bound', async () => {
    const started = Date.now();
    const failure = await failureOf(
      serverResolver(`127.0.0.1:${blackholePort}`).resolve('rating.openclaw.test', 400),
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(failure.toFailure().message).toBe('DNS failure: timeout (the DNS server did not answer)');
  });

  it('sees a repointed record at once (no cache)', async () => {
    const resolver = serverResolver(dns.server);
    expect((await resolver.resolve('rating.openclaw.test', 1000)).map((a) => a.address)).toEqual([
      '127.0.0.2',
    ]);
    await dns.setRecords({
      'rating.openclaw.test': ['127.0.0.3'],
      'all.openclaw.test': ['127.0.0.2', '127.0.0.3'],
      'us-west-2.openclaw.test': ['127.0.0.3'],
    });
    expect((await resolver.resolve('rating.openclaw.test', 1000)).map((a) => a.address)).toEqual([
      '127.0.0.3',
    ]);
  });
});

describe('systemResolver', () => {
  it('resolves localhost through getaddrinfo, and names a missing name', async () => {
    const found = await systemResolver().resolve('localhost', 2000);
    expect(found.length).toBeGreaterThan(0);
    const failure = await failureOf(systemResolver().resolve('nope.invalid', 2000));
    expect(failure.toFailure().kind).toBe('dns');
  });
});

describe('the failover record', () => {
  it('follows a CNAME and compares with dns-expect (addresses or the CNAME target)', async () => {
    const answer = await queryDns('www.openclaw.test', dns.server, 1000);
    expect(answer).toEqual({
      cnames: ['us-west-2.openclaw.test'],
      addresses: [{ address: '127.0.0.3', family: 4, ttl: 0 }],
    });
    expect(judgeDnsAnswer(answer, ['us-west-2.openclaw.test.'])).toEqual([]);
    expect(judgeDnsAnswer(answer, ['127.0.0.3'])).toEqual([]);
    expect(judgeDnsAnswer(answer, ['us-east-1.openclaw.test'])).toEqual([
      'CNAME points to us-west-2.openclaw.test, expected us-east-1.openclaw.test',
    ]);
    expect(judgeDnsAnswer(answer, parseDnsExpect('127.0.0.2, 127.0.0.3'))).toEqual([
      'answers 127.0.0.3, expected 127.0.0.2, 127.0.0.3 (missing 127.0.0.2)',
    ]);
  });

  it('flags a TTL above 60 s (Route 53 failover guidance)', async () => {
    const answer = await queryDns('rating.openclaw.test', slowDns.server, 1000);
    expect(answer.addresses[0]!.ttl).toBe(300);
    expect(judgeDnsAnswer(answer, ['127.0.0.2'])).toEqual([
      'TTL 300s is above 60s: resolvers keep the old answer up to 300s after a failover',
    ]);
  });
});

describe('parseResolverAddress', () => {
  it.each([
    ['10.0.0.2', '10.0.0.2'],
    ['10.0.0.2:5353', '10.0.0.2:5353'],
    ['::1', '::1'],
    ['[::1]:53', '[::1]:53'],
    ['[::1]', '::1'],
    ['dns.example.com', undefined],
    ['10.0.0.2:0', undefined],
    ['10.0.0.2:99999', undefined],
    ['10.0.0:53', undefined],
  ])('%s → %s', (text, expected) => expect(parseResolverAddress(text)).toBe(expected));
});
