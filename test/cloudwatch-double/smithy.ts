/**
 * Validation of JSON values against shapes of a Smithy JSON model (the AST form AWS publishes its models in), as
 * the AWS JSON 1.0 protocol carries them: structures are objects whose keys are member names, lists are arrays,
 * maps are objects, timestamps are epoch seconds (unless a `smithy.api#timestampFormat` trait says otherwise),
 * doubles may also be the strings "NaN", "Infinity" and "-Infinity", blobs are base64 strings.
 *
 * Checked: unknown structure members, `smithy.api#required` members (absent or null), `smithy.api#length` on
 * strings (in Unicode code points), lists and maps, `smithy.api#pattern` (an ECMAScript regex, not implicitly
 * anchored, as Smithy defines it), enum values (Smithy 2 `enum`/`intEnum` shapes and the Smithy 1
 * `smithy.api#enum` trait), `smithy.api#range`, integer kinds and their bounds, booleans, null list members
 * (unless `smithy.api#sparse`), unions (exactly one member). Constraint traits on a member override the same
 * traits on its target, as Smithy specifies.
 *
 * Every problem is reported with the JSON path of the value, e.g. `/MetricDataQueries/0/Id: ...`.
 */
import { readFileSync } from 'node:fs';

export interface ShapeRef {
  target: string;
  traits?: Record<string, unknown>;
}

export interface Shape {
  type: string;
  version?: string;
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  operations?: ShapeRef[];
  traits?: Record<string, unknown>;
}

export interface SmithyModel {
  smithy: string;
  metadata?: Record<string, unknown>;
  shapes: Record<string, Shape>;
}

export const CLOUDWATCH_MODEL_PATH = new URL(
  '../fixtures/aws/cloudwatch-getmetricdata.smithy.json',
  import.meta.url,
);

/** Simple shapes of the Smithy prelude that models may target directly. */
const PRELUDE: Record<string, Shape> = {
  'smithy.api#String': { type: 'string' },
  'smithy.api#Blob': { type: 'blob' },
  'smithy.api#Boolean': { type: 'boolean' },
  'smithy.api#PrimitiveBoolean': { type: 'boolean' },
  'smithy.api#Byte': { type: 'byte' },
  'smithy.api#Short': { type: 'short' },
  'smithy.api#Integer': { type: 'integer' },
  'smithy.api#PrimitiveInteger': { type: 'integer' },
  'smithy.api#Long': { type: 'long' },
  'smithy.api#PrimitiveLong': { type: 'long' },
  'smithy.api#Float': { type: 'float' },
  'smithy.api#Double': { type: 'double' },
  'smithy.api#PrimitiveDouble': { type: 'double' },
  'smithy.api#BigInteger': { type: 'bigInteger' },
  'smithy.api#BigDecimal': { type: 'bigDecimal' },
  'smithy.api#Timestamp': { type: 'timestamp' },
  'smithy.api#Document': { type: 'document' },
  'smithy.api#Unit': { type: 'structure', members: {} },
};

const INTEGER_BOUNDS: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  bigInteger: [-Infinity, Infinity],
};

const NON_FINITE_DOUBLES = new Set(['NaN', 'Infinity', '-Infinity']);

