/** The root action: `command` picks one of the actions; every other input is passed through to it. */
import { InputError } from './common/errors.js';
import { coreIO } from './common/io.js';
import { runAction } from './common/entry.js';
import { ACTIONS } from './actions/registry.js';

await runAction(async (io) => {
  const command = io.getInput('command');
  const action = ACTIONS[command];
  if (!action) throw new InputError('command', command, `one of ${Object.keys(ACTIONS).join(', ')}`);
  await action.run(io);
}, coreIO());
