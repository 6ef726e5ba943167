/** The one way every action starts and fails: errors become a failed step with a clear message, never a stack. */
import { ActionError, errorMessage, InputError } from './errors.js';
import type { ActionIO } from './io.js';

export async function runAction(run: (io: ActionIO) => Promise<void>, io: ActionIO): Promise<void> {
  try {
    await run(io);
  } catch (error) {
    io.setFailed(errorMessage(error));
    // an expected failure says all there is to say; anything else is a bug: keep its stack for the debug log
    const expected = error instanceof InputError || error instanceof ActionError;
    if (!expected && error instanceof Error && error.stack) io.debug(error.stack);
  }
}
