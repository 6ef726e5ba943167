/**
 * The analysis of one canary run, look by look. `CanaryAnalysis` is synchronous and does no I/O, but it has
 * state: each `addLook` appends the look's data and verdicts to its history, and `finish` sets every metric's
 * final verdict there. Feed it each look's data, it judges every metric, says when to stop (a critical metric
 * failed), and at the end decides. The action
 * drives it with a clock and a metrics provider (runner.ts); the benchmark and the statistical tests drive it
 * with simulated data. Both go through the same code.
 */
import { criticalFailures, decide, type Decision, type DecisionPolicy } from './decision.js';
import type {
  FinalVerdict,
  Judge,
  JudgePlan,
  LookData,
  LookVerdict,
  MetricJudgement,
  TrafficNeeded,
} from './model.js';

export interface AnalysisOptions {
  metrics: MetricJudgement[];
  judge: Judge;
  /** Planned number of looks. */
  looks: number;
  /** 0.99: false rollbacks bounded by 1% across all looks and metrics. */
  confidence: number;
  /**
   * The confidence a promotion needs that each metric is within its tolerance: one minus the bound on promoting
   * a canary that is worse by the tolerance (default DEFAULT_PROMOTE_CONFIDENCE).
   */
  promoteConfidence?: number;
  minRequests: number;
  policy: DecisionPolicy;
}

/**
 * 0.9: a canary worse than its baseline by the tolerance is promoted in at most 10% of runs (worse by more, less
 * often). The two errors get separate levels, as in the usual group-sequential designs (α small, power 90%):
 * with both at 1%, deciding needs z₀.₉₉₅ + z₀.₉₉ ≈ 4.9 standard errors between "equal" and "worse by the
 * tolerance", which 10 intervals of 1,000 requests at a 1% error rate do not give (3.55), and one healthy canary
 * in eight was left inconclusive.
 */
export const DEFAULT_PROMOTE_CONFIDENCE = 0.9;

export interface MetricHistory {
  metric: MetricJudgement;
  looks: LookData[];
  verdicts: LookVerdict[];
  final?: FinalVerdict;
}

export interface AnalysisResult extends Decision {
  /** Looks taken (fewer than planned when the run stopped early). */
  looksTaken: number;
  stoppedEarly: boolean;
  metrics: MetricHistory[];
  providerProblems: string[];
  /**
   * An inconclusive run for lack of evidence: the traffic that would have decided every open metric (the most
   * any one of them needs, as promotion needs them all), with the metric that needs it.
   */
  needed?: TrafficNeeded & { metric: string };
}

export class CanaryAnalysis {
  readonly history: MetricHistory[];
  private readonly plan: JudgePlan;
  private readonly providerProblems: string[] = [];
  private looksTaken = 0;
  private stopped = false;

  constructor(private readonly options: AnalysisOptions) {
    if (options.metrics.length === 0) throw new Error('a canary analysis needs at least one metric');
    const alpha = 1 - options.confidence;
    this.plan = {
      looks: options.looks,
      // Bonferroni over metrics for false rollbacks; each metric's test spends its share over the looks
      harmAlpha: alpha / options.metrics.length,
      // promotion needs every metric to pass: an intersection-union test, each at the full level
      passAlpha: 1 - (options.promoteConfidence ?? DEFAULT_PROMOTE_CONFIDENCE),
      minRequests: options.minRequests,
    };
    this.history = options.metrics.map((metric) => ({ metric, looks: [], verdicts: [] }));
  }

  get judgePlan(): JudgePlan {
    return this.plan;
  }

  get done(): boolean {
    return this.stopped || this.looksTaken >= this.options.looks;
  }

  /**
   * Judge one look. `data` has an entry per metric name (a missing one is no-data). Returns the verdicts and
   * the critical metrics that failed (the run stops when there are any).
   */
  addLook(
    data: ReadonlyMap<string, LookData>,
    providerProblem?: string,
  ): { verdicts: Map<string, LookVerdict>; criticalFailed: string[] } {
    if (this.done) throw new Error('the analysis is already done');
    this.looksTaken++;
    if (providerProblem) this.providerProblems.push(`look ${this.looksTaken}: ${providerProblem}`);
    const verdicts = new Map<string, LookVerdict>();
    for (const h of this.history) {
      const look = data.get(h.metric.name) ?? {
        look: this.looksTaken,
        at: '',
        kind: 'none' as const,
        problem: providerProblem ?? 'no data',
      };
      h.looks.push(look);
      const previousFail = h.verdicts.find((v) => v.status === 'fail');
      // a metric that failed stays failed: the evidence does not go away
      const verdict = previousFail
        ? { ...previousFail, note: `failed at an earlier look: ${previousFail.note}` }
        : this.options.judge.judgeLook(h.metric, h.looks, this.plan);
      h.verdicts.push(verdict);
      verdicts.set(h.metric.name, verdict);
    }
    const criticalFailed = criticalFailures(this.options.metrics, verdicts);
    if (criticalFailed.length > 0) this.stopped = true;
    return { verdicts, criticalFailed };
  }

  finish(): AnalysisResult {
    for (const h of this.history)
      h.final = this.options.judge.judgeFinal(h.metric, h.looks, h.verdicts, this.plan);
    const decision = decide(
      this.history.map((h) => ({ metric: h.metric, final: h.final! })),
      this.options.policy,
      this.providerProblems,
    );
    let needed: (TrafficNeeded & { metric: string }) | undefined;
    if (decision.decision === 'inconclusive') {
      for (const h of this.history) {
        const n = h.final!.status === 'inconclusive' ? h.final!.needed : undefined;
        if (n && (!needed || n.intervals > needed.intervals)) needed = { ...n, metric: h.metric.name };
      }
    }
    return {
      ...decision,
      needed,
      looksTaken: this.looksTaken,
      stoppedEarly: this.stopped && this.looksTaken < this.options.looks,
      metrics: this.history,
      providerProblems: [...this.providerProblems],
    };
  }
}
