/** The collector for the provider the action was given: Prometheus (signed for AMP), CloudWatch or scrape. */
import type { MetricDefinition } from '../presets.js';
import { PrometheusClient, type PrometheusOptions } from '../providers/prometheus.js';
import { sigV4Signer } from '../providers/sigv4.js';
import { CloudWatchCollector } from './cloudwatch.js';
import type { Arm, LookCollector } from './collector.js';
import { PrometheusCollector } from './prometheus.js';
import { ScrapeCollector } from './scrape.js';

export type { Arm, CollectedLook, LookCollector, LookWindow, QueryRecord } from './collector.js';

/** Where the metrics come from, as the action's inputs say. */
export type ProviderSettings =
  | {
      provider: 'prometheus';
      url: string;
      /** SigV4-sign each query (Amazon Managed Service for Prometheus), in this region. */
      sigv4?: { region: string; service: 'aps' };
      headers: Record<string, string>;
    }
  | { provider: 'cloudwatch'; region: string }
  | { provider: 'scrape'; targets: Record<Arm, string[]>; headers: Record<string, string> };

export function createCollector(
  settings: ProviderSettings,
  metrics: readonly MetricDefinition[],
  selectors: Record<Arm, string>,
  timeoutMs: number,
): LookCollector {
  switch (settings.provider) {
    case 'prometheus': {
      const options: PrometheusOptions = { url: settings.url, headers: settings.headers, timeoutMs };
      if (settings.sigv4) options.sign = sigV4Signer(settings.sigv4);
      return new PrometheusCollector(new PrometheusClient(options), metrics, selectors);
    }
    case 'scrape':
      return new ScrapeCollector(metrics, settings.targets, timeoutMs, settings.headers);
    case 'cloudwatch':
      return CloudWatchCollector.create(settings.region, timeoutMs, metrics, selectors);
  }
}
