/**
 * The one way every action starts and fails: the entry point of each bundle (src/actions/<name>/index.ts and the
 * root src/index.ts) hands its `run` to `startAction`; errors become a failed step with a clear message, never a
 * stack. (test/harness/runner.ts's `runAction` is another thing: it runs a built bundle as the runner does.)
 */
import { ActionError, errorMessage, InputError } from './errors.js';
import type { ActionIO } from './io.js';

export async function startAction(run: (io: ActionIO) => Promise<void>, io: ActionIO): Promise<void> {
  try {
    await run(io);
  } catch (error) {
    io.setFailed(errorMessage(error));
    // an expected failure says all there is to say; anything else is a bug: keep its stack for the debug log
    const expected = error instanceof InputError || error instanceof ActionError;
    if (!expected && error instanceof Error && error.stack) io.debug(error.stack);
  }
}
