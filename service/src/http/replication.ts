import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { CHANGES_PATH, PAGE_SIZE } from '../replication/anti-entropy.js';
import type { Store } from '../store/store.js';
import { errorBodySchema } from './errors.js';

export interface ReplicationOptions {
  store: Store;
  region: string;
  /** When set, peers must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** `GET /internal/v1/replication/changes`: this region's change feed, read by its peers' anti-entropy. */
export const replicationPlugin: FastifyPluginAsync<ReplicationOptions> = async (
  app,
  { store, region, token },
) => {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  app.get<{ Querystring: { since?: string; limit?: string; epoch?: string } }>(
    CHANGES_PATH,
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            since: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
            epoch: { type: 'string', maxLength: 80 },
          },
          additionalProperties: false,
        },
        response: { '4xx': errorBodySchema },
      },
    },
    async (request, reply) => {
      if (expected !== undefined && !matches(request.headers.authorization, expected)) {
        return reply.code(401).send({
          error: 'unauthorized',
          field: 'headers.authorization',
          message: 'A valid replication token is required.',
        });
      }
      const limit = Math.min(Math.max(Number(request.query.limit ?? PAGE_SIZE), 1), PAGE_SIZE);
      const page = await store.readChanges({
        epoch: request.query.epoch,
        since: Number(request.query.since ?? 0),
        limit,
      });
      return { region, ...page };
    },
  );
};

function matches(header: string | undefined, expected: Buffer): boolean {
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
