/**
 * The scrape collector: reads the exposition text of the canary's and the baseline's targets directly, for teams
 * and demos without a Prometheus server.
 */
import { ActionError } from '../../common/errors.js';
import type { LookData } from '../model.js';
import type { MetricDefinition } from '../presets.js';
import {
  histogramBuckets,
  histogramQuantile,
  parseExposition,
  parseSelector,
  sumOf,
  type Sample,
  type Selector,
} from '../providers/exposition.js';
import { histogramTotal } from '../stats/histogram.js';
import {
  labelText,
  noData,
  type Arm,
  type CollectedLook,
  type LookCollector,
  type LookWindow,
  type QueryRecord,
} from './collector.js';

export type ScrapeRecipe =
  | { kind: 'ratio'; failures: Selector; total: Selector }
  | { kind: 'quantile'; histogram: Selector; quantile: number }
  | { kind: 'gauge'; selector: Selector };

/** How a metric is computed from scraped text: its preset recipe, or its queries read as series selectors. */
export function scrapeRecipe(metric: MetricDefinition): ScrapeRecipe {
  const where = `metric ${metric.name}`;
  try {
    if (metric.scrape?.kind === 'ratio')
      return {
        kind: 'ratio',
        failures: parseSelector(metric.scrape.failures),
        total: parseSelector(metric.scrape.total),
      };
    if (metric.scrape?.kind === 'quantile') {
      return {
        kind: 'quantile',
        histogram: parseSelector(
          `${metric.scrape.histogram}${metric.scrape.matchers ? `{${metric.scrape.matchers}}` : ''}`,
        ),
        quantile: metric.scrape.quantile,
      };
    }
    const q = metric.queries;
    if (q.kind === 'ratio') {
      if (q.canaryFailures !== q.baselineFailures || q.canaryTotal !== q.baselineTotal) {
        throw new Error(
          'with the scrape provider, canary and baseline are told apart by their targets: give failures and total once',
        );
      }
      return {
        kind: 'ratio',
        failures: parseSelector(q.canaryFailures),
        total: parseSelector(q.canaryTotal),
      };
    }
    if (q.kind === 'quantile')
      throw new Error('with the scrape provider, a quantile metric comes from a preset (http-latency-p99)');
    if (q.canaryQuery !== q.baselineQuery)
      throw new Error('with the scrape provider, give one query for both arms');
    const hq = /^\s*histogram_quantile\(\s*([0-9.]+)\s*,\s*(.+)\)\s*$/s.exec(q.canaryQuery);
    if (hq) return { kind: 'quantile', quantile: Number(hq[1]), histogram: parseSelector(hq[2]!) };
    return { kind: 'gauge', selector: parseSelector(q.canaryQuery) };
  } catch (error) {
    throw new ActionError(
      `${where} cannot be computed by the scrape provider: ${error instanceof Error ? error.message : String(error)}. ` +
        'With provider: scrape, ratio metrics give failures and total as series selectors (name{label="value"}); value metrics give ' +
        'histogram_quantile(0.99, name{...}) or a gauge selector.',
    );
  }
}

type Snapshot = Map<string, Sample>;

function seriesKey(s: Sample): string {
  return `${s.name}${labelText(s.labels)}`;
}

/**
 * Reads the exposition text of the canary's and the baseline's targets directly, and computes each interval's
 * counts and histogram quantiles from the difference between two scrapes (a counter that went down was reset:
 * its new value is the increase). For teams and demos without a Prometheus server.
 */
export class ScrapeCollector implements LookCollector {
  private previous = new Map<string, Snapshot>();
  private readonly recipes: Map<string, ScrapeRecipe>;

  constructor(
    private readonly metrics: readonly MetricDefinition[],
    private readonly targets: Record<Arm, string[]>,
    private readonly timeoutMs: number,
    private readonly headers: Record<string, string> = {},
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.recipes = new Map(metrics.map((m) => [m.name, scrapeRecipe(m)]));
  }

  describe(): string {
    return `scrape of ${this.targets.canary.length} canary and ${this.targets.baseline.length} baseline target(s)`;
  }

