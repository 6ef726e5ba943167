import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { StoreUnavailableError } from '../store/store.js';

/** Every error response: a stable code, the request field at fault when there is one, a readable message. */
export interface ErrorBody {
  error: string;
  field?: string;
  message: string;
}

export const errorBodySchema = {
  type: 'object',
  properties: { error: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/**
 * Turns every failure into a JSON error: schema violations name the field (`body.stars`, `params.subject`),
 * malformed or oversized bodies name `body`, a bad Content-Type names `headers.content-type`, an unreachable
 * store is a 503 with Retry-After, and anything else is a logged 500 that shows no internals.
 */
export const errorsPlugin: FastifyPluginAsync = fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const { status, body } = describeError(error);
      if (status === 500) request.log.error({ err: error }, 'request failed');
      if (error instanceof StoreUnavailableError) reply.header('retry-after', '1');
      return reply.code(status).send(body);
    });
    app.setNotFoundHandler(async (request, reply) =>
      reply.code(404).send({
        error: 'not_found',
        field: 'url',
        message: `No route for ${request.method} ${request.url.slice(0, 200)}`,
      }),
    );
  },
  { name: 'errors' },
);

/** For fastify's `frameworkErrors`: a URL that cannot be decoded is the client's fault. */
export function sendFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(400)
    .send({ error: 'invalid_request', field: 'url', message: `The URL is malformed: ${error.message}` });
}

function describeError(error: FastifyError): { status: number; body: ErrorBody } {
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      body: { error: 'store_unavailable', message: 'The store is unreachable; retry shortly.' },
    };
  }
  const issue = error.validation?.[0];
  if (issue !== undefined) {
    const field = validationField(error.validationContext ?? 'request', issue);
    return {
      status: 400,
      body: { error: 'invalid_request', field, message: `${field} ${validationMessage(issue)}` },
    };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const field = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'headers.content-type' : 'body';
    return { status, body: { error: 'invalid_request', field, message: `${field}: ${error.message}` } };
  }
  return { status: 500, body: { error: 'internal_error', message: 'Internal error; it has been logged.' } };
}

function validationField(context: string, issue: ValidationIssue): string {
  const path = issue.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = issue.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  if (child !== undefined) path.push(child);
  return [context, ...path].join('.');
}

function validationMessage(issue: ValidationIssue): string {
  const params = issue.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (params.additionalProperty !== undefined) return 'is not an allowed field';
  if (issue.keyword === 'required') return 'is required';
  if (params.allowedValues !== undefined)
    return `must be one of ${params.allowedValues.map(String).join(', ')}`;
  return issue.message ?? 'is invalid';
}
