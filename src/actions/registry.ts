/** Every action by its `command` name, for the root action's dispatcher, with the defaults its inputs take in code. */
import type { ActionIO } from '../common/io.js';
import { INPUT_DEFAULTS as applyGateDefaults } from './apply-gate/inputs.js';
import { run as applyGate } from './apply-gate/main.js';
import { INPUT_DEFAULTS as canaryGateDefaults } from './canary-gate/inputs.js';
import { run as canaryGate } from './canary-gate/main.js';
import { INPUT_DEFAULTS as failoverCheckDefaults } from './failover-check/inputs.js';
import { run as failoverCheck } from './failover-check/main.js';
import { INPUT_DEFAULTS as planCommentDefaults } from './plan-comment/inputs.js';
import { run as planComment } from './plan-comment/main.js';

export interface RegisteredAction {
  run(io: ActionIO): Promise<void>;
  /** Input defaults applied in code; action.yml declares the same (test/repo/metadata.test.ts). */
  defaults: Readonly<Record<string, string>>;
}

export const ACTIONS: Record<string, RegisteredAction> = {
  'apply-gate': { run: (io) => applyGate(io), defaults: applyGateDefaults },
  'canary-gate': { run: (io) => canaryGate(io), defaults: canaryGateDefaults },
  'failover-check': { run: (io) => failoverCheck(io), defaults: failoverCheckDefaults },
  'plan-comment': { run: (io) => planComment(io), defaults: planCommentDefaults },
};
