import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has defaults that work with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      region: 'local',
      redisUrl: undefined,
      readCacheEntries: 10_000,
      peers: [],
      prior: { weight: 10, mean: 3 },
      eventTtlMs: 86_400_000,
      faults: { errorRate: 0, latencyMs: 0 },
    });
    expect(config.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(config.writePolicy).toEqual({ name: 'writes', capacity: 60, refillPerSecond: 1 });
    expect([...config.policies.keys()]).toEqual(['default', 'writes']);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      REGION: 'eu-west-1',
      REDIS_URL: 'redis://127.0.0.1:6380/2',
      REDIS_READ_CACHE_ENTRIES: '0',
      PEERS: 'http://10.0.0.2:8080/, https://us.example.com',
      RATING_PRIOR_WEIGHT: '25',
      RATING_PRIOR_MEAN: '3.5',
      LIMIT_POLICIES: 'default:10:0.5,burst:1000:100,writes2:5:1',
      WRITE_LIMIT_POLICY: 'writes2',
      IDEMPOTENCY_TTL_SECONDS: '60',
      REPLICATION_INTERVAL_MS: '200',
      REPLICATION_TOKEN: 'a-long-enough-secret',
      SHUTDOWN_DRAIN_DELAY_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '3000',
      FAULT_ERROR_RATE: '0.25',
      FAULT_LATENCY_MS: '40',
      SERVICE_VERSION: '1.2.3-canary',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      region: 'eu-west-1',
      redisUrl: 'redis://127.0.0.1:6380/2',
      readCacheEntries: 0,
      peers: ['http://10.0.0.2:8080', 'https://us.example.com'],
      prior: { weight: 25, mean: 3.5 },
      writePolicy: { name: 'writes2', capacity: 5, refillPerSecond: 1 },
      eventTtlMs: 60_000,
      replication: { intervalMs: 200, timeoutMs: 2000, token: 'a-long-enough-secret' },
      shutdown: { drainDelayMs: 500, timeoutMs: 3000 },
      faults: { errorRate: 0.25, latencyMs: 40 },
      version: '1.2.3-canary',
      logLevel: 'warn',
    });
    expect(config.policies.get('default')).toEqual({ name: 'default', capacity: 10, refillPerSecond: 0.5 });
  });

  it.each([
    ['PORT', 'eighty', /PORT is "eighty": expected an integer from 0 to 65535/],
    ['PORT', '70000', /PORT is "70000"/],
    ['REGION', 'EU West', /REGION is "EU West": expected lower-case letters/],
    [
      'REDIS_URL',
      'localhost:6379',
      /REDIS_URL is "localhost:6379": expected a redis:\/\/ or rediss:\/\/ URL/,
    ],
    ['REDIS_URL', 'redis://user:hunter2@', /REDIS_URL \(value hidden\)/],
    ['REDIS_READ_CACHE_ENTRIES', 'lots', /REDIS_READ_CACHE_ENTRIES is "lots": expected an integer from 0/],
    ['PEERS', 'http://a:1,ftp://b', /PEERS is .*"ftp:\/\/b" is not one/],
    ['PEERS', 'http://a:1,http://a:1/', /PEERS .*listed twice/],
    ['RATING_PRIOR_MEAN', '6', /RATING_PRIOR_MEAN is "6": expected a number from 1 to 5/],
    ['RATING_PRIOR_WEIGHT', '-1', /RATING_PRIOR_WEIGHT is "-1"/],
    ['LIMIT_POLICIES', 'default:10', /LIMIT_POLICIES .*refill per second above 0/],
    ['LIMIT_POLICIES', 'burst:10:1', /LIMIT_POLICIES .*"default" is missing/],
    ['LIMIT_POLICIES', 'default:0:1', /LIMIT_POLICIES .*whole capacity/],
    ['LIMIT_POLICIES', 'default:1:1,default:2:2', /LIMIT_POLICIES .*defined twice/],
    [
      'WRITE_LIMIT_POLICY',
      'nope',
      /WRITE_LIMIT_POLICY is "nope": expected one of the policies in LIMIT_POLICIES/,
    ],
    ['FAULT_ERROR_RATE', '1.5', /FAULT_ERROR_RATE is "1.5": expected a number from 0 to 1/],
    ['FAULT_LATENCY_MS', '10ms', /FAULT_LATENCY_MS is "10ms"/],
    ['REPLICATION_TOKEN', 'short', /REPLICATION_TOKEN \(value hidden\): expected at least 16 characters/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL is "loud"/],
  ])('rejects a bad %s (%s) naming the variable', (variable, value, message) => {
    let thrown: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message).toMatch(message);
  });
});
