/**
 * The root action: `command` picks one of the actions; every other input is passed through to it. An input the
 * step set that the command does not take (one of another command's) is named in a warning, never silently lost.
 */
import { InputError } from './common/errors.js';
import { coreIO } from './common/io.js';
import { startAction } from './common/entry.js';
import { ACTIONS, describeStrayInputs, strayInputs } from './actions/registry.js';

await startAction(async (io) => {
  const command = io.getInput('command');
  const action = ACTIONS[command];
  if (!action) throw new InputError('command', command, `one of ${Object.keys(ACTIONS).join(', ')}`);
  const stray = strayInputs(command, (input) => io.getInput(input));
  if (stray.length) io.warning(describeStrayInputs(command, stray));
  await action.run(io);
}, coreIO());
