/**
 * `npm run demo`: the pipeline end to end on this machine, with nothing but Node.
 *
 * A local GitHub API double stands in for github.com (it validates every call against GitHub's OpenAPI
 * description); the built action bundles run exactly as the Actions runner runs them, on a real
 * pull_request webhook payload. Output goes to demo-out/.
 *
 * plan-comment: two regions of a matrix post their plans (real `terraform show -json` output that the repo ships
 * in test/fixtures/terraform-plans/), then us-east-1 runs again and edits its comment in place.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitHubDouble } from '../test/github-double/server.js';
import { webhookPayload } from '../test/harness/events.js';
import { ROOT, runAction, type RunResult } from '../test/harness/runner.js';

const OUT = join(ROOT, 'demo-out');
const PLANS = 'test/fixtures/terraform-plans';

function save(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

function check(result: RunResult, what: string): void {
  if (result.exitCode !== 0) {
    console.error(result.log);
    throw new Error(`${what} failed with exit code ${result.exitCode}`);
  }
}

async function planComment(gh: GitHubDouble): Promise<void> {
  const event = webhookPayload('pull_request', 'opened');
  const [owner, repo] = (event.repository.full_name as string).split('/') as [string, string];
  gh.addPullRequest(owner, repo, {
    number: event.number,
    author: event.pull_request.user.login,
    title: event.pull_request.title,
  });
  const regions = [
    { label: 'us-east-1', plan: `${PLANS}/openclaw-tf1.11-lifecycle.json` },
    { label: 'eu-west-1', plan: `${PLANS}/terraform-compliance-aws-delete-update-create-drift.json` },
  ];
  console.log('plan-comment');
  for (const { label, plan } of [...regions, regions[0]!]) {
    const result = await runAction({
      action: 'plan-comment',
      apiUrl: gh.url,
      eventName: 'pull_request',
      event,
      inputs: { 'plan-json': plan, label },
    });
    check(result, `plan-comment for ${label}`);
    const comment = gh
      .commentsOn(owner, repo, event.number)
      .find((c) => c.id === Number(result.outputs['comment-id']));
    const dir = join(OUT, 'plan-comment', label);
    save(dir, {
      'comment.md': comment?.body ?? '',
      'summary.md': result.summary,
      'outputs.json': JSON.stringify(result.outputs, null, 2) + '\n',
      'log.txt': result.log,
    });
    console.log(
      `  ${label}: ${result.outputs['summary']} -> comment ${result.outputs['comment-id']} (${comment?.body.length ?? 0} chars)`,
    );
    console.log(`    ${join(dir, 'comment.md')}\n    ${join(dir, 'summary.md')}`);
  }
  const comments = gh.commentsOn(owner, repo, event.number);
  console.log(
    `  pull request #${event.number} now has ${comments.length} plan comments (one per region; the rerun edited in place)`,
  );
}

rmSync(OUT, { recursive: true, force: true });
const gh = await GitHubDouble.start();
gh.addToken('ghs_workflow_token', 'github-actions[bot]');
try {
  await planComment(gh);
  if (gh.violations.length > 0)
    throw new Error(`GitHub API contract violations:\n${gh.violations.join('\n')}`);
  console.log(`\nAll output is in ${OUT}`);
} finally {
  await gh.stop();
}
