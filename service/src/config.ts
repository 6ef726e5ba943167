import { readFileSync } from 'node:fs';
import { POLICY_NAME_PATTERN, REGION_PATTERN } from './domain/identifiers.js';
import type { RatingPrior } from './domain/rating.js';
import type { BucketPolicy } from './domain/token-bucket.js';

/**
 * The service's whole configuration, read from environment variables once at start-up. A bad value throws a
 * ConfigError naming the variable, its value and what was expected; `main.ts` prints it and exits.
 * service/README.md has the table of variables; keep the two together.
 */
export interface Config {
  port: number;
  host: string;
  region: string;
  version: string;
  logLevel: string;
  /** Unset: the embedded in-memory store. */
  redisUrl: string | undefined;
  /** Subject states the Redis store keeps between reads, invalidated by Redis (0: none). */
  readCacheEntries: number;
  /** Peer base URLs, without a trailing slash. */
  peers: string[];
  replication: { intervalMs: number; timeoutMs: number; token: string | undefined };
  prior: RatingPrior;
  /** Named token-bucket policies; always holds `default` and the write policy. */
  policies: Map<string, BucketPolicy>;
  /** The policy rating writes take from, one bucket per actor. */
  writePolicy: BucketPolicy;
  eventTtlMs: number;
  shutdown: { drainDelayMs: number; timeoutMs: number };
  faults: { errorRate: number; latencyMs: number };
}

export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, value: string | undefined, expected: string, options?: { secret?: boolean }) {
    const shown =
      value === undefined ? 'is not set' : options?.secret ? '(value hidden)' : `is ${quote(value)}`;
    super(`Environment variable ${variable} ${shown}: expected ${expected}.`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Policies become metric label values: keep their number bounded. */
const MAX_POLICIES = 16;
const MAX_REFILL_PER_SECOND = 10_000;
const MAX_CAPACITY = 1_000_000_000;

const DEFAULT_POLICIES = 'default:100:10,writes:60:1';

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const policies = parsePolicies(read('LIMIT_POLICIES') ?? DEFAULT_POLICIES);
  const writePolicyName = read('WRITE_LIMIT_POLICY') ?? 'writes';
  const writePolicy = policies.get(writePolicyName);
  if (writePolicy === undefined) {
    throw new ConfigError(
      'WRITE_LIMIT_POLICY',
      writePolicyName,
      `one of the policies in LIMIT_POLICIES (${[...policies.keys()].join(', ')})`,
    );
  }
  const region = read('REGION') ?? 'local';
  if (!REGION_PATTERN.test(region)) {
    throw new ConfigError(
      'REGION',
      region,
      'lower-case letters, digits and inner hyphens, at most 63 characters',
    );
  }
  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', logLevel, `one of ${LOG_LEVELS.join(', ')}`);
  const token = read('REPLICATION_TOKEN');
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('REPLICATION_TOKEN', token, 'at least 16 characters', { secret: true });
  }
  return {
    port: integer(read, 'PORT', 8080, 0, 65535),
    host: read('HOST') ?? '127.0.0.1',
    region,
    version: read('SERVICE_VERSION') ?? packageVersion(),
    logLevel,
    redisUrl: redisUrl(read('REDIS_URL')),
    readCacheEntries: integer(read, 'REDIS_READ_CACHE_ENTRIES', 10_000, 0, 10_000_000),
    peers: peerUrls(read('PEERS')),
    replication: {
      intervalMs: integer(read, 'REPLICATION_INTERVAL_MS', 1000, 50, 600_000),
      timeoutMs: integer(read, 'REPLICATION_TIMEOUT_MS', 2000, 100, 60_000),
      token,
    },
    prior: {
      weight: decimal(read, 'RATING_PRIOR_WEIGHT', 10, 0, 1_000_000),
      mean: decimal(read, 'RATING_PRIOR_MEAN', 3, 1, 5),
    },
    policies,
    writePolicy,
    eventTtlMs: integer(read, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 30 * 86_400) * 1000,
    shutdown: {
      drainDelayMs: integer(read, 'SHUTDOWN_DRAIN_DELAY_MS', 0, 0, 300_000),
      timeoutMs: integer(read, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    faults: {
      errorRate: decimal(read, 'FAULT_ERROR_RATE', 0, 0, 1),
      latencyMs: integer(read, 'FAULT_LATENCY_MS', 0, 0, 60_000),
    },
  };
}

type Reader = (name: string) => string | undefined;

function integer(read: Reader, name: string, fallback: number, min: number, max: number): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

function decimal(read: Reader, name: string, fallback: number, min: number, max: number): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = /^-?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(name, raw, `a number from ${min} to ${max}`);
  }
  return value;
}

function redisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new ConfigError(
      'REDIS_URL',
      raw,
      'a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379',
      {
        secret: raw.includes('@'),
      },
    );
  }
  return raw;
}

function peerUrls(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const peers = raw.split(',').map((entry) => entry.trim());
  for (const peer of peers) {
    const url = URL.canParse(peer) ? new URL(peer) : undefined;
    const valid =
      url !== undefined &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.search === '' &&
      url.hash === '' &&
      url.username === '';
    if (!valid) {
      throw new ConfigError(
        'PEERS',
        raw,
        `comma-separated http(s) base URLs without query or credentials; ${quote(peer)} is not one`,
      );
    }
  }
  const normalized = peers.map((peer) => peer.replace(/\/+$/, ''));
  const duplicate = normalized.find((peer, index) => normalized.indexOf(peer) !== index);
  if (duplicate !== undefined)
    throw new ConfigError('PEERS', raw, `each peer once; ${quote(duplicate)} is listed twice`);
  return normalized;
}

/** `name:capacity:refillPerSecond`, comma-separated, e.g. `default:100:10,writes:60:1`. */
function parsePolicies(raw: string): Map<string, BucketPolicy> {
  const expected = `comma-separated name:capacity:refillPerSecond entries (e.g. ${DEFAULT_POLICIES}) defining "default"`;
  const policies = new Map<string, BucketPolicy>();
  for (const entry of raw.split(',')) {
    const [name = '', capacityText = '', refillText = '', ...rest] = entry.trim().split(':');
    const capacity = /^\d+$/.test(capacityText) ? Number(capacityText) : Number.NaN;
    const refillPerSecond = /^(\d+\.?\d*|\.\d+)$/.test(refillText) ? Number(refillText) : Number.NaN;
    const problem = !POLICY_NAME_PATTERN.test(name)
      ? `a policy name of lower-case letters, digits, _ and - (got ${quote(name)})`
      : rest.length > 0 || !(capacity >= 1 && capacity <= MAX_CAPACITY)
        ? `a whole capacity from 1 to ${MAX_CAPACITY} for ${name}`
        : !(refillPerSecond > 0 && refillPerSecond <= MAX_REFILL_PER_SECOND)
          ? `a refill per second above 0 and at most ${MAX_REFILL_PER_SECOND} for ${name}`
          : policies.has(name)
            ? `each policy once (${name} is defined twice)`
            : undefined;
    if (problem !== undefined) throw new ConfigError('LIMIT_POLICIES', raw, `${expected}; ${problem}`);
    policies.set(name, { name, capacity, refillPerSecond });
  }
  if (!policies.has('default'))
    throw new ConfigError('LIMIT_POLICIES', raw, `${expected}; "default" is missing`);
  if (policies.size > MAX_POLICIES)
    throw new ConfigError('LIMIT_POLICIES', raw, `at most ${MAX_POLICIES} policies`);
  return policies;
}

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}
