/** Typed readers for action inputs. Each throws InputError naming the input, the value and what was expected. */
import { InputError } from './errors.js';
import type { ActionIO } from './io.js';

export type InputReader = Pick<ActionIO, 'getInput'>;

export function readString(io: InputReader, name: string, fallback = ''): string {
  const value = io.getInput(name);
  return value === '' ? fallback : value;
}

/**
 * `github-token`, which the action's metadata defaults to `${{ github.token }}`: empty only when the workflow
 * set it to an empty expression. `needed` says what the token must be able to do.
 */
export function readGithubToken(io: InputReader, needed: string): string {
  const token = readString(io, 'github-token');
  if (!token) throw new InputError('github-token', '', needed, { secret: true });
  return token;
}

export function readOptional(io: InputReader, name: string): string | undefined {
  const value = io.getInput(name);
  return value === '' ? undefined : value;
}

export function readEnum<T extends string>(
  io: InputReader,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = io.getInput(name);
  if (value === '') return fallback;
  const match = allowed.find((a) => a === value.toLowerCase());
  if (!match) throw new InputError(name, value, `one of ${allowed.join(', ')}`);
  return match;
}

export function readBoolean(io: InputReader, name: string, fallback: boolean): boolean {
  const value = io.getInput(name);
  if (value === '') return fallback;
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new InputError(name, value, 'true or false');
}

export function readInteger(
  io: InputReader,
  name: string,
  options: { min?: number; max?: number; fallback?: number },
): number | undefined {
  const value = io.getInput(name);
  if (value === '') return options.fallback;
  const range =
    options.min !== undefined && options.max !== undefined
      ? `a whole number from ${options.min} to ${options.max}`
      : options.min !== undefined
        ? `a whole number of at least ${options.min}`
        : 'a whole number';
  if (!/^[+]?\d+$/.test(value)) throw new InputError(name, value, range);
  const n = Number(value);
  if (
    !Number.isSafeInteger(n) ||
    (options.min !== undefined && n < options.min) ||
    (options.max !== undefined && n > options.max)
  ) {
    throw new InputError(name, value, range);
  }
  return n;
}

export function readUrl(io: InputReader, name: string): string | undefined {
  const value = io.getInput(name);
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(name, value, 'an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InputError(name, value, 'an absolute http(s) URL');
  return url.toString();
}
