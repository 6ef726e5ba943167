/**
 * plan-comment and apply-gate in the demo, against the local GitHub API double. The plans are real
 * `terraform show -json` output from test/fixtures/terraform-plans/: planning the templates' own Terraform needs
 * the AWS provider (not downloadable here) and an AWS account, so the demo says so and uses the fixtures.
 */
import type { GitHubDouble } from '../../test/github-double/server.js';
import { webhookPayload } from '../../test/harness/events.js';
import { runAction } from '../../test/harness/runner.js';
import type { DemoRecord } from './record.js';

const PLANS = 'test/fixtures/terraform-plans';
const LIFECYCLE = `${PLANS}/openclaw-tf1.11-lifecycle.json`;

const outcome = (exitCode: number) => `step ${exitCode === 0 ? 'passes' : 'fails'}`;

export async function planAndApply(gh: GitHubDouble, record: DemoRecord): Promise<void> {
  const event = webhookPayload('pull_request', 'opened');
  const [owner, repo] = (event.repository.full_name as string).split('/') as [string, string];
  const number = event.number as number;
  gh.addPullRequest(owner, repo, {
    number,
    author: event.pull_request.user.login,
    title: event.pull_request.title,
  });

  console.log('2. plan-comment (real `terraform show -json` plans from test/fixtures/terraform-plans/)');
  record.notes.push(
    "plan-comment and apply-gate ran on real Terraform plans from test/fixtures/terraform-plans/: a plan of the templates' own Terraform needs the AWS provider and an AWS account, neither of which is here.",
  );
  const regions = [
    { label: 'us-east-1', plan: LIFECYCLE },
    { label: 'eu-west-1', plan: `${PLANS}/terraform-compliance-aws-delete-update-create-drift.json` },
  ];
  const ids: string[] = [];
  for (const [i, { label, plan }] of [...regions, regions[0]!].entries()) {
    const result = await runAction({
      action: 'plan-comment',
      apiUrl: gh.url,
      eventName: 'pull_request',
      event,
      inputs: { 'plan-json': plan, label },
    });
    const id = result.outputs['comment-id'] ?? '';
    ids.push(id);
    const comment = gh.commentsOn(owner, repo, number).find((c) => c.id === Number(id));
    const saved = record.save('plan-comment', `${i + 1}-${label}`, result);
    const page = record.savePage(saved.dir, 'comment', `comment ${label}`, comment?.body ?? '');
    const rerun = i === 2;
    const actual =
      result.exitCode !== 0 || !comment
        ? `no comment (${outcome(result.exitCode)})`
        : rerun
          ? id === ids[0] && gh.commentsOn(owner, repo, number).length === 2
            ? 'its comment edited in place'
            : 'a second comment'
          : 'comment posted';
    record.verdict(
      `plan-comment ${label}${rerun ? ' again' : ''}`,
      rerun ? 'its comment edited in place' : 'comment posted',
      actual,
      { detail: `${result.outputs['summary']}, comment ${id}`, links: [saved.link, page] },
    );
  }

  console.log('3. apply-gate');
  gh.addReview(owner, repo, number, { author: 'hubot', state: 'APPROVED' });
  const review = webhookPayload('pull_request_review', 'submitted');
  const gate = async (name: string, step: string, expected: string) => {
    const result = await runAction({
      action: 'apply-gate',
      apiUrl: gh.url,
      eventName: 'pull_request_review',
      event: review,
      inputs: { 'plan-json': LIFECYCLE, label: 'us-east-1' },
    });
    const saved = record.save('apply-gate', name, result);
    const reasons = JSON.parse(result.outputs['reasons'] ?? '[]') as string[];
    record.verdict(
      step,
      expected,
      `${result.outputs['allowed'] === 'true' ? 'allowed' : 'refused'} (${outcome(result.exitCode)})`,
      {
        detail: reasons.length ? reasons.join('; ') : `approvers ${result.outputs['approvers']}`,
        links: [saved.link],
      },
    );
  };
  await gate('1-approved', 'apply-gate approved plan', 'allowed (step passes)');
  gh.push(owner, repo, number);
  await gate('2-pushed-after-approval', 'apply-gate after a new push', 'refused (step fails)');
}
