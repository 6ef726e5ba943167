/**
 * The CloudWatch provider: `GetMetricData` (@aws-sdk/client-cloudwatch) with every metric's canary and baseline
 * expressions as metric data queries over the look's interval. Expressions are CloudWatch Metrics Insights
 * queries or metric math, with `{{selector}}` filled from canary-selector / baseline-selector (e.g.
 * `SELECT SUM(Errors) FROM SCHEMA("OpenClaw/Rating", Track) WHERE {{selector}}` with
 * `canary-selector: Track = 'canary'`). CloudWatch accepts one Metrics Insights query per request, so each
 * look sends one request per Metrics Insights query and one for all the other expressions, a few at a time.
 *
 * Credentials come from the SDK's standard provider chain, so the usual `aws-actions/configure-aws-credentials`
 * (OIDC role) step before this one works; `AWS_ENDPOINT_URL_CLOUDWATCH` points the SDK elsewhere (VPC
 * endpoints, tests).
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { ActionError } from '../../common/errors.js';
import type { Arm, CollectedLook, LookCollector, LookWindow, QueryRecord } from './collector.js';
import { renderQuery } from '../metrics-config.js';
import type { LookData } from '../model.js';
import type { MetricDefinition } from '../presets.js';

interface Planned {
  id: string;
  metric: MetricDefinition;
  arm: Arm;
  part: QueryRecord['part'];
  template: string;
}

/** A Metrics Insights query: CloudWatch answers ValidationError to a request with more than one. */
const INSIGHTS_QUERY = /^\s*SELECT\s/i;
/** At most 500 metric data queries a request. */
const MAX_QUERIES_PER_REQUEST = 500;
/** Requests of one look in flight at once (GetMetricData's default quota is 50 a second per account). */
const CONCURRENT_REQUESTS = 4;
/** A guard against a NextToken that never ends. */
const MAX_PAGES = 100;

/** Errors that mean the configuration is wrong (fail the run) rather than CloudWatch being unavailable. */
const CONFIGURATION_ERRORS = new Set([
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
  'MissingRequiredParameterException',
  'ValidationError',
  'ValidationException',
]);

export class CloudWatchCollector implements LookCollector {
  private readonly planned: Planned[] = [];

  constructor(
    private readonly client: CloudWatchClient,
    private readonly metrics: readonly MetricDefinition[],
    private readonly selectors: Record<Arm, string>,
  ) {
    metrics.forEach((metric, m) => {
      const q = metric.queries;
      const add = (arm: Arm, part: Planned['part'], template: string) =>
        this.planned.push({ id: `m${m}_${arm}_${part}`, metric, arm, part, template });
      if (q.kind === 'ratio') {
        add('canary', 'failures', q.canaryFailures);
        add('canary', 'total', q.canaryTotal);
        add('baseline', 'failures', q.baselineFailures);
        add('baseline', 'total', q.baselineTotal);
      } else if (q.kind === 'value') {
        add('canary', 'value', q.canaryQuery);
        add('baseline', 'value', q.baselineQuery);
      }
      // (a quantile metric has no CloudWatch query: the action refuses it with provider cloudwatch)
    });
  }

  static create(
    region: string,
    timeoutMs: number,
    metrics: readonly MetricDefinition[],
    selectors: Record<Arm, string>,
  ): CloudWatchCollector {
    const client = new CloudWatchClient({
      region,
      // without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes, and waits on
      requestHandler: {
        requestTimeout: timeoutMs,
        connectionTimeout: timeoutMs,
        throwOnRequestTimeout: true,
      },
      maxAttempts: 3,
    });
    return new CloudWatchCollector(client, metrics, selectors);
  }

  describe(): string {
    return 'cloudwatch';
  }

