import type { FastifyReply } from 'fastify';
import type { BucketPolicy, TakeResult } from '../domain/token-bucket.js';

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-10): `RateLimit-Policy` announces the
 * policy (quota `q`, window `w` in seconds: the time the bucket takes to refill from empty), `RateLimit` the
 * current state (remaining `r`, seconds `t` until the bucket is full again). A denied request also gets
 * `Retry-After` (seconds until the cost is available).
 */
export function setRateLimitHeaders(reply: FastifyReply, policy: BucketPolicy, take: TakeResult): void {
  const window = Math.ceil(policy.capacity / policy.refillPerSecond);
  reply.header('ratelimit-policy', `"${policy.name}";q=${policy.capacity};w=${window}`);
  reply.header('ratelimit', `"${policy.name}";r=${take.remaining};t=${Math.ceil(take.resetMs / 1000)}`);
  if (!take.allowed) reply.header('retry-after', String(Math.max(1, Math.ceil(take.retryAfterMs / 1000))));
}
