/**
 * A small typed client for Prometheus's HTTP API (`/api/v1/query`, `/api/v1/query_range`) on Node's `fetch`.
 *
 * Why not a library: `prom-query` cannot run arbitrary PromQL, leaves the query unencoded in the URL, uses
 * callbacks and depends on the deprecated `wreck`; `prometheus-query` is sound but brings axios (over 1 MB
 * bundled) for two GET requests, and parses sample values with `parseFloat`, which turns `+Inf` into NaN. This
 * client is about 150 lines, sends the query form-encoded in a POST body (no URL length limit, correct
 * escaping), parses values as Prometheus writes them (strings, with `NaN`, `+Inf`, `-Inf`), keeps every series
 * with its labels (never flattened), turns the error envelope (`errorType`, `error`) into a clear message, and
 * surfaces `warnings` and `infos`.
 */

export interface PrometheusOptions {
  /** Base URL, e.g. http://prometheus:9090 (a path prefix such as /prometheus is kept). */
  url: string;
  /** Extra headers (Authorization for bearer or basic auth, tenant headers, ...). */
  headers?: Record<string, string>;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Signs each request (SigV4 for Amazon Managed Service for Prometheus): returns the headers to send. */
  sign?: (request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string;
  }) => Promise<Record<string, string>>;
}

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value] pairs; one for a vector, several for a matrix. */
  samples: [number, number][];
}

export type QueryResult =
  | { resultType: 'vector'; series: Series[] }
  | { resultType: 'matrix'; series: Series[] }
  | { resultType: 'scalar'; sample: [number, number] }
  | { resultType: 'string'; value: string };

export interface QueryResponse {
  result: QueryResult;
  warnings: string[];
  infos: string[];
}

/** An error Prometheus reported (its errorType and message) or one on the way to it (network, timeout, HTTP). */
export class PrometheusError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'http' | 'api' | 'response' | 'auth',
    readonly errorType?: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

/** A sample value as Prometheus writes it: a string, with NaN, +Inf and -Inf spelled out. */
export function parseSampleValue(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    default: {
      const n = Number(text);
      return text.trim() === '' ? NaN : n;
    }
  }
}

function parseSample(raw: unknown, what: string): [number, number] {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number') {
    throw new PrometheusError(
      `unexpected sample in ${what}: ${JSON.stringify(raw).slice(0, 100)}`,
      'response',
    );
  }
  return [raw[0], parseSampleValue(raw[1])];
}

function parseSeries(raw: unknown, kind: 'vector' | 'matrix'): Series[] {
  if (!Array.isArray(raw)) throw new PrometheusError(`a ${kind} result is not a list`, 'response');
  return raw.map(
    (item: {
      metric?: Record<string, string>;
      value?: unknown;
      values?: unknown[];
      histogram?: unknown;
      histograms?: unknown;
    }) => {
      const labels = item.metric ?? {};
      if (kind === 'vector') {
        if (item.value === undefined && item.histogram !== undefined) {
          throw new PrometheusError(
            'the query returns native histograms; wrap them in histogram_quantile() or histogram_count()',
            'response',
          );
        }
        return { labels, samples: [parseSample(item.value, 'a vector')] };
      }
      if (!Array.isArray(item.values)) {
        if (item.histograms !== undefined)
          throw new PrometheusError(
            'the query returns native histograms; wrap them in a function',
            'response',
          );
        throw new PrometheusError('a matrix series has no values', 'response');
      }
      return { labels, samples: item.values.map((v) => parseSample(v, 'a matrix')) };
    },
  );
}

/** Parse a `/api/v1/query*` response body (already JSON-decoded). */
export function parseQueryResponse(body: unknown): QueryResponse {
  const envelope = body as {
    status?: string;
    data?: { resultType?: string; result?: unknown };
    errorType?: string;
    error?: string;
    warnings?: string[];
    infos?: string[];
  };
  if (!envelope || typeof envelope !== 'object')
    throw new PrometheusError('the response is not a JSON object', 'response');
  if (envelope.status === 'error') {
    throw new PrometheusError(
      `Prometheus answered ${envelope.errorType ?? 'error'}: ${envelope.error ?? '(no message)'}`,
      'api',
      envelope.errorType,
    );
  }
  if (envelope.status !== 'success' || !envelope.data) {
    throw new PrometheusError(`unexpected response status ${JSON.stringify(envelope.status)}`, 'response');
  }
  const { resultType, result } = envelope.data;
  let parsed: QueryResult;
  switch (resultType) {
    case 'vector':
      parsed = { resultType, series: parseSeries(result, 'vector') };
      break;
    case 'matrix':
      parsed = { resultType, series: parseSeries(result, 'matrix') };
      break;
    case 'scalar':
      parsed = { resultType, sample: parseSample(result, 'a scalar') };
      break;
    case 'string':
      parsed = { resultType, value: Array.isArray(result) ? String(result[1]) : String(result) };
      break;
    default:
      throw new PrometheusError(`unknown resultType ${JSON.stringify(resultType)}`, 'response');
  }
  return { result: parsed, warnings: envelope.warnings ?? [], infos: envelope.infos ?? [] };
}

export class PrometheusClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: PrometheusOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** An instant query evaluated at `time`. */
  query(expr: string, time: Date): Promise<QueryResponse> {
    return this.post('/api/v1/query', { query: expr, time: toUnixSeconds(time) });
  }

  /** A range query from `start` to `end` every `stepSeconds`. */
  queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<QueryResponse> {
    return this.post('/api/v1/query_range', {
      query: expr,
      start: toUnixSeconds(start),
      end: toUnixSeconds(end),
      step: String(stepSeconds),
    });
  }

  private async post(path: string, params: Record<string, string>): Promise<QueryResponse> {
    const url = `${this.base}${path}`;
    const body = new URLSearchParams(params).toString();
    let headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...this.options.headers,
    };
    if (this.options.sign) {
      try {
        // fetch sets Host itself, to the same value the signature covers
        const { host: _host, ...signed } = await this.options.sign({ method: 'POST', url, headers, body });
        headers = signed;
      } catch (error) {
        throw new PrometheusError(
          `cannot sign the request to ${this.base} with SigV4: ${(error as Error).message ?? String(error)}`,
          'auth',
        );
      }
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new PrometheusError(
          `Prometheus at ${this.base} did not answer within ${this.options.timeoutMs} ms`,
          'timeout',
        );
      }
      throw new PrometheusError(
        `cannot reach Prometheus at ${this.base}: ${e.cause?.code ?? e.cause?.message ?? e.message}`,
        'network',
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PrometheusError(
        `Prometheus at ${url} answered HTTP ${response.status} with non-JSON: ${text.slice(0, 200).replace(/\s+/g, ' ')}`,
        'http',
        undefined,
        response.status,
      );
    }
    // errors come with 400, 422, 503 and the JSON envelope: the envelope says more than the status
    if (!response.ok && (parsed as { status?: string })?.status !== 'error') {
      // AWS answers a refused signature or missing permission with {"message": "..."}
      const message = (parsed as { message?: unknown; Message?: unknown }) ?? {};
      const detail = typeof message.message === 'string' ? message.message : message.Message;
      throw new PrometheusError(
        `Prometheus at ${url} answered HTTP ${response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`,
        'http',
        undefined,
        response.status,
      );
    }
    return parseQueryResponse(parsed);
  }
}

function toUnixSeconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}