interface Length {
  min?: number;
  max?: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export class SmithyValidator {
  readonly model: SmithyModel;
  private readonly patterns = new Map<string, RegExp>();

  constructor(model: SmithyModel | URL | string = CLOUDWATCH_MODEL_PATH) {
    this.model =
      typeof model === 'string' || model instanceof URL
        ? (JSON.parse(readFileSync(model, 'utf8')) as SmithyModel)
        : model;
  }

  /** The shape with this id (prelude shapes included); throws for an unknown id: the model is incomplete. */
  shape(id: string): Shape {
    const shape = this.model.shapes[id] ?? PRELUDE[id];
    if (!shape) throw new Error(`shape ${id} is not in the model`);
    return shape;
  }

  /** The model's one service shape, with its id. */
  service(): { id: string; shape: Shape } {
    const found = Object.entries(this.model.shapes).filter(([, s]) => s.type === 'service');
    if (found.length !== 1) throw new Error(`expected one service shape, found ${found.length}`);
    const [id, shape] = found[0]!;
    return { id, shape };
  }

  /** The error structure whose `aws.protocols#awsQueryError` code is `code`, if the model has one. */
  errorByQueryCode(
    code: string,
  ): { id: string; shape: Shape; httpStatus: number; fault: 'client' | 'server' } | undefined {
    for (const [id, shape] of Object.entries(this.model.shapes)) {
      const query = shape.traits?.['aws.protocols#awsQueryError'] as
        { code: string; httpResponseCode: number } | undefined;
      if (shape.type === 'structure' && query?.code === code) {
        return {
          id,
          shape,
          httpStatus: query.httpResponseCode,
          fault: shape.traits?.['smithy.api#error'] === 'server' ? 'server' : 'client',
        };
      }
    }
    return undefined;
  }

  /** Problems with `value` as an instance of shape `id`; empty when it is valid. */
  validate(id: string, value: unknown, path = ''): string[] {
    const problems: string[] = [];
    this.check({ target: id }, value, path, problems);
    return problems;
  }

  private trait<T>(ref: ShapeRef, shape: Shape, name: string): T | undefined {
    return (ref.traits?.[name] ?? shape.traits?.[name]) as T | undefined;
  }

  private check(ref: ShapeRef, value: unknown, path: string, problems: string[]): void {
    const shape = this.shape(ref.target);
    const at = path || '/';
    const fail = (message: string) => problems.push(`${at}: ${message} (${ref.target})`);
    switch (shape.type) {
      case 'structure':
      case 'union': {
        if (!isPlainObject(value)) return void fail(`expected an object, got ${describe(value)}`);
        const members = shape.members ?? {};
        for (const key of Object.keys(value)) {
          if (!(key in members)) problems.push(`${pointer(path, key)}: is not a member of ${ref.target}`);
        }
        const set = Object.entries(members).filter(
          ([name]) => value[name] !== undefined && value[name] !== null,
        );
        for (const [name, member] of Object.entries(members)) {
          const v = value[name];
          if (v === undefined || v === null) {
            if (member.traits?.['smithy.api#required'] !== undefined)
              problems.push(
                `${pointer(path, name)}: required member is ${v === null ? 'null' : 'missing'} (${ref.target})`,
              );
            else if (v === null && shape.type === 'structure')
              problems.push(
                `${pointer(path, name)}: null (an absent member is omitted, not null) (${ref.target})`,
              );
            continue;
          }
          this.check(member, v, pointer(path, name), problems);
        }
        if (shape.type === 'union' && set.length !== 1)
          fail(`a union needs exactly one member set, got ${set.length}`);
        return;
      }
      case 'list':
      case 'set': {
        if (!Array.isArray(value)) return void fail(`expected an array, got ${describe(value)}`);
        this.checkLength(this.trait<Length>(ref, shape, 'smithy.api#length'), value.length, 'items', fail);
        const sparse = shape.traits?.['smithy.api#sparse'] !== undefined;
        value.forEach((item, i) => {
          if (item === null) {
            if (!sparse)
              problems.push(`${pointer(path, i)}: null in a list that is not @sparse (${ref.target})`);
            return;
          }
          this.check(shape.member!, item, pointer(path, i), problems);
        });
        return;
      }
      case 'map': {
        if (!isPlainObject(value)) return void fail(`expected an object (a map), got ${describe(value)}`);
        const entries = Object.entries(value);
        this.checkLength(
          this.trait<Length>(ref, shape, 'smithy.api#length'),
          entries.length,
          'entries',
          fail,
        );
        for (const [k, v] of entries) {
          this.check(shape.key!, k, `${pointer(path, k)} (key)`, problems);
          if (v === null) {
            if (shape.traits?.['smithy.api#sparse'] === undefined)
              problems.push(`${pointer(path, k)}: null in a map that is not @sparse (${ref.target})`);
            continue;
          }
          this.check(shape.value!, v, pointer(path, k), problems);
        }
        return;
      }
      case 'string':
      case 'enum': {
        if (typeof value !== 'string') return void fail(`expected a string, got ${describe(value)}`);
        this.checkLength(
          this.trait<Length>(ref, shape, 'smithy.api#length'),
          [...value].length,
          'characters',
          fail,
        );
        const pattern = this.trait<string>(ref, shape, 'smithy.api#pattern');
        if (pattern !== undefined && !this.regex(pattern).test(value))
          fail(`${describe(value)} does not match the pattern ${pattern}`);
        const allowed =
          shape.type === 'enum'
            ? Object.entries(shape.members ?? {}).map(
                ([name, m]) => (m.traits?.['smithy.api#enumValue'] as string | undefined) ?? name,
              )
            : (shape.traits?.['smithy.api#enum'] as { value: string }[] | undefined)?.map((e) => e.value);
        if (allowed && !allowed.includes(value))
          fail(`${describe(value)} is not one of ${allowed.join(', ')}`);
        return;
      }
      case 'intEnum':
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
      case 'bigInteger': {
        if (typeof value !== 'number' || !Number.isInteger(value))
          return void fail(`expected an integer, got ${describe(value)}`);
        const [lo, hi] = INTEGER_BOUNDS[shape.type === 'intEnum' ? 'integer' : shape.type]!;
        if (value < lo || value > hi) fail(`${value} is outside the ${shape.type} range`);
        if (shape.type === 'intEnum') {
          const allowed = Object.values(shape.members ?? {}).map((m) => m.traits?.['smithy.api#enumValue']);
          if (!allowed.includes(value)) fail(`${value} is not one of ${allowed.join(', ')}`);
        }
        this.checkRange(this.trait(ref, shape, 'smithy.api#range'), value, fail);
        return;
      }
      case 'float':
      case 'double':
      case 'bigDecimal': {
        if (typeof value === 'string' && shape.type !== 'bigDecimal' && NON_FINITE_DOUBLES.has(value)) return;
        if (typeof value !== 'number' || !Number.isFinite(value))
          return void fail(`expected a number, got ${describe(value)}`);
        this.checkRange(this.trait(ref, shape, 'smithy.api#range'), value, fail);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean') fail(`expected a boolean, got ${describe(value)}`);
        return;
      case 'timestamp': {
        const format = this.trait<string>(ref, shape, 'smithy.api#timestampFormat') ?? 'epoch-seconds';
        if (format === 'epoch-seconds') {
          if (typeof value !== 'number' || !Number.isFinite(value))
            fail(`expected a timestamp in epoch seconds (a number), got ${describe(value)}`);
        } else if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
          fail(`expected a ${format} timestamp string, got ${describe(value)}`);
        }
        return;
      }
      case 'blob':
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
          fail(`expected base64 text, got ${describe(value)}`);
        return;
      case 'document':
        return;
      default:
        fail(`cannot validate a value against a ${shape.type} shape`);
    }
  }

  private checkLength(length: Length | undefined, n: number, unit: string, fail: (m: string) => void): void {
    if (!length) return;
    if (length.min !== undefined && n < length.min)
      fail(`${n} ${unit}, fewer than the minimum ${length.min}`);
    if (length.max !== undefined && n > length.max) fail(`${n} ${unit}, more than the maximum ${length.max}`);
  }

  private checkRange(
    range: { min?: number; max?: number } | undefined,
    n: number,
    fail: (m: string) => void,
  ): void {
    if (!range) return;
    if (range.min !== undefined && n < range.min) fail(`${n} is below the minimum ${range.min}`);
    if (range.max !== undefined && n > range.max) fail(`${n} is above the maximum ${range.max}`);
  }

  private regex(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (!re) {
      re = new RegExp(pattern, 'u');
      this.patterns.set(pattern, re);
    }
    return re;
  }
}
