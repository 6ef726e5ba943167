import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { bucketId } from '../store/store.js';
import type { Store } from '../store/store.js';
import { errorBodySchema } from './errors.js';
import { observeTake } from './metrics.js';
import type { ServiceMetrics } from './metrics.js';
import { setRateLimitHeaders } from './rate-limit-headers.js';
import { API_BODY_LIMIT_BYTES, identifier } from './schemas.js';

export interface LimitsOptions {
  config: Config;
  store: Store;
  metrics: ServiceMetrics;
  now: () => number;
}

const MAX_COST = 1_000_000;

/**
 * `POST /v1/limits/:key/take`: the token-bucket facet. The answer is a decision, so a denial is a 200 with
 * `allowed: false` (the rating writes, which this service itself limits, answer 429).
 */
export const limitsPlugin: FastifyPluginAsync<LimitsOptions> = async (
  app,
  { config, store, metrics, now },
) => {
  app.post<{ Params: { key: string }; Body: { cost: number; policy: string } }>(
    '/v1/limits/:key/take',
    {
      bodyLimit: API_BODY_LIMIT_BYTES,
      schema: {
        params: {
          type: 'object',
          properties: { key: identifier('What is limited, e.g. a user, an API key or an IP') },
          required: ['key'],
        },
        body: {
          type: 'object',
          properties: {
            cost: { type: 'integer', minimum: 1, maximum: MAX_COST, default: 1 },
            policy: { type: 'string', enum: [...config.policies.keys()], default: 'default' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              allowed: { type: 'boolean' },
              remaining: { type: 'integer' },
              retryAfterMs: { type: 'integer' },
              policy: { type: 'string' },
              capacity: { type: 'integer' },
            },
          },
          '4xx': errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const { cost, policy: policyName } = request.body;
      const policy = config.policies.get(policyName);
      if (policy === undefined)
        throw new Error(`policy ${policyName} passed the schema but is not configured`);
      if (cost > policy.capacity) {
        return reply.code(400).send({
          error: 'invalid_request',
          field: 'body.cost',
          message: `body.cost must be at most the capacity of policy "${policy.name}" (${policy.capacity}).`,
        });
      }
      const take = await store.take(
        { bucket: bucketId(policy.name, request.params.key), policy, cost },
        now(),
      );
      observeTake(metrics, policy, take);
      setRateLimitHeaders(reply, policy, take);
      return {
        allowed: take.allowed,
        remaining: take.remaining,
        retryAfterMs: take.retryAfterMs,
        policy: policy.name,
        capacity: policy.capacity,
      };
    },
  );
};
