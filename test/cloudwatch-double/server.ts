/**
 * A local CloudWatch double for `GetMetricData`: an HTTP server on 127.0.0.1 (random port) that speaks the AWS
 * JSON 1.0 protocol the SDK uses, keeps metric series, and answers like monitoring.<region>.amazonaws.com.
 *
 * Faithfulness is checked, not assumed. The wire format comes from CloudWatch's official Smithy model
 * (test/fixtures/aws/cloudwatch-getmetricdata.smithy.json): the protocol (awsJson1_0: POST /, Content-Type
 * application/x-amz-json-1.0, X-Amz-Target <service shape>.<operation>), the SigV4 signing name, the
 * query-compatible error header, and the shapes every request body and every response body is validated
 * against (see smithy.ts). Anything the model does not allow is recorded in `violations`; tests assert there
 * are none. Requests the model allows but CloudWatch rejects by its documented rules (more than 500 queries,
 * more than one Metrics Insights query a request, an Id that does not start with a lowercase letter, duplicate
 * Ids, EndTime not after StartTime, ...) are answered with the error CloudWatch gives and recorded in
 * `rejections`.
 *
 * Data: named series, each selected by the exact `Expression` of a query (or a RegExp or a predicate), with a
 * source: `perSecond` (a count at N per second, summed over each period), `constant` (the same value in every
 * period: a gauge or a quantile), `points` (timestamped values aggregated per period by a statistic) or
 * `compute`. Each query is answered with one datapoint per Period over [StartTime, EndTime), periods counted
 * from StartTime (CloudWatch itself rounds StartTime down to the minute or to the period: the double does not,
 * so tests get exactly the window they ask for, whatever the wall clock). It honours ScanBy, MaxDatapoints and
 * NextToken pagination (also with a server-side page size, `maxDatapointsPerPage`), sets StatusCode, and can be
 * told to fail: whole requests (throttling, an internal error, access denied, a slow answer) or single queries
 * (a Forbidden, InternalError or PartialData status, an InvalidParameterValue error), for a number of requests.
 */
import { randomBytes, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmithyValidator, type Shape } from './smithy.js';

export type Statistic = 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount';

export type SeriesSource =
  /** A count growing at this rate: each period's datapoint is rate × the period's length in seconds. */
  | { perSecond: number }
  /** The same value in every period (a gauge, a latency quantile). */
  | { constant: number }
  /** Values at instants, aggregated per period with `stat` (default Sum); a period without points has no datapoint. */
  | { points: { at: Date | number; value: number }[]; stat?: Statistic }
  /** Any function of the period; undefined means no datapoint. */
  | { compute: (start: Date, end: Date) => number | undefined };

/** Selects the queries a series answers: the exact Expression (or `metricStatKey` of a MetricStat), a RegExp, a predicate. */
export type SeriesMatcher = string | RegExp | ((key: string) => boolean);

export interface RequestFault {
  /**
   * `throttling`: 400 Throttling (the SDK retries it); `internal-error`: 500 InternalServiceError (retried too);
   * `access-denied`: 400 AccessDenied; `slow`: the answer comes after `delayMs` (for client timeouts).
   */
  kind: 'throttling' | 'internal-error' | 'access-denied' | 'slow';
  /** How many requests it affects (default 1); Infinity for all. */
  times?: number;
  delayMs?: number;
  message?: string;
}

export interface QueryFault {
  /** Which queries: as for series. */
  match: SeriesMatcher;
  /** A per-query status in an otherwise successful answer. */
  status?: 'Forbidden' | 'InternalError' | 'PartialData';
  /** Or the whole request fails with InvalidParameterValue naming this query. */
  error?: 'InvalidParameterValue';
  message?: string;
  times?: number;
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  target: string | undefined;
  /** Region and service from the SigV4 credential scope. */
  region: string | undefined;
  signingName: string | undefined;
  /** The `x-amzn-query-mode` header a client of a query-compatible service sends. */
  queryMode: boolean;
  body: unknown;
  status: number;
  /** The query-compatible error code answered, e.g. `Throttling`. */
  error?: string;
  expressions: string[];
}

