/**
 * Validation of requests and responses against GitHub's official OpenAPI description (the subset in
 * test/fixtures/github/rest-api-subset.json). A request to an undescribed path or method, an unknown query
 * parameter, a parameter or body of the wrong shape, or a response the description does not allow, is a
 * violation: the double records it and the test that caused it fails.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under Node's ESM its default export is the module object holding `default`
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Record<string, unknown>;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}

export interface MatchedOperation {
  operationId: string;
  template: string;
  method: string;
  params: Record<string, string>;
  operation: Operation;
}

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  methods: Record<string, Operation>;
}

export const SPEC_PATH = new URL('../fixtures/github/rest-api-subset.json', import.meta.url);

export class OpenApiValidator {
  private readonly routes: Route[] = [];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(specPath: URL | string = SPEC_PATH) {
    const spec = JSON.parse(readFileSync(specPath, 'utf8')) as {
      paths: Record<string, Record<string, Operation>>;
    };
    for (const [template, methods] of Object.entries(spec.paths)) {
      const names: string[] = [];
      const pattern = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name);
        return name === 'path' ? '(.+)' : '([^/]+)';
      });
      this.routes.push({
        template,
        regex: new RegExp(`^${pattern}$`),
        names,
        literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
        methods,
      });
    }
    // more literal segments first: /issues/comments/{id} before /issues/{number}
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
  }

  match(method: string, pathname: string): MatchedOperation | undefined {
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      const operation = route.methods[method.toLowerCase()];
      if (!operation) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return {
        operationId: operation.operationId,
        template: route.template,
        method: method.toUpperCase(),
        params,
        operation,
      };
    }
    return undefined;
  }

  /** Problems with a request, empty when it is valid. */
  validateRequest(op: MatchedOperation, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const problems: string[] = [];
    const declared = op.operation.parameters ?? [];
    for (const p of declared.filter((p) => p.in === 'path')) {
      const value = op.params[p.name];
      problems.push(...this.check(p.schema, coerce(value, p.schema), `path parameter ${p.name}`));
    }
    const queryNames = new Set(declared.filter((p) => p.in === 'query').map((p) => p.name));
    for (const [name, value] of query) {
      if (!queryNames.has(name)) {
        problems.push(`query parameter ${name} is not described for ${op.method} ${op.template}`);
        continue;
      }
      const schema = declared.find((p) => p.name === name)!.schema;
      problems.push(...this.check(schema, coerce(value, schema), `query parameter ${name}`));
    }
    for (const p of declared.filter((p) => p.in === 'query' && p.required)) {
      if (!query.has(p.name)) problems.push(`required query parameter ${p.name} is missing`);
    }
    const requestBody = op.operation.requestBody;
    const schema = requestBody?.content['application/json']?.schema;
    if (!requestBody && hasBody) problems.push(`${op.method} ${op.template} takes no request body`);
    if (requestBody?.required && !hasBody)
      problems.push(`${op.method} ${op.template} requires a request body`);
    if (schema && hasBody) problems.push(...this.check(schema, body, 'request body'));
    return problems;
  }

  /** Problems with a response, empty when the description allows it. */
  validateResponse(op: MatchedOperation, status: number, body: unknown): string[] {
    const response = op.operation.responses[String(status)];
    if (!response) {
      return [
        `status ${status} is not described for ${op.method} ${op.template} (described: ${Object.keys(op.operation.responses).join(', ')})`,
      ];
    }
    const schema = response.content?.['application/json']?.schema;
    if (!schema)
      return body === undefined
        ? []
        : [`status ${status} of ${op.method} ${op.template} has no body in the description`];
    return this.check(schema, body, `response ${status} body`);
  }

  /** True when the description lists this status for the operation without a response body. */
  describesWithoutBody(op: MatchedOperation, status: number): boolean {
    const response = op.operation.responses[String(status)];
    return response !== undefined && !response.content?.['application/json'];
  }

  /** True when the description lists this status for the operation. */
  describes(op: MatchedOperation, status: number): boolean {
    return String(status) in op.operation.responses;
  }

  private check(schema: Record<string, unknown> | undefined, value: unknown, what: string): string[] {
    if (!schema) return [];
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .slice(0, 8)
      .map((e) =>
        `${what}${e.instancePath} ${e.message ?? 'is invalid'} ${e.params ? JSON.stringify(e.params) : ''}`.trim(),
      );
  }
}

/** Path and query values arrive as strings; the description types them. */
function coerce(value: string | undefined, schema: Record<string, unknown> | undefined): unknown {
  if (value === undefined || !schema) return value;
  const type = schema['type'];
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
