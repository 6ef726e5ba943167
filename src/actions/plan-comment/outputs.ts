/** Outputs of plan-comment, by their public names (action.yml), from the plan model. */
import { summaryLine } from '../../terraform/changes.js';
import type { PlanModel } from '../../terraform/model.js';

export function planOutputs(model: PlanModel, fingerprint: string): Record<string, string> {
  const c = model.counts;
  return {
    'to-add': String(c.add),
    'to-change': String(c.change),
    'to-destroy': String(c.destroy),
    'to-replace': String(c.replace),
    'to-import': String(c.import),
    'to-move': String(c.move),
    'to-forget': String(c.forget),
    'has-changes': String(model.hasChanges),
    'has-destroy': String(model.hasDestroy),
    errored: String(model.errored),
    fingerprint,
    summary: summaryLine(model),
  };
}