interface Series {
  match: SeriesMatcher;
  source: SeriesSource;
}

interface Query {
  Id: string;
  Expression?: string;
  MetricStat?: {
    Metric: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
    Unit?: string;
  };
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

interface Input {
  MetricDataQueries: Query[];
  StartTime: number;
  EndTime: number;
  NextToken?: string;
  ScanBy?: 'TimestampDescending' | 'TimestampAscending';
  MaxDatapoints?: number;
}

interface ErrorReply {
  status: number;
  /** Code and fault for the `x-amzn-query-error` header. */
  code: string;
  fault: 'Sender' | 'Receiver';
  type: string;
  body: Record<string, unknown>;
  /** The model's error shape, when the error is modeled: its body is validated against it. */
  shape?: string;
}

class Rejected extends Error {
  constructor(readonly reply: ErrorReply) {
    super(reply.code);
  }
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
/** CloudWatch's documented rule for MetricDataQuery.Id (the model itself only limits its length). */
const METRIC_ID = /^[a-z][A-Za-z0-9_]*$/;
/** GetMetricData documentation: a request may include only one Metrics Insights query. */
const INSIGHTS = /^\s*SELECT\s/i;
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;

/** The key a MetricStat query is matched on: `Namespace/MetricName{Name=Value,...}:Stat`. */
export function metricStatKey(stat: NonNullable<Query['MetricStat']>): string {
  const dims = [...(stat.Metric.Dimensions ?? [])]
    .sort((a, b) => (a.Name < b.Name ? -1 : 1))
    .map((d) => `${d.Name}=${d.Value}`)
    .join(',');
  return `${stat.Metric.Namespace ?? ''}/${stat.Metric.MetricName ?? ''}{${dims}}:${stat.Stat}`;
}

function matches(matcher: SeriesMatcher, key: string): boolean {
  if (typeof matcher === 'string') return matcher === key;
  if (matcher instanceof RegExp) return new RegExp(matcher.source, matcher.flags.replace('g', '')).test(key);
  return matcher(key);
}

function sameMatcher(a: SeriesMatcher, b: SeriesMatcher): boolean {
  if (a instanceof RegExp && b instanceof RegExp) return a.source === b.source && a.flags === b.flags;
  return a === b;
}

function aggregate(values: number[], stat: string): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case 'Sum':
      return values.reduce((s, v) => s + v, 0);
    case 'Average':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
    default:
      return undefined; // percentiles of points are not modelled: no datapoint
  }
}

