/** The one way every action starts and fails: errors become a failed step with a clear message, never a stack. */
import { errorMessage } from './errors.js';
import type { ActionIO } from './io.js';

export async function runAction(run: (io: ActionIO) => Promise<void>, io: ActionIO): Promise<void> {
  try {
    await run(io);
  } catch (error) {
    io.setFailed(errorMessage(error));
    if (error instanceof Error && error.stack) io.debug(error.stack);
  }
}
