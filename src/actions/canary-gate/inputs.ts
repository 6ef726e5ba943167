/** Inputs of canary-gate, parsed once into a typed object. Names are the public interface (action.yml). */
import { readFileSync } from 'node:fs';
import { formatDuration } from '../../common/duration.js';
import { InputError } from '../../common/errors.js';
import { parseHeaderLines } from '../../common/headers.js';
import {
  parseHttpUrl,
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readList,
  readNumber,
  readOptional,
  readString,
  readUrl,
  type InputReader,
} from '../../common/inputs.js';
import type { CanaryDecision } from '../../canary/decision.js';
import { JUDGES } from '../../canary/judges.js';
import { parseMetrics } from '../../canary/metrics-config.js';
import { isCloudWatchPeriod } from '../../canary/collectors/cloudwatch.js';
import type { ProviderSettings } from '../../canary/collectors/index.js';
import { ampRegion } from '../../canary/providers/sigv4.js';
import type { MetricDefinition } from '../../canary/presets.js';

type DefaultedInput =
  | 'provider'
  | 'judge'
  | 'interval'
  | 'initial-delay'
  | 'confidence'
  | 'promote-confidence'
  | 'min-requests'
  | 'pass-score'
  | 'marginal-score'
  | 'no-data'
  | 'fail-on'
  | 'dry-run'
  | 'timeout'
  | 'aws-sigv4';

/** Defaults applied in code; the same values as action.yml's (a test keeps them equal). */
export const INPUT_DEFAULTS = {
  provider: 'prometheus',
  judge: 'sequential',
  interval: '30s',
  'initial-delay': '0s',
  confidence: '0.99',
  'promote-confidence': '0.9',
  'min-requests': '20',
  'pass-score': '95',
  'marginal-score': '75',
  'no-data': 'inconclusive',
  'fail-on': 'rollback,inconclusive',
  'dry-run': 'false',
  timeout: '10s',
  'aws-sigv4': 'auto',
} as const satisfies Readonly<Record<DefaultedInput, string>>;

/** The most intervals a run may have, whether given as iterations or as a duration. */
export const MAX_LOOKS = 1000;

export const PROVIDERS = ['prometheus', 'cloudwatch', 'scrape'] as const;
export type Provider = (typeof PROVIDERS)[number];
/** What a metric with no data counts as (`no-data`). */
export const NO_DATA_POLICIES = ['inconclusive', 'fail'] as const;
/** Decisions `fail-on` may list (error always fails the step). */
const FAIL_ON_DECISIONS = ['rollback', 'inconclusive', 'promote', 'error'] as const;
const SIGV4_MODES = ['auto', 'true', 'false'] as const;

export interface CanaryGateInputs {
  provider: Provider;
  /** Where the metrics come from: the provider with what it needs (the fields below, checked). */
  source: ProviderSettings;
  prometheusUrl?: string;
  /** SigV4-sign each Prometheus query (Amazon Managed Service for Prometheus), in this region. */
  sigv4?: { region: string; service: 'aps' };
  /** Header values are secrets: they are masked before anything is logged. */
  headers: Record<string, string>;
  awsRegion?: string;
  selectors: { canary: string; baseline: string };
  targets: { canary: string[]; baseline: string[] };
  metrics: MetricDefinition[];
  judge: string;
  intervalMs: number;
  looks: number;
  initialDelayMs: number;
  confidence: number;
  promoteConfidence: number;
  minRequests: number;
  passScore: number;
  marginalScore: number;
  noData: (typeof NO_DATA_POLICIES)[number];
  failOn: CanaryDecision[];
  dryRun: boolean;
  timeoutMs: number;
}