  async collect(window: LookWindow): Promise<CollectedLook> {
    const periodSeconds = Math.max(1, Math.round((window.end.getTime() - window.start.getTime()) / 1000));
    const at = window.end.toISOString();
    const queries: QueryRecord[] = this.planned.map((p) => ({
      metric: p.metric.name,
      arm: p.arm,
      part: p.part,
      query: renderQuery(p.template, this.selectors[p.arm], `${periodSeconds}s`),
      at,
    }));
    const request: MetricDataQuery[] = this.planned.map((p, i) => ({
      Id: p.id,
      Expression: queries[i]!.query,
      Period: periodSeconds,
      Label: `${p.metric.name} ${p.arm} ${p.part}`,
      ReturnData: true,
    }));
    // one request per Metrics Insights query, one for the other expressions (up to 500 a request)
    const insights = request.map((query) => INSIGHTS_QUERY.test(query.Expression ?? ''));
    const batches = request.flatMap((_, i) => (insights[i] ? [[i]] : []));
    const others = request.flatMap((_, i) => (insights[i] ? [] : [i]));
    for (let i = 0; i < others.length; i += MAX_QUERIES_PER_REQUEST)
      batches.push(others.slice(i, i + MAX_QUERIES_PER_REQUEST));
    const results = new Map<string, MetricDataResult>();
    const abort = new AbortController();
    let failure: { error: unknown; batch: number[] } | undefined;
    let next = 0;
    const worker = async () => {
      while (next < batches.length && !abort.signal.aborted) {
        const batch = batches[next++]!;
        try {
          const found = await this.fetch(
            batch.map((i) => request[i]!),
            window,
            abort.signal,
          );
          for (const [id, r] of found) results.set(id, r);
        } catch (error) {
          // the first failure decides the look; the requests still in flight are abandoned
          if (!failure) failure = { error, batch };
          abort.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_REQUESTS, batches.length) }, worker));
    if (failure) {
      const { error, batch } = failure;
      const name = (error as { name?: string }).name ?? '';
      const message = `CloudWatch GetMetricData failed: ${name ? `${name}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
      if (CONFIGURATION_ERRORS.has(name)) {
        const rejected = batch.map(
          (i) =>
            `  ${this.planned[i]!.metric.name} ${queries[i]!.arm} ${queries[i]!.part}: ${queries[i]!.query}`,
        );
        throw new ActionError(
          `${message}\nThe request had these queries:\n${rejected.join('\n')}\nCheck the metric expressions and selectors.`,
        );
      }
      for (const q of queries) q.problem = message;
      const data = new Map<string, LookData>(
        this.metrics.map((m) => [m.name, { look: window.look, at, kind: 'none', problem: message }]),
      );
      return { data, queries, providerProblem: message };
    }
    const reading = (id: string, i: number): number | string => {
      const r = results.get(id);
      const q = queries[i]!;
      if (!r) return (q.problem = 'no result returned for this query');
      if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
        return (q.problem = `${r.StatusCode}: ${(r.Messages ?? []).map((m) => m.Value).join('; ')}`);
      }
      const value = r.Values?.[0];
      if (value === undefined) return (q.problem = 'no datapoint in the interval');
      if (!Number.isFinite(value)) return (q.problem = 'the datapoint is not a finite number');
      q.value = value;
      if (r.StatusCode === 'PartialData') q.warnings = ['CloudWatch returned partial data'];
      return value;
    };
    const values = new Map(this.planned.map((p, i) => [p.id, reading(p.id, i)]));
    const data = new Map<string, LookData>();
    this.metrics.forEach((metric, m) => {
      const get = (arm: Arm, part: Planned['part']) => values.get(`m${m}_${arm}_${part}`);
      const problem = (x: number | string | undefined, arm: Arm, part: string) =>
        typeof x === 'number' ? undefined : `${arm} ${part}: ${x ?? 'missing'}`;
      if (metric.kind === 'ratio') {
        const parts = [
          get('canary', 'failures'),
          get('canary', 'total'),
          get('baseline', 'failures'),
          get('baseline', 'total'),
        ];
        // a failures series with no datapoint while there was traffic means no failures were recorded
        const [cf, ct, bf, bt] = parts.map((x, i) =>
          i % 2 === 0 && x === 'no datapoint in the interval' ? 0 : x,
        );
        const issue =
          problem(ct, 'canary', 'total') ??
          problem(bt, 'baseline', 'total') ??
          problem(cf, 'canary', 'failures') ??
          problem(bf, 'baseline', 'failures');
        if (issue) {
          data.set(metric.name, { look: window.look, at, kind: 'none', problem: issue });
          return;
        }
        const counts = (f: number, t: number) => {
          const total = Math.max(0, Math.round(t));
          return { events: Math.min(total, Math.max(0, Math.round(f))), total };
        };
        data.set(metric.name, {
          look: window.look,
          at,
          kind: 'ratio',
          canary: counts(cf as number, ct as number),
          baseline: counts(bf as number, bt as number),
        });
      } else {
        const c = get('canary', 'value');
        const b = get('baseline', 'value');
        const issue = problem(c, 'canary', 'value') ?? problem(b, 'baseline', 'value');
        data.set(
          metric.name,
          issue
            ? { look: window.look, at, kind: 'none', problem: issue }
            : { look: window.look, at, kind: 'value', canary: c as number, baseline: b as number },
        );
      }
    });
    return { data, queries };
  }

  /** One GetMetricData request, following NextToken; results merged by Id (the last page's StatusCode counts). */
  private async fetch(
    queries: MetricDataQuery[],
    window: LookWindow,
    abortSignal: AbortSignal,
  ): Promise<Map<string, MetricDataResult>> {
    const results = new Map<string, MetricDataResult>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_PAGES)
        throw new Error(`CloudWatch answered more than ${MAX_PAGES} pages for one look`);
      const { start, end } = alignToPeriod(window);
      const response = await this.client.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: queries,
          ScanBy: 'TimestampDescending',
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
        { abortSignal },
      );
      for (const r of response.MetricDataResults ?? []) {
        if (!r.Id) continue;
        const seen = results.get(r.Id);
        if (seen) {
          seen.Values = [...(seen.Values ?? []), ...(r.Values ?? [])];
          seen.Timestamps = [...(seen.Timestamps ?? []), ...(r.Timestamps ?? [])];
          seen.Messages = [...(seen.Messages ?? []), ...(r.Messages ?? [])];
          // PartialData on a page followed by another page is not partial: the last page says
          seen.StatusCode = r.StatusCode;
        } else results.set(r.Id, { ...r });
      }
      nextToken = response.NextToken;
    } while (nextToken);
    return results;
  }
}

/**
 * CloudWatch answers periods counted on its own grid (whole periods since the epoch): a window that is not on it
 * gets two partial datapoints. The window is moved back onto the grid, to the last whole period that ended
 * within it.
 */
export function alignToPeriod(window: LookWindow): { start: Date; end: Date } {
  const period = window.end.getTime() - window.start.getTime();
  if (period <= 0) return { start: window.start, end: window.end };
  const end = Math.floor(window.end.getTime() / period) * period;
  return { start: new Date(end - period), end: new Date(end) };
}

/** Periods GetMetricData accepts: 1, 5, 10, 20, 30 seconds (high resolution) or a multiple of 60. */
export function isCloudWatchPeriod(seconds: number): boolean {
  return [1, 5, 10, 20, 30].includes(seconds) || (seconds > 0 && seconds % 60 === 0);
}
