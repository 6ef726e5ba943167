import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { summarizeRating } from '../domain/rating.js';
import type { RatingEvent } from '../domain/rating-event.js';
import { bucketId } from '../store/store.js';
import type { Store } from '../store/store.js';
import { errorBodySchema } from './errors.js';
import { observeTake } from './metrics.js';
import type { ServiceMetrics } from './metrics.js';
import { setRateLimitHeaders } from './rate-limit-headers.js';
import { API_BODY_LIMIT_BYTES, identifier } from './schemas.js';

export interface RatingsOptions {
  config: Config;
  store: Store;
  metrics: ServiceMetrics;
  now: () => number;
}

interface SubjectParams {
  subject: string;
}

interface RatingBody {
  id: string;
  actor: string;
  stars: number;
}

const subjectParams = {
  type: 'object',
  properties: { subject: identifier('The rated thing, e.g. a product or listing id') },
  required: ['subject'],
} as const;

const summaryProperties = {
  subject: { type: 'string' },
  count: { type: 'integer' },
  mean: { type: 'number', nullable: true },
  score: { type: 'number' },
  distribution: { type: 'array', items: { type: 'integer' }, minItems: 5, maxItems: 5 },
  updatedAt: { type: 'string', nullable: true },
} as const;

/** Rating writes (idempotent by event id, rate limited per actor) and reads of a subject's score. */
export const ratingsPlugin: FastifyPluginAsync<RatingsOptions> = async (
  app,
  { config, store, metrics, now },
) => {
  const summaryOf = (event: RatingEvent) => ({
    id: event.id,
    ...summarizeRating(event.subject, event.snapshot, config.prior),
  });

  app.post<{ Params: SubjectParams; Body: RatingBody }>(
    '/v1/subjects/:subject/ratings',
    {
      bodyLimit: API_BODY_LIMIT_BYTES,
      schema: {
        params: subjectParams,
        body: {
          type: 'object',
          properties: {
            id: identifier('Client event id: a retry with the same id is answered from the first result'),
            actor: identifier('Who rates; writes are rate limited per actor'),
            stars: { type: 'integer', minimum: 1, maximum: 5 },
          },
          required: ['id', 'actor', 'stars'],
          additionalProperties: false,
        },
        response: {
          201: { type: 'object', properties: { id: { type: 'string' }, ...summaryProperties } },
          '4xx': errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const rating = { ...request.body, subject: request.params.subject };
      const policy = config.writePolicy;
      const outcome = await store.recordRating(
        rating,
        { bucket: bucketId(policy.name, rating.actor), policy, cost: 1 },
        now(),
      );
      switch (outcome.kind) {
        case 'recorded':
          metrics.ratings.inc({ outcome: 'recorded' });
          observeTake(metrics, policy, outcome.take);
          setRateLimitHeaders(reply, policy, outcome.take);
          return reply.code(201).send(summaryOf(outcome.event));
        case 'replayed':
          metrics.ratings.inc({ outcome: 'replayed' });
          return reply.code(201).header('idempotent-replayed', 'true').send(summaryOf(outcome.event));
        case 'conflict':
          metrics.ratings.inc({ outcome: 'conflict' });
          return reply.code(409).send({
            error: 'idempotency_conflict',
            field: 'body.id',
            message: `body.id ${JSON.stringify(rating.id)} was already used for another rating (subject, actor or stars differ).`,
          });
        case 'limited':
          metrics.ratings.inc({ outcome: 'rate_limited' });
          observeTake(metrics, policy, outcome.take);
          setRateLimitHeaders(reply, policy, outcome.take);
          return reply.code(429).send({
            error: 'rate_limited',
            field: 'body.actor',
            message: `body.actor ${JSON.stringify(rating.actor)} is over the "${policy.name}" write limit; retry in ${outcome.take.retryAfterMs} ms.`,
          });
      }
    },
  );

  app.get<{ Params: SubjectParams }>(
    '/v1/subjects/:subject/rating',
    {
      schema: {
        params: subjectParams,
        response: { 200: { type: 'object', properties: summaryProperties }, '4xx': errorBodySchema },
      },
    },
    async (request) => {
      const { subject } = request.params;
      return summarizeRating(subject, await store.readRating(subject), config.prior);
    },
  );
};
