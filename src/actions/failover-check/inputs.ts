/** Inputs of failover-check, parsed once into the check's plan. Names are the public interface (action.yml). */
import { InputError } from '../../common/errors.js';
import {
  readDuration,
  readInteger,
  readOptional,
  readRequired,
  readString,
  readUrl,
  type InputReader,
} from '../../common/inputs.js';
import { parseHeaderLines } from '../../common/headers.js';
import { isAddressOrName, parseDnsExpect } from '../../failover/dns-check.js';
import { parseStatusMatcher } from '../../failover/probe.js';
import { parseRegions } from '../../failover/regions.js';
import { parseResolverAddress } from '../../failover/resolve.js';
import type { FailoverPlan } from '../../failover/run.js';
import { parseSla } from '../../failover/sla.js';

type DefaultedInput =
  | 'health-path'
  | 'expected-status'
  | 'timeout'
  | 'samples'
  | 'concurrency'
  | 'drill-interval'
  | 'drill-stable'
  | 'drill-timeout';

/** Defaults applied in code; the same values as action.yml's (a test keeps them equal). */
export const INPUT_DEFAULTS = {
  'health-path': '/health',
  'expected-status': '200',
  timeout: '2s',
  samples: '10',
  concurrency: '16',
  'drill-interval': '500ms',
  'drill-stable': '5',
  'drill-timeout': '5m',
} as const satisfies Readonly<Record<DefaultedInput, string>>;

/** Drill inputs without a default: set without drill-inject, they are a mistake (drill-interval etc. are defaulted). */
const DRILL_INPUTS = ['drill-recover', 'drill-url', 'drill-expect-region', 'rto-max', 'drill-state-url'];

/** The examples failover-check's duration errors give. */
const DURATION_EXAMPLES = '500ms, 2s, 5m or 1m30s';

/** The inputs, read and checked once, as the failover check's plan (URLs of the drill stay text until it runs). */
export function parseInputs(io: InputReader): FailoverPlan {
  const regions = parseRegions(readString(io, 'regions'));
  const healthPath = readString(io, 'health-path', INPUT_DEFAULTS['health-path']);
  if (!/^\/[^\s#]*$/.test(healthPath))
    throw new InputError('health-path', healthPath, 'a path starting with /, such as /health');
  const statusText = readString(io, 'expected-status', INPUT_DEFAULTS['expected-status']);
  const expectedStatus = parseStatusMatcher(statusText);
  if (!expectedStatus)
    throw new InputError(
      'expected-status',
      statusText,
      'HTTP status codes or classes, e.g. 200, "200,204" or 2xx',
    );
  const bodyText = readOptional(io, 'body-match');
  let bodyMatch: RegExp | undefined;
  if (bodyText !== undefined) {
    try {
      bodyMatch = new RegExp(bodyText);
    } catch (error) {
      throw new InputError(
        'body-match',
        bodyText,
        `a JavaScript regular expression (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  const minHealthy = readInteger(io, 'min-healthy', {
    min: 1,
    max: regions.length,
    fallback: regions.length,
  });

  const resolverText = readOptional(io, 'dns-resolver');
  let dnsResolver: string | undefined;
  if (resolverText !== undefined) {
    dnsResolver = parseResolverAddress(resolverText);
    if (!dnsResolver)
      throw new InputError(
        'dns-resolver',
        resolverText,
        'an IP address with an optional port: 10.0.0.2, 10.0.0.2:53 or [fd00::2]:53',
      );
  }
  const dnsName = readOptional(io, 'dns-name');
  const dnsExpectText = readOptional(io, 'dns-expect');
  if (dnsExpectText !== undefined && dnsName === undefined)
    throw new InputError(
      'dns-expect',
      dnsExpectText,
      'nothing unless dns-name is set (the name whose answers it lists)',
    );
  let dns: FailoverPlan['dns'];
  if (dnsName !== undefined) {
    if (!isAddressOrName(dnsName) || /^[\d.]+$/.test(dnsName))
      throw new InputError('dns-name', dnsName, 'a DNS name such as rating.example.com');
    const expect = dnsExpectText === undefined ? undefined : parseDnsExpect(dnsExpectText);
    for (const e of expect ?? [])
      if (!isAddressOrName(e))
        throw new InputError('dns-expect', e, 'IP addresses or a CNAME target, comma or space separated');
    dns = { name: dnsName.replace(/\.$/, ''), ...(expect ? { expect } : {}) };
  }

  const inputs: FailoverPlan = {
    regions,
    healthPath,
    expectedStatus,
    ...(bodyMatch ? { bodyMatch } : {}),
    timeoutMs: readDuration(io, 'timeout', {
      min: 10,
      max: 600_000,
      examples: DURATION_EXAMPLES,
      fallback: INPUT_DEFAULTS.timeout,
    }),
    samples: readInteger(io, 'samples', { min: 1, max: 1000, fallback: INPUT_DEFAULTS.samples }),
    concurrency: readInteger(io, 'concurrency', { min: 1, max: 1024, fallback: INPUT_DEFAULTS.concurrency }),
    headers: parseHeaderLines(readString(io, 'headers')),
    sla: parseSla(readString(io, 'sla')),
    minHealthy,
    ...(dnsResolver ? { dnsResolver } : {}),
    ...(dns ? { dns } : {}),
  };

  const inject = readOptional(io, 'drill-inject');
  if (inject === undefined) {
    const stray = DRILL_INPUTS.find((name) => readOptional(io, name) !== undefined);
    if (stray)
      throw new InputError(
        stray,
        readOptional(io, stray),
        'nothing unless drill-inject is set (no drill runs without it)',
      );
    return inputs;
  }
  const recover = readRequired(
    io,
    'drill-recover',
    'the shell command that undoes the fault: a drill always runs it, also when the drill fails',
  );
  const url = readUrl(io, 'drill-url');
  if (!url)
    throw new InputError(
      'drill-url',
      undefined,
      'the URL of the global entry point (the failover DNS name or load balancer)',
    );
  const stateUrl = readUrl(io, 'drill-state-url');
  inputs.drill = {
    inject,
    recover,
    url,
    expectRegion: readOptional(io, 'drill-expect-region'),
    intervalMs: readDuration(io, 'drill-interval', {
      min: 10,
      examples: DURATION_EXAMPLES,
      fallback: INPUT_DEFAULTS['drill-interval'],
    }),
    stable: readInteger(io, 'drill-stable', { min: 1, max: 1000, fallback: INPUT_DEFAULTS['drill-stable'] }),
    timeoutMs: readDuration(io, 'drill-timeout', {
      min: 100,
      examples: DURATION_EXAMPLES,
      fallback: INPUT_DEFAULTS['drill-timeout'],
    }),
    rtoMaxMs: readDuration(io, 'rto-max', { min: 1, examples: DURATION_EXAMPLES }),
    stateUrl,
  };
  return inputs;
}
