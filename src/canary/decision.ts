/**
 * From per-metric verdicts to the gate's answer. Pure: the analysis loop calls `shouldStop` after every look and
 * `decide` at the end.
 *
 * - rollback as soon as a critical metric fails;
 * - at the end: rollback when a critical metric failed, or when any metric failed and the score is below
 *   marginal-score; promote only when every metric passed and the score is at least pass-score; otherwise
 *   inconclusive;
 * - no-data counts as inconclusive, or as a failure with no-data: fail;
 * - a run during which the metrics provider failed, and that did not roll back, ends in `error`: the gate could
 *   not do its job (an input error or a run stopped by the provider ends in `error` too, set by the action).
 */
import type { FinalVerdict, LookVerdict, MetricJudgement } from './model.js';

export type CanaryDecision = 'promote' | 'rollback' | 'inconclusive' | 'error';

export interface DecisionPolicy {
  passScore: number;
  marginalScore: number;
  noData: 'inconclusive' | 'fail';
}

export interface MetricOutcome {
  metric: MetricJudgement;
  final: FinalVerdict;
}

export interface Decision {
  decision: CanaryDecision;
  /** Weighted share of metrics that passed, 0 to 100. */
  score: number;
  failedMetrics: string[];
  reason: string;
}

/** The critical metrics that failed at this look: any one stops the run with a rollback. */
export function criticalFailures(
  metrics: readonly MetricJudgement[],
  verdicts: ReadonlyMap<string, LookVerdict>,
): string[] {
  return metrics.filter((m) => m.critical && verdicts.get(m.name)?.status === 'fail').map((m) => m.name);
}

export function decide(
  outcomes: readonly MetricOutcome[],
  policy: DecisionPolicy,
  providerProblems: readonly string[] = [],
): Decision {
  const effective = outcomes.map((o) => ({
    ...o,
    status: o.final.status === 'no-data' && policy.noData === 'fail' ? 'fail' : o.final.status,
  }));
  const totalWeight = effective.reduce((s, o) => s + o.metric.weight, 0);
  const passWeight = effective.filter((o) => o.status === 'pass').reduce((s, o) => s + o.metric.weight, 0);
  const score = totalWeight > 0 ? Math.round((1000 * passWeight) / totalWeight) / 10 : 0;
  const failed = effective.filter((o) => o.status === 'fail');
  const failedMetrics = failed.map((o) => o.metric.name);
  const criticalFailed = failed.filter((o) => o.metric.critical);
  if (criticalFailed.length > 0) {
    return {
      decision: 'rollback',
      score,
      failedMetrics,
      reason: `critical metric ${criticalFailed.map((o) => `${o.metric.name} (${o.final.note})`).join('; ')} failed`,
    };
  }
  if (failed.length > 0 && score < policy.marginalScore) {
    return {
      decision: 'rollback',
      score,
      failedMetrics,
      reason: `score ${score} is below marginal-score ${policy.marginalScore}: ${failedMetrics.join(', ')} failed`,
    };
  }
  if (providerProblems.length > 0) {
    return {
      decision: 'error',
      score,
      failedMetrics,
      reason: `the metrics provider failed, so the canary was not judged: ${providerProblems.join('; ')}`,
    };
  }
  const allPassed = effective.length > 0 && effective.every((o) => o.status === 'pass');
  if (allPassed && score >= policy.passScore) {
    return { decision: 'promote', score, failedMetrics, reason: `every metric passed (score ${score})` };
  }
  const open = effective
    .filter((o) => o.status !== 'pass')
    .map((o) => `${o.metric.name}: ${o.status} (${o.final.note})`);
  const reasons = [...open];
  if (allPassed && score < policy.passScore)
    reasons.push(`score ${score} is below pass-score ${policy.passScore}`);
  return { decision: 'inconclusive', score, failedMetrics, reason: reasons.join('; ') || 'no metrics' };
}