  private async scrape(url: string): Promise<Snapshot> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: { accept: 'text/plain;version=0.0.4', ...this.headers },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      throw new Error(
        e.name === 'TimeoutError'
          ? `${url} did not answer within ${this.timeoutMs} ms`
          : `cannot scrape ${url}: ${e.cause?.code ?? e.message}`,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) throw new Error(`scraping ${url} answered HTTP ${response.status}`);
    const samples = parseExposition(await response.text());
    return new Map(samples.map((s) => [seriesKey(s), s]));
  }

  async prepare(): Promise<void> {
    const all = [...this.targets.canary, ...this.targets.baseline];
    const snapshots = await Promise.allSettled(all.map((url) => this.scrape(url)));
    snapshots.forEach((s, i) => {
      if (s.status === 'fulfilled') this.previous.set(all[i]!, s.value);
    });
  }

  async collect(window: LookWindow): Promise<CollectedLook> {
    const queries: QueryRecord[] = [];
    const data = new Map<string, LookData>();
    const at = window.end.toISOString();
    const deltas: Record<Arm, Sample[]> = { canary: [], baseline: [] };
    const latest: Record<Arm, Sample[]> = { canary: [], baseline: [] };
    const problems: string[] = [];
    for (const arm of ['canary', 'baseline'] as const) {
      for (const url of this.targets[arm]) {
        try {
          const current = await this.scrape(url);
          const before = this.previous.get(url);
          this.previous.set(url, current);
          latest[arm].push(...current.values());
          if (!before) {
            problems.push(`${url}: first successful scrape, no interval to compare yet`);
            continue;
          }
          for (const [key, sample] of current) {
            const old = before.get(key);
            const increase =
              old === undefined || sample.value < old.value ? sample.value : sample.value - old.value;
            deltas[arm].push({ ...sample, value: increase });
          }
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
    }
    const providerProblem = problems.length ? problems.join('; ') : undefined;
    for (const metric of this.metrics) {
      const recipe = this.recipes.get(metric.name)!;
      const record = (arm: Arm, part: QueryRecord['part'], value: number | undefined, problem?: string) =>
        queries.push({
          metric: metric.name,
          arm,
          part,
          query: describeRecipe(recipe, part),
          at,
          value,
          problem,
        });
      if (providerProblem) {
        data.set(metric.name, noData(window, providerProblem));
        continue;
      }
      if (recipe.kind === 'ratio') {
        const counts = (arm: Arm) => {
          const total = Math.round(sumOf(deltas[arm], recipe.total));
          const events = Math.min(total, Math.round(sumOf(deltas[arm], recipe.failures)));
          record(arm, 'failures', events);
          record(arm, 'total', total);
          return { events, total };
        };
        data.set(metric.name, {
          look: window.look,
          at,
          kind: 'ratio',
          canary: counts('canary'),
          baseline: counts('baseline'),
        });
      } else if (metric.kind === 'quantile' && recipe.kind === 'quantile') {
        const buckets = (arm: Arm) => {
          const b = histogramBuckets(deltas[arm], recipe.histogram);
          record(arm, 'value', histogramTotal(b));
          return b;
        };
        const c = buckets('canary');
        const b = buckets('baseline');
        data.set(
          metric.name,
          c.has(Infinity) && b.has(Infinity)
            ? { look: window.look, at, kind: 'histogram', canary: c, baseline: b }
            : noData(
                window,
                `no ${recipe.histogram.name}_bucket series in the ${c.has(Infinity) ? 'baseline' : 'canary'} scrape`,
              ),
        );
      } else {
        const value = (arm: Arm): number => {
          const v =
            recipe.kind === 'quantile'
              ? histogramQuantile(recipe.quantile, histogramBuckets(deltas[arm], recipe.histogram))
              : sumOf(latest[arm], recipe.selector); // a gauge is read as it is, not as an increase
          record(
            arm,
            'value',
            Number.isNaN(v) ? undefined : v,
            Number.isNaN(v) ? 'no observations in the interval' : undefined,
          );
          return v;
        };
        const c = value('canary');
        const b = value('baseline');
        data.set(
          metric.name,
          Number.isNaN(c) || Number.isNaN(b)
            ? noData(window, `no observations in the interval (${Number.isNaN(c) ? 'canary' : 'baseline'})`)
            : { look: window.look, at, kind: 'value', canary: c, baseline: b },
        );
      }
    }
    return providerProblem ? { data, queries, providerProblem } : { data, queries };
  }
}

function selectorText(s: Selector): string {
  return `${s.name}{${s.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(',')}}`;
}

function describeRecipe(recipe: ScrapeRecipe, part: QueryRecord['part']): string {
  // (for a quantile metric the record's value is the number of observations in the interval)
  if (recipe.kind === 'ratio')
    return `increase of ${selectorText(part === 'failures' ? recipe.failures : recipe.total)} between scrapes`;
  if (recipe.kind === 'quantile')
    return `histogram_quantile(${recipe.quantile}) of the increase of ${selectorText(recipe.histogram)}_bucket`;
  return `sum of ${selectorText(recipe.selector)}`;
}
