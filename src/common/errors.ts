/**
 * The two error types of an expected failure: an input that cannot be used, and an operation that failed for a
 * reason the user can act on. `startAction` (common/entry.ts), where every action's run ends, reports either with
 * its message only; anything else is a bug, reported with its message too, its stack going to the debug log
 * (never to the annotation).
 */

/** A bad action input: names the input, shows the value (unless secret) and says what was expected. */
export class InputError extends Error {
  readonly input: string;
  readonly value: string | undefined;
  readonly expected: string;

  constructor(input: string, value: string | undefined, expected: string, options?: { secret?: boolean }) {
    const shown = value === undefined ? '' : options?.secret ? ' (value hidden)' : ` is ${quoteValue(value)}`;
    super(`Input '${input}'${shown}: expected ${expected}.`);
    this.name = 'InputError';
    this.input = input;
    this.value = options?.secret ? undefined : value;
    this.expected = expected;
  }
}

/** An operation that failed (a command, a file, an API call) with a message that says what to do about it. */
export class ActionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
  }
}

function quoteValue(value: string): string {
  const oneLine = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return JSON.stringify(oneLine);
}

/** The message to show for any thrown value, without a stack trace. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
