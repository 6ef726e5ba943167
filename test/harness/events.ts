/**
 * Real webhook payloads from @octokit/webhooks-examples (GitHub's own examples), deep-copied so a test can
 * adjust them (a PR number, a head SHA) without touching the next test's copy.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

/** The first example of `event` (optionally with `action`), e.g. webhookPayload('pull_request', 'opened'). */
export function webhookPayload(event: string, action?: string): Record<string, any> {
  const group = examples.find((e) => e.name === event);
  if (!group) throw new Error(`@octokit/webhooks-examples has no ${event} event`);
  const example = group.examples.find((e) => action === undefined || e['action'] === action);
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event}.${action} example`);
  return structuredClone(example) as Record<string, any>;
}
