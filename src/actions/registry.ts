/** Every action by its `command` name, for the root action's dispatcher. */
import type { ActionIO } from '../common/io.js';
import { run as planComment } from './plan-comment/main.js';

export const ACTIONS: Record<string, (io: ActionIO) => Promise<void>> = {
  'plan-comment': (io) => planComment(io),
};
