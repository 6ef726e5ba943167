/**
 * The suite's one reader of action inputs (actions/cache's `getInputAsArray/Int/Bool` is the model): strings,
 * required inputs, lists, enums, booleans, whole and decimal numbers, durations and URLs. Each throws InputError
 * naming the input, the value and what was expected. A reader given a `fallback` (from the action's
 * INPUT_DEFAULTS table, which test/repo/metadata.test.ts keeps equal to action.yml) returns a value, never
 * undefined; without one, an empty input is undefined.
 */
import { durationExpectation, formatDuration, parseDuration } from './duration.js';
import { InputError } from './errors.js';
import type { ActionIO } from './io.js';

export type InputReader = Pick<ActionIO, 'getInput'>;

export function readString(io: InputReader, name: string, fallback = ''): string {
  const value = io.getInput(name);
  return value === '' ? fallback : value;
}

export function readOptional(io: InputReader, name: string): string | undefined {
  const value = io.getInput(name);
  return value === '' ? undefined : value;
}

/** An input the action cannot run without; `expected` says what it holds, with an example. */
export function readRequired(io: InputReader, name: string, expected: string): string {
  const value = io.getInput(name);
  if (value === '') throw new InputError(name, undefined, expected);
  return value;
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

/** Entries of a list written one a line or separated by commas (or spaces); empty entries are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A list input (see splitList); `fallback` is the list as action.yml's default writes it. */
export function readList(io: InputReader, name: string, fallback = ''): string[] {
  return splitList(readString(io, name, fallback));
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

const TRUE = /^(true|yes|on|1)$/i;
const FALSE = /^(false|no|off|0)$/i;

/** `fallback` may be the default as action.yml writes it (`'true'`, `'false'`). */
export function readBoolean(io: InputReader, name: string, fallback: boolean | string): boolean {
  const value = io.getInput(name);
  if (value === '') return typeof fallback === 'boolean' ? fallback : defaultOf(name, fallback, parseBoolean);
  const parsed = parseBoolean(value);
  if (parsed === undefined) throw new InputError(name, value, 'true or false');
  return parsed;
}

function parseBoolean(text: string): boolean | undefined {
  return TRUE.test(text) ? true : FALSE.test(text) ? false : undefined;
}

export interface IntegerOptions {
  min?: number;
  max?: number;
}

/** A whole number; with a `fallback` (a number, or the default as action.yml writes it) it is always a number. */
export function readInteger(
  io: InputReader,
  name: string,
  options: IntegerOptions & { fallback: number | string },
): number;
export function readInteger(
  io: InputReader,
  name: string,
  options?: IntegerOptions & { fallback?: undefined },
): number | undefined;
export function readInteger(
  io: InputReader,
  name: string,
  options: IntegerOptions & { fallback?: number | string } = {},
): number | undefined {
  const value = io.getInput(name);
  if (value === '') {
    const { fallback } = options;
    return typeof fallback === 'string'
      ? defaultOf(name, fallback, (t) => parseInteger(t, options))
      : fallback;
  }
  const n = parseInteger(value, options);
  if (n === undefined) throw new InputError(name, value, integerExpectation(options));
  return n;
}

function parseInteger(text: string, { min, max }: IntegerOptions): number | undefined {
  if (!/^[+]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max))
    return undefined;
  return n;
}

function integerExpectation({ min, max }: IntegerOptions): string {
  return min !== undefined && max !== undefined
    ? `a whole number from ${min} to ${max}`
    : min !== undefined
      ? `a whole number of at least ${min}`
      : 'a whole number';
}

export interface NumberOptions {
  min: number;
  max: number;
  /** What the input holds, with an example: `a number between 0.5 and 0.9999, e.g. 0.99`. */
  expected: string;
}

/** A decimal number within [min, max]; `fallback` is the default as action.yml writes it. */
export function readNumber(
  io: InputReader,
  name: string,
  options: NumberOptions & { fallback: string },
): number {
  const text = readString(io, name, options.fallback);
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < options.min || n > options.max)
    throw new InputError(name, text, options.expected);
  return n;
}

export interface DurationOptions {
  /** The shortest duration accepted, in ms (default 0). */
  min?: number;
  /** The longest, in ms (default: no limit). */
  max?: number;
  /** Examples for the error message (default `30s, 10m or 1m30s`). */
  examples?: string;
}

/**
 * A duration (`500ms`, `30s`, `1m30s`: every part with its unit, see common/duration.ts) in milliseconds. The
 * error names the input, the value, the form expected with examples, and the range when there is one.
 */
export function readDuration(
  io: InputReader,
  name: string,
  options: DurationOptions & { fallback: string },
): number;
export function readDuration(
  io: InputReader,
  name: string,
  options?: DurationOptions & { fallback?: undefined },
): number | undefined;
export function readDuration(
  io: InputReader,
  name: string,
  options: DurationOptions & { fallback?: string } = {},
): number | undefined {
  const text = readString(io, name, options.fallback);
  if (text === '') return undefined;
  const ms = parseDuration(text);
  const { min = 0, max = Infinity } = options;
  if (ms === undefined || ms < min || ms > max)
    throw new InputError(name, text, durationExpectation(text, options.examples, durationRange(min, max)));
  return ms;
}

function durationRange(min: number, max: number): string {
  if (max !== Infinity) return ` from ${formatDuration(min)} to ${formatDuration(max)}`;
  return min > 0 ? ` of at least ${formatDuration(min)}` : '';
}

/** An absolute http(s) URL, normalised; undefined when the input is empty. */
export function readUrl(io: InputReader, name: string): string | undefined {
  const value = io.getInput(name);
  if (value === '') return undefined;
  const url = parseHttpUrl(value);
  if (!url) throw new InputError(name, value, 'an absolute http(s) URL');
  return url;
}

/** `text` as a normalised absolute http(s) URL, or undefined when it is not one. */
export function parseHttpUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
}

/** A default from the action's table that its own reader refuses is a bug in the action, not a bad input. */
function defaultOf<T>(name: string, text: string, parse: (text: string) => T | undefined): T {
  const value = parse(text);
  if (value === undefined)
    throw new Error(`the default of input '${name}' (${JSON.stringify(text)}) is not valid`);
  return value;
}
