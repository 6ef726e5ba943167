/**
 * The Prometheus collector (also Amazon Managed Service for Prometheus, whose queries the client signs): instant
 * queries at the end of each look's window.
 *
 * A query result must be one number: an empty result, NaN, or several series (which would have to be guessed
 * between) is no-data with the reason, never a value. A query Prometheus rejects as malformed stops the run (the
 * configuration is wrong), as do refused credentials; a provider that is down or times out makes the look
 * no-data and is remembered, so the run cannot promote.
 */
import { ActionError } from '../../common/errors.js';
import { renderQuery } from '../metrics-config.js';
import type { LookData } from '../model.js';
import type { MetricDefinition } from '../presets.js';
import {
  parseSampleValue,
  PrometheusError,
  type PrometheusClient,
  type QueryResponse,
} from '../providers/prometheus.js';
import { histogramTotal, type Buckets } from '../stats/histogram.js';
import {
  labelText,
  noData,
  type Arm,
  type CollectedLook,
  type LookCollector,
  type LookWindow,
  type QueryRecord,
} from './collector.js';

type Reading =
  | { value: number; series: number; warnings: string[] }
  | { problem: string; series?: number; warnings: string[] };

/** One number from an instant query's answer, or why there is none. */
export function readSingleValue(response: QueryResponse): Reading {
  const { result, warnings } = response;
  switch (result.resultType) {
    case 'scalar':
      return Number.isNaN(result.sample[1])
        ? { problem: 'the result is NaN', warnings }
        : { value: result.sample[1], series: 1, warnings };
    case 'vector': {
      if (result.series.length === 0)
        return { problem: 'empty result (no series matched)', series: 0, warnings };
      if (result.series.length > 1) {
        const shown = result.series
          .slice(0, 3)
          .map((s) => labelText(s.labels))
          .join(', ');
        return {
          problem: `${result.series.length} series (${shown}${result.series.length > 3 ? ', …' : ''}): aggregate them (sum, max, ...) so the query returns one`,
          series: result.series.length,
          warnings,
        };
      }
      const value = result.series[0]!.samples[0]![1];
      return Number.isNaN(value)
        ? { problem: 'the result is NaN (e.g. 0/0: no requests)', series: 1, warnings }
        : { value, series: 1, warnings };
    }
    case 'matrix':
      return {
        problem: 'a range vector: wrap it in a function such as rate() or increase()',
        series: result.series.length,
        warnings,
      };
    case 'string':
      return { problem: 'a string, not a number', warnings };
  }
}

/** Histogram buckets (one series per `le`) from an instant query's answer, or why they are not that. */
export function readBuckets(response: QueryResponse): { buckets: Buckets | string; series: number } {
  const { result } = response;
  if (result.resultType !== 'vector')
    return { buckets: `a ${result.resultType}, not histogram buckets`, series: 0 };
  if (result.series.length === 0) return { buckets: 'empty result (no series matched)', series: 0 };
  const buckets = new Map<number, number>();
  for (const s of result.series) {
    const le = parseSampleValue(s.labels['le']);
    if (s.labels['le'] === undefined || Number.isNaN(le)) {
      return {
        buckets: `series ${labelText(s.labels)} has no le label: aggregate the buckets with sum by (le) (...)`,
        series: result.series.length,
      };
    }
    if (buckets.has(le))
      return {
        buckets: `two series for le="${s.labels['le']}": aggregate with sum by (le) (...)`,
        series: result.series.length,
      };
    const value = s.samples[0]![1];
    buckets.set(le, Number.isFinite(value) ? value : 0);
  }
  if (!buckets.has(Infinity))
    return { buckets: 'no le="+Inf" bucket: is this a histogram?', series: result.series.length };
  return { buckets, series: result.series.length };
}

export class PrometheusCollector implements LookCollector {
  constructor(
    private readonly client: PrometheusClient,
    private readonly metrics: readonly MetricDefinition[],
    private readonly selectors: Record<Arm, string>,
  ) {}

  describe(): string {
    return 'prometheus';
  }