/** A double as the AWS JSON protocol writes it: NaN and the infinities as strings. */
function wireDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export class CloudWatchDouble {
  readonly violations: string[] = [];
  readonly rejections: string[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Server-side page size (CloudWatch's is 100,800 datapoints); a request's MaxDatapoints can lower it. */
  maxDatapointsPerPage = DEFAULT_MAX_DATAPOINTS;
  url = '';

  readonly validator: SmithyValidator;
  private readonly serviceName: string;
  private readonly signingName: string;
  private readonly contentType: string;
  private readonly queryCompatible: boolean;
  private readonly operation: Shape;
  private readonly series: Series[] = [];
  private readonly requestFaults: (RequestFault & { remaining: number })[] = [];
  private readonly queryFaults: (QueryFault & { remaining: number })[] = [];
  private readonly tokens = new Map<string, { fingerprint: string; offset: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private requestCounter = 0;

  private constructor(private readonly region: string | undefined) {
    this.validator = new SmithyValidator();
    const { id, shape } = this.validator.service();
    const traits = shape.traits ?? {};
    if (!('aws.protocols#awsJson1_0' in traits))
      throw new Error(`${id} does not support awsJson1_0 in the model`);
    this.serviceName = id.split('#')[1]!;
    this.contentType = 'application/x-amz-json-1.0';
    this.signingName = (traits['aws.auth#sigv4'] as { name: string }).name;
    this.queryCompatible = 'aws.protocols#awsQueryCompatible' in traits;
    this.operation = this.validator.shape(`${id.split('#')[0]}#GetMetricData`);
  }

  /** Starts a double; `region`, when given, is the only region the SigV4 credential scope may name. */
  static async start(options: { region?: string } = {}): Promise<CloudWatchDouble> {
    const double = new CloudWatchDouble(options.region);
    await double.listen();
    return double;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push(`double crashed on ${req.method} ${req.url}: ${String(error)}`);
        if (!res.headersSent && !res.destroyed) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  // ---- state set-up ----------------------------------------------------------------------------------------

  /** Defines (or redefines) the series a query's Expression selects. The latest definition that matches wins. */
  defineSeries(match: SeriesMatcher, source: SeriesSource): this {
    const i = this.series.findIndex((s) => sameMatcher(s.match, match));
    if (i >= 0) this.series.splice(i, 1);
    this.series.push({ match, source });
    return this;
  }

  /** Adds a datapoint to the `points` series selected by `match` (created with the Sum statistic if needed). */
  putDatapoint(match: SeriesMatcher, timestamp: Date | number, value: number): this {
    let series = this.series.find((s) => sameMatcher(s.match, match));
    if (!series || !('points' in series.source)) {
      series = { match, source: { points: [] } };
      this.defineSeries(match, series.source);
    }
    (series.source as { points: { at: Date | number; value: number }[] }).points.push({
      at: timestamp,
      value,
    });
    return this;
  }

  /** Makes the next `times` GetMetricData requests fail (or answer slowly). */
  failRequests(fault: RequestFault): this {
    this.requestFaults.push({ ...fault, remaining: fault.times ?? 1 });
    return this;
  }

  /** Makes the queries `fault.match` selects fail, in the next `times` requests that include them. */
  failQuery(fault: QueryFault): this {
    this.queryFaults.push({ ...fault, remaining: fault.times ?? 1 });
    return this;
  }

  /** The GetMetricData requests that were answered (any status), with their bodies. */
  getMetricDataCalls(): RecordedRequest[] {
    return this.requests.filter((r) => r.target === `${this.serviceName}.GetMetricData`);
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const target = header('x-amz-target');
    const record: RecordedRequest = {
      at: Date.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      target,
      region: undefined,
      signingName: undefined,
      queryMode: header('x-amzn-query-mode') === 'true',
      body: undefined,
      status: 0,
      expressions: [],
    };
    this.requests.push(record);
    const where = `request ${this.requests.length} (${record.method} ${record.path} ${target ?? 'without X-Amz-Target'})`;
    try {
      this.checkProtocol(req, header, target, record, where);
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${where}: the body is not JSON`);
        throw new Rejected(
          this.unmodeled(400, 'MalformedInput', 'SerializationException', 'Body is not valid JSON'),
        );
      }
      record.body = body;
      const problems = this.validator.validate(this.operation.input!.target, body);
      if (problems.length) {
        for (const p of problems) this.violations.push(`${where}: request body${p}`);
        throw new Rejected(
          this.unmodeled(
            400,
            'ValidationError',
            'com.amazon.coral.validate#ValidationException',
            `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
          ),
        );
      }
      const input = body as Input;
      record.expressions = input.MetricDataQueries.map((q) => q.Expression ?? metricStatKey(q.MetricStat!));
      await this.applyRequestFault(req);
      if (res.destroyed) return;
      this.checkServiceRules(input, where);
      const output = this.answer(input);
      const outputProblems = this.validator.validate(this.operation.output!.target, output);
      for (const p of outputProblems) this.violations.push(`response to ${where}: body${p}`);
      record.status = 200;
      this.send(res, 200, output);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      const reply = error.reply;
      if (reply.shape) {
        for (const p of this.validator.validate(reply.shape, reply.body))
          this.violations.push(`error response to ${where}: body${p}`);
      }
      record.status = reply.status;
      record.error = reply.code;
      if (res.destroyed) return;
      this.send(res, reply.status, { __type: reply.type, ...reply.body }, reply);
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, error?: ErrorReply): void {
    const headers: Record<string, string> = {
      'content-type': this.contentType,
      'x-amzn-requestid': `double-${++this.requestCounter}`,
    };
    if (error && this.queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
    const text = JSON.stringify(body);
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(status, headers);
    res.end(text);
  }

  /** awsJson1_0: POST /, the content type, X-Amz-Target, and a SigV4 Authorization for the signing name. */
  private checkProtocol(
    req: IncomingMessage,
    header: (name: string) => string | undefined,
    target: string | undefined,
    record: RecordedRequest,
    where: string,
  ): void {
    const unknownOperation = (why: string) => {
      this.violations.push(`${where}: ${why}`);
      return new Rejected(
        this.unmodeled(400, 'InvalidAction', 'com.amazon.coral.service#UnknownOperationException', why),
      );
    };
    if (req.method !== 'POST' || (req.url ?? '') !== '/')
      throw unknownOperation(`awsJson1_0 requests are POST /, not ${req.method} ${req.url}`);
    if (!target) throw unknownOperation('X-Amz-Target is missing');
    if (target !== `${this.serviceName}.GetMetricData`) {
      throw unknownOperation(
        target.startsWith(`${this.serviceName}.`)
          ? `${target} is not implemented by the double (only GetMetricData)`
          : `X-Amz-Target ${target} does not name the service ${this.serviceName}`,
      );
    }
    const contentType = (header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== this.contentType) {
      this.violations.push(`${where}: Content-Type is ${contentType || 'missing'}, not ${this.contentType}`);
      throw new Rejected(
        this.unmodeled(
          400,
          'MalformedInput',
          'com.amazon.coral.service#SerializationException',
          'Unsupported content type',
        ),
      );
    }
    const authorization = header('authorization');
    if (!authorization) {
      this.violations.push(`${where}: no Authorization header (requests must be signed with SigV4)`);
      throw new Rejected(
        this.unmodeled(
          403,
          'MissingAuthenticationToken',
          'MissingAuthenticationTokenException',
          'Missing Authentication Token',
        ),
      );
    }
    const m = SIGV4.exec(authorization);
    const amzDate = header('x-amz-date') ?? '';
    const problems: string[] = [];
    if (!m) problems.push(`Authorization is not a SigV4 header: ${authorization.slice(0, 80)}`);
    else {
      const [, , date, region, service, signed] = m;
      record.region = region;
      record.signingName = service;
      if (service !== this.signingName)
        problems.push(`signed for service ${service}, not ${this.signingName}`);
      if (this.region && region !== this.region)
        problems.push(`signed for region ${region}, not ${this.region}`);
      if (!/^\d{8}T\d{6}Z$/.test(amzDate)) problems.push(`X-Amz-Date ${amzDate || 'is missing'}`);
      else if (amzDate.slice(0, 8) !== date)
        problems.push(`X-Amz-Date ${amzDate} is not on the credential date ${date}`);
      const signedHeaders = signed!.split(';');
      for (const h of ['host', 'x-amz-date', 'x-amz-target'])
        if (!signedHeaders.includes(h)) problems.push(`SignedHeaders does not include ${h}`);
    }
    if (problems.length) {
      for (const p of problems) this.violations.push(`${where}: ${p}`);
      throw new Rejected(
        this.unmodeled(400, 'IncompleteSignature', 'IncompleteSignatureException', problems.join('; ')),
      );
    }
  }

  private async applyRequestFault(req: IncomingMessage): Promise<void> {
    const fault = this.requestFaults.find((f) => f.remaining > 0);
    if (!fault) return;
    fault.remaining--;
    switch (fault.kind) {
      case 'slow':
        // answer after the delay, or give up as soon as the client hangs up (a client-side timeout)
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.timers.delete(timer);
            req.socket.off('close', done);
            resolve();
          };
          const timer = setTimeout(done, fault.delayMs ?? 5000);
          this.timers.add(timer);
          req.socket.once('close', done);
        });
        return;
      case 'throttling':
        throw new Rejected(
          this.unmodeled(
            400,
            'Throttling',
            'com.amazon.coral.availability#ThrottlingException',
            fault.message ?? 'Rate exceeded',
          ),
        );
      case 'access-denied':
        throw new Rejected(
          this.unmodeled(
            400,
            'AccessDenied',
            'com.amazon.coral.service#AccessDeniedException',
            fault.message ??
              'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:GetMetricData',
          ),
        );
      case 'internal-error':
        throw new Rejected(this.modeled('InternalServiceError', fault.message ?? 'Internal service error'));
    }
  }

  /** Rules CloudWatch applies beyond the model (documented in its API reference), and per-query error faults. */
  private checkServiceRules(input: Input, where: string): void {
    const reject = (reply: ErrorReply) => {
      this.rejections.push(
        `${where}: ${reply.code}: ${String(reply.body['message'] ?? reply.body['Message'])}`,
      );
      return new Rejected(reply);
    };
    const validation = (message: string) =>
      reject(
        this.unmodeled(400, 'ValidationError', 'com.amazon.coral.validate#ValidationException', message),
      );
    const queries = input.MetricDataQueries;
    if (queries.length === 0)
      throw validation('The parameter MetricDataQueries must contain at least one query.');
    if (queries.length > MAX_QUERIES)
      throw validation(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
    const insights = queries.filter((q) => q.Expression !== undefined && INSIGHTS.test(q.Expression));
    if (insights.length > 1) throw validation('Maximum number of queries (1) exceeded');
    const ids = new Set<string>();
    queries.forEach((q, i) => {
      if (!METRIC_ID.test(q.Id))
        throw validation(
          `The value ${q.Id} for parameter MetricDataQueries.member.${i + 1}.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.`,
        );
      if (ids.has(q.Id))
        throw validation(
          `The value ${q.Id} for parameter MetricDataQueries.member.${i + 1}.Id is not unique.`,
        );
      ids.add(q.Id);
      if ((q.Expression === undefined) === (q.MetricStat === undefined))
        throw validation(
          `Exactly one of MetricStat and Expression must be set in MetricDataQueries.member.${i + 1}.`,
        );
    });
    if (!(input.EndTime > input.StartTime))
      throw validation('The parameter StartTime must be less than the parameter EndTime.');
    if (input.MaxDatapoints !== undefined && input.MaxDatapoints < 1)
      throw validation('The parameter MaxDatapoints must be greater than 0.');
    queries.forEach((q, i) => {
      const key = q.Expression ?? metricStatKey(q.MetricStat!);
      const fault = this.queryFaults.find((f) => f.error && f.remaining > 0 && matches(f.match, key));
      if (!fault) return;
      fault.remaining--;
      // an injected fault, not a rule: answered as CloudWatch would, not recorded as a rejection
      throw new Rejected(
        this.modeled(
          'InvalidParameterValue',
          fault.message ??
            `The value ${key} for parameter MetricDataQueries.member.${i + 1}.${q.Expression !== undefined ? 'Expression' : 'MetricStat'} is not valid.`,
        ),
      );
    });
    if (input.NextToken !== undefined) {
      const token = this.tokens.get(input.NextToken);
      if (!token || token.fingerprint !== fingerprint(input))
        throw reject(this.modeled('InvalidNextToken', 'The service cannot process the NextToken.'));
    }
  }

  // ---- answers ---------------------------------------------------------------------------------------------

  private answer(input: Input): Record<string, unknown> {
    const startMs = input.StartTime * 1000;
    const endMs = input.EndTime * 1000;
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const returned = input.MetricDataQueries.filter((q) => q.ReturnData !== false);
    const perQuery = returned.map((q) => {
      const key = q.Expression ?? metricStatKey(q.MetricStat!);
      const statusFault = this.queryFaults.find((f) => f.status && f.remaining > 0 && matches(f.match, key));
      if (statusFault) statusFault.remaining--;
      const blocked = statusFault?.status === 'Forbidden' || statusFault?.status === 'InternalError';
      const points = blocked ? [] : this.datapoints(q, key, startMs, endMs);
      if (descending) points.reverse();
      return { q, points, statusFault };
    });
    const items = perQuery.flatMap((r, qi) => r.points.map((_, pi) => ({ qi, pi })));
    const limit = Math.min(input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS, this.maxDatapointsPerPage);
    const offset = input.NextToken !== undefined ? this.tokens.get(input.NextToken)!.offset : 0;
    const page = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    const results = perQuery.map((r, qi) => {
      const mine = page.filter((it) => it.qi === qi).map((it) => r.points[it.pi]!);
      const lastIndex = items.reduce((last, it, i) => (it.qi === qi ? i : last), -1);
      const status = r.statusFault?.status ?? (lastIndex >= offset + limit ? 'PartialData' : 'Complete');
      const result: Record<string, unknown> = {
        Id: r.q.Id,
        Label: r.q.Label ?? r.q.Id,
        Timestamps: mine.map((p) => p.at / 1000),
        Values: mine.map((p) => wireDouble(p.value)),
        StatusCode: status,
      };
      if (r.statusFault) {
        result['Messages'] = [
          {
            Code: r.statusFault.status,
            Value:
              r.statusFault.message ??
              (r.statusFault.status === 'Forbidden'
                ? 'Authentication too complex to retrieve cross region data'
                : r.statusFault.status === 'InternalError'
                  ? 'An internal error occurred'
                  : 'Not all data points were returned'),
          },
        ];
      }
      return result;
    });
    const output: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
    if (more) {
      const token = randomBytes(24).toString('base64url');
      this.tokens.set(token, { fingerprint: fingerprint(input), offset: offset + limit });
      output['NextToken'] = token;
    }
    return output;
  }

  /** One datapoint per period from StartTime, for the series the query selects; none when no series matches. */
  private datapoints(q: Query, key: string, startMs: number, endMs: number): { at: number; value: number }[] {
    const series = [...this.series].reverse().find((s) => matches(s.match, key));
    if (!series) return [];
    const periodMs = (q.Period ?? q.MetricStat?.Period ?? 60) * 1000;
    const points: { at: number; value: number }[] = [];
    for (let at = startMs; at < endMs; at += periodMs) {
      const end = Math.min(at + periodMs, endMs);
      const value = this.evaluate(series.source, q, at, end);
      if (value !== undefined) points.push({ at, value });
    }
    return points;
  }

  private evaluate(source: SeriesSource, q: Query, start: number, end: number): number | undefined {
    if ('perSecond' in source) return (source.perSecond * (end - start)) / 1000;
    if ('constant' in source) return source.constant;
    if ('compute' in source) return source.compute(new Date(start), new Date(end));
    const inside = source.points
      .filter((p) => {
        const t = p.at instanceof Date ? p.at.getTime() : p.at;
        return t >= start && t < end;
      })
      .map((p) => p.value);
    return aggregate(inside, q.MetricStat?.Stat ?? source.stat ?? 'Sum');
  }

  // ---- errors ----------------------------------------------------------------------------------------------

  /** An error the model describes, found by its query-compatible code (status and shape from the model). */
  private modeled(code: string, message: string): ErrorReply {
    const error = this.validator.errorByQueryCode(code);
    if (!error) throw new Error(`the model has no error with the query code ${code}`);
    // the message member is `message` or `Message` depending on the shape
    const member =
      Object.keys(error.shape.members ?? {}).find((k) => k.toLowerCase() === 'message') ?? 'message';
    return {
      status: error.httpStatus,
      code,
      fault: error.fault === 'server' ? 'Receiver' : 'Sender',
      type: error.id,
      body: { [member]: message },
      shape: error.id,
    };
  }

  /** An error common to AWS services that the CloudWatch model does not describe (throttling, auth, validation). */
  private unmodeled(status: number, code: string, type: string, message: string): ErrorReply {
    return { status, code, fault: status >= 500 ? 'Receiver' : 'Sender', type, body: { message } };
  }
}

/** What a NextToken is bound to: the request without its NextToken. */
function fingerprint(input: Input): string {
  const { NextToken: _token, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