export function parseInputs(io: InputReader): CanaryGateInputs {
  const provider = readEnum(io, 'provider', PROVIDERS, INPUT_DEFAULTS.provider);
  const judge = readString(io, 'judge', INPUT_DEFAULTS.judge);
  if (!JUDGES[judge]) throw new InputError('judge', judge, `one of ${Object.keys(JUDGES).join(', ')}`);

  const inline = readOptional(io, 'metrics');
  const file = readOptional(io, 'metrics-file');
  if (inline && file)
    throw new InputError(
      'metrics-file',
      file,
      "nothing when 'metrics' is set: give at most one of metrics and metrics-file",
    );
  let metricsText = inline ?? '';
  if (file) {
    try {
      metricsText = readFileSync(file, 'utf8');
    } catch {
      throw new InputError('metrics-file', file, 'the path of a readable YAML file');
    }
  }
  const metrics = parseMetrics(metricsText, file ? 'metrics-file' : 'metrics');
  if (judge === 'threshold') {
    const unlimited = metrics.filter((m) => m.max === undefined && m.min === undefined).map((m) => m.name);
    if (unlimited.length)
      throw new InputError(
        'metrics',
        unlimited.join(', '),
        'a max or min on every metric: the threshold judge compares each interval with them',
      );
  }

  const intervalMs = readDuration(io, 'interval', { fallback: INPUT_DEFAULTS.interval, min: 1000 });
  const durationText = readOptional(io, 'duration');
  const iterationsText = readOptional(io, 'iterations');
  if (durationText && iterationsText)
    throw new InputError(
      'iterations',
      iterationsText,
      "nothing when 'duration' is set: give one of duration and iterations",
    );
  let looks = readInteger(io, 'iterations', { min: 1, max: MAX_LOOKS });
  if (looks === undefined) {
    const total = readDuration(io, 'duration', { examples: '10m or 1h' });
    if (total === undefined)
      throw new InputError(
        'duration',
        undefined,
        'how long to analyse: set duration (e.g. 10m) or iterations (e.g. 10)',
      );
    if (total < intervalMs || total / intervalMs >= MAX_LOOKS + 1)
      throw new InputError(
        'duration',
        durationText,
        `from one interval to ${MAX_LOOKS} intervals (${formatDuration(intervalMs)} to ${formatDuration(MAX_LOOKS * intervalMs)} with interval ${formatDuration(intervalMs)}), as for iterations`,
      );
    looks = Math.floor(total / intervalMs);
  }

  const headers = parseHeaderLines(readString(io, 'prometheus-headers'), 'prometheus-headers');
  const selectors = {
    canary: readString(io, 'canary-selector'),
    baseline: readString(io, 'baseline-selector'),
  };
  const targets = {
    canary: readList(io, 'canary-targets'),
    baseline: readList(io, 'baseline-targets'),
  };
  const usesSelector = metrics.some((m) =>
    Object.entries(m.queries).some(([key, q]) => key !== 'kind' && /\{\{\s*selector\s*\}\}/.test(q)),
  );
  const inputs: CanaryGateInputs = {
    provider,
    source: { provider: 'scrape', targets, headers },
    headers,
    selectors,
    targets,
    metrics,
    judge,
    intervalMs,
    looks,
    initialDelayMs: readDuration(io, 'initial-delay', { fallback: INPUT_DEFAULTS['initial-delay'] }),
    confidence: readNumber(io, 'confidence', {
      fallback: INPUT_DEFAULTS.confidence,
      min: 0.5,
      max: 0.9999,
      expected: 'a number between 0.5 and 0.9999, e.g. 0.99',
    }),
    promoteConfidence: readNumber(io, 'promote-confidence', {
      fallback: INPUT_DEFAULTS['promote-confidence'],
      min: 0.5,
      max: 0.9999,
      expected: 'a number between 0.5 and 0.9999, e.g. 0.9',
    }),
    minRequests: readInteger(io, 'min-requests', { min: 0, fallback: INPUT_DEFAULTS['min-requests'] }),
    passScore: readNumber(io, 'pass-score', {
      fallback: INPUT_DEFAULTS['pass-score'],
      min: 0,
      max: 100,
      expected: 'a score from 0 to 100',
    }),
    marginalScore: readNumber(io, 'marginal-score', {
      fallback: INPUT_DEFAULTS['marginal-score'],
      min: 0,
      max: 100,
      expected: 'a score from 0 to 100',
    }),
    noData: readEnum(io, 'no-data', NO_DATA_POLICIES, INPUT_DEFAULTS['no-data']),
    failOn: readList(io, 'fail-on', INPUT_DEFAULTS['fail-on']).map((d) => {
      const decision = FAIL_ON_DECISIONS.find((allowed) => allowed === d);
      if (!decision)
        throw new InputError(
          'fail-on',
          d,
          'decisions from rollback, inconclusive, promote (comma-separated; error always fails the step)',
        );
      return decision;
    }),
    dryRun: readBoolean(io, 'dry-run', INPUT_DEFAULTS['dry-run']),
    timeoutMs: readDuration(io, 'timeout', { fallback: INPUT_DEFAULTS.timeout, min: 100 }),
  };
  if (inputs.marginalScore > inputs.passScore)
    throw new InputError(
      'marginal-score',
      String(inputs.marginalScore),
      `a score no higher than pass-score (${inputs.passScore})`,
    );
  if (provider === 'prometheus') {
    const url = readUrl(io, 'prometheus-url');
    if (!url)
      throw new InputError(
        'prometheus-url',
        undefined,
        'the URL of the Prometheus server (provider: prometheus)',
      );
    inputs.prometheusUrl = url;
    const sigv4 = readEnum(io, 'aws-sigv4', SIGV4_MODES, INPUT_DEFAULTS['aws-sigv4']);
    const fromHost = ampRegion(url);
    if (sigv4 === 'true' || (sigv4 === 'auto' && fromHost)) {
      const region =
        readOptional(io, 'aws-region') ??
        fromHost ??
        process.env['AWS_REGION'] ??
        process.env['AWS_DEFAULT_REGION'];
      if (!region)
        throw new InputError(
          'aws-region',
          undefined,
          'the AWS region to sign Prometheus queries for (aws-sigv4: true with a URL that names none), e.g. us-east-1',
        );
      inputs.sigv4 = { region, service: 'aps' };
    }
    inputs.source = { provider: 'prometheus', url, headers, sigv4: inputs.sigv4 };
  }
  if (provider === 'cloudwatch') {
    const region =
      readOptional(io, 'aws-region') ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
    if (!region)
      throw new InputError(
        'aws-region',
        undefined,
        'an AWS region such as us-east-1 (or AWS_REGION set by the credentials step)',
      );
    inputs.awsRegion = region;
    inputs.source = { provider: 'cloudwatch', region };
    if (!metricsText.trim()) {
      throw new InputError(
        'metrics',
        undefined,
        'metric definitions with CloudWatch expressions: the presets are written in PromQL',
      );
    }
    if (intervalMs % 1000 !== 0 || !isCloudWatchPeriod(intervalMs / 1000)) {
      throw new InputError(
        'interval',
        readString(io, 'interval', INPUT_DEFAULTS.interval),
        'with CloudWatch, a period it accepts: 1s, 5s, 10s, 20s, 30s (high-resolution metrics) or a multiple of 1m',
      );
    }
    const quantiles = metrics.filter((m) => m.kind === 'quantile').map((m) => m.name);
    if (quantiles.length) {
      throw new InputError(
        'metrics',
        quantiles.join(', '),
        "value or ratio metrics with CloudWatch, which has no histogram buckets: use a value metric with a SEARCH expression and a percentile statistic, e.g. SEARCH('{AWS/ApplicationELB,TargetGroup} MetricName=\"TargetResponseTime\" {{selector}}', 'p99') (Metrics Insights has no percentiles)",
      );
    }
  }
  if (provider !== 'scrape' && usesSelector && (!selectors.canary || !selectors.baseline)) {
    throw new InputError(
      selectors.canary ? 'baseline-selector' : 'canary-selector',
      undefined,
      'label matchers that select the arm, e.g. track="canary" (the metric queries use {{selector}})',
    );
  }
  if (provider === 'scrape') {
    for (const arm of ['canary', 'baseline'] as const) {
      if (targets[arm].length === 0)
        throw new InputError(
          `${arm}-targets`,
          undefined,
          `the /metrics URL(s) of the ${arm} (provider: scrape)`,
        );
      for (const url of targets[arm])
        if (!parseHttpUrl(url))
          throw new InputError(`${arm}-targets`, url, 'http(s) URLs of /metrics endpoints');
    }
  }
  return inputs;
}