  async collect(window: LookWindow): Promise<CollectedLook> {
    const queries: QueryRecord[] = [];
    const data = new Map<string, LookData>();
    const at = window.end.toISOString();
    let providerProblem: string | undefined;

    /** Send one query; a provider failure is remembered and becomes the reading's problem. */
    type Answer = { record: QueryRecord; response: QueryResponse } | { record: QueryRecord; problem: string };
    const ask = async (
      metric: MetricDefinition,
      arm: Arm,
      part: QueryRecord['part'],
      template: string,
    ): Promise<Answer> => {
      const query = renderQuery(template, this.selectors[arm], window.range);
      const record: QueryRecord = { metric: metric.name, arm, part, query, at };
      queries.push(record);
      try {
        return { record, response: await this.client.query(query, window.end) };
      } catch (error) {
        if (error instanceof PrometheusError && error.kind === 'api' && error.errorType === 'bad_data') {
          throw new ActionError(
            `The ${arm} query of metric ${metric.name} is not valid PromQL: ${error.message}\nQuery: ${query}`,
          );
        }
        // refused credentials or signature do not heal by waiting: stop the run (decision error)
        if (
          error instanceof PrometheusError &&
          (error.kind === 'auth' || error.status === 401 || error.status === 403)
        ) {
          throw new ActionError(
            `Prometheus refused the ${arm} query of metric ${metric.name}: ${error.message}`,
          );
        }
        const message = error instanceof Error ? error.message : String(error);
        record.problem = message;
        providerProblem ??= message;
        return { record, problem: message };
      }
    };
    const read = async (
      metric: MetricDefinition,
      arm: Arm,
      part: QueryRecord['part'],
      template: string,
    ): Promise<Reading> => {
      const answer = await ask(metric, arm, part, template);
      if ('problem' in answer) return { problem: answer.problem, warnings: [] };
      const reading = readSingleValue(answer.response);
      if ('value' in reading) answer.record.value = reading.value;
      else answer.record.problem = reading.problem;
      if (reading.series !== undefined) answer.record.series = reading.series;
      if (reading.warnings.length) answer.record.warnings = reading.warnings;
      return reading;
    };
    const readHistogram = async (
      metric: MetricDefinition,
      arm: Arm,
      template: string,
    ): Promise<Buckets | string> => {
      const answer = await ask(metric, arm, 'value', template);
      if ('problem' in answer) return answer.problem;
      const reading = readBuckets(answer.response);
      answer.record.series = reading.series;
      if (answer.response.warnings.length) answer.record.warnings = answer.response.warnings;
      if (typeof reading.buckets === 'string') return (answer.record.problem = reading.buckets);
      answer.record.value = histogramTotal(reading.buckets);
      return reading.buckets;
    };

    await Promise.all(
      this.metrics.map(async (metric) => {
        const q = metric.queries;
        if (q.kind === 'ratio') {
          const [cf, ct, bf, bt] = await Promise.all([
            read(metric, 'canary', 'failures', q.canaryFailures),
            read(metric, 'canary', 'total', q.canaryTotal),
            read(metric, 'baseline', 'failures', q.baselineFailures),
            read(metric, 'baseline', 'total', q.baselineTotal),
          ]);
          data.set(
            metric.name,
            toRatioLook(window, { failures: cf, total: ct }, { failures: bf, total: bt }),
          );
        } else if (q.kind === 'quantile') {
          const [c, b] = await Promise.all([
            readHistogram(metric, 'canary', q.canaryHistogram),
            readHistogram(metric, 'baseline', q.baselineHistogram),
          ]);
          data.set(
            metric.name,
            typeof c === 'string'
              ? noData(window, `canary: ${c}`)
              : typeof b === 'string'
                ? noData(window, `baseline: ${b}`)
                : { look: window.look, at, kind: 'histogram', canary: c, baseline: b },
          );
        } else {
          const [c, b] = await Promise.all([
            read(metric, 'canary', 'value', q.canaryQuery),
            read(metric, 'baseline', 'value', q.baselineQuery),
          ]);
          data.set(metric.name, toValueLook(window, c, b));
        }
      }),
    );
    return providerProblem ? { data, queries, providerProblem } : { data, queries };
  }
}

/** Counts from failure and total readings. A missing failure series with traffic means no failures. */
function toRatioLook(
  window: LookWindow,
  canary: { failures: Reading; total: Reading },
  baseline: { failures: Reading; total: Reading },
): LookData {
  const counts = (arm: Arm, r: { failures: Reading; total: Reading }) => {
    if (!('value' in r.total)) return `${arm} total: ${r.total.problem}`;
    let failures: number;
    if ('value' in r.failures) failures = r.failures.value;
    else if (r.failures.series === 0)
      failures = 0; // no 5xx series yet: no failures
    else return `${arm} failures: ${r.failures.problem}`;
    if (!Number.isFinite(r.total.value) || !Number.isFinite(failures)) return `${arm}: not a finite count`;
    // increase() extrapolates to the window's edges: round to whole requests
    const total = Math.max(0, Math.round(r.total.value));
    return { events: Math.min(total, Math.max(0, Math.round(failures))), total };
  };
  const c = counts('canary', canary);
  const b = counts('baseline', baseline);
  if (typeof c === 'string') return noData(window, c);
  if (typeof b === 'string') return noData(window, b);
  return { look: window.look, at: window.end.toISOString(), kind: 'ratio', canary: c, baseline: b };
}

function toValueLook(window: LookWindow, canary: Reading, baseline: Reading): LookData {
  if (!('value' in canary)) return noData(window, `canary: ${canary.problem}`);
  if (!('value' in baseline)) return noData(window, `baseline: ${baseline.problem}`);
  return {
    look: window.look,
    at: window.end.toISOString(),
    kind: 'value',
    canary: canary.value,
    baseline: baseline.value,
  };
}
