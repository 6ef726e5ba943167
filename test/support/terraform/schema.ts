/**
 * The AWS provider schema (arguments and attributes of every resource and data source of hashicorp/aws 6.25.0),
 * extracted from @cdktf/provider-aws (test/fixtures/terraform-static/SOURCES.md). Read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Attribute {
  type: string;
  required: boolean;
}

export interface NestedBlock {
  block: Record<string, Argument>;
  list?: boolean;
  required: boolean;
}

export type Argument = Attribute | NestedBlock;

export interface TypeSchema {
  args: Record<string, Argument>;
  attrs: string[];
}

export interface ProviderSchema {
  provider: string;
  version: string;
  resources: Record<string, TypeSchema>;
  data: Record<string, TypeSchema>;
}

const here = dirname(fileURLToPath(import.meta.url));
const repository = resolve(here, '../../..');

/** Where the schema is looked for: $TF_AWS_SCHEMA, then the vendored copy, then the shared fixtures. */
export function schemaPath(): string {
  const candidates = [
    process.env.TF_AWS_SCHEMA,
    join(repository, 'test/fixtures/terraform-static/aws-provider-6.25.0-schema.json'),
    resolve(repository, '../shared/fixtures/terraform/aws-provider-6.25.0-schema.json'),
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `AWS provider schema not found: looked at ${candidates.join(', ')} (set TF_AWS_SCHEMA to the JSON file)`,
    );
  }
  return found;
}

const cache = new Map<string, ProviderSchema>();

/** The schema at `path` (default: schemaPath()), parsed once per process. */
export function loadSchema(path = schemaPath()): ProviderSchema {
  const known = cache.get(path);
  if (known) return known;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProviderSchema>;
  if (!parsed.resources || !parsed.data) {
    throw new Error(`${path} is not a provider schema: expected "resources" and "data" objects`);
  }
  const schema: ProviderSchema = {
    provider: parsed.provider ?? 'hashicorp/aws',
    version: parsed.version ?? 'unknown',
    resources: parsed.resources,
    data: parsed.data,
  };
  cache.set(path, schema);
  return schema;
}

export function isBlock(argument: Argument): argument is NestedBlock {
  return 'block' in argument;
}

/** Whether `name` can follow `aws_x.label.`: an argument, a read-only attribute, or `id`. */
export function hasAttribute(type: TypeSchema, name: string): boolean {
  return name === 'id' || name in type.args || type.attrs.includes(name);
}
