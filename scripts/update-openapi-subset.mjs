#!/usr/bin/env node
// Rebuilds test/fixtures/github/rest-api-subset.json: the paths the actions call, copied whole from
// GitHub's official OpenAPI description (dereferenced), as published in the npm package @octokit/openapi.
//
//   npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz package/generated/api.github.com.deref.json
//   node --max-old-space-size=8000 scripts/update-openapi-subset.mjs package/generated/api.github.com.deref.json
//
// The full description is 73 MB (the package 385 MB unpacked), too heavy to install in CI, so the subset is committed.
import { readFileSync, writeFileSync } from 'node:fs';

export const PATHS = [
  '/repos/{owner}/{repo}/issues/{issue_number}/comments',
  '/repos/{owner}/{repo}/issues/comments/{comment_id}',
  '/repos/{owner}/{repo}/issues/{issue_number}',
  '/repos/{owner}/{repo}/issues/{issue_number}/labels',
  '/repos/{owner}/{repo}/pulls',
  '/repos/{owner}/{repo}/pulls/{pull_number}',
  '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
  '/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals',
  '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
  '/repos/{owner}/{repo}/pulls/{pull_number}/files',
  '/repos/{owner}/{repo}/collaborators/{username}/permission',
  '/orgs/{org}/teams/{team_slug}/memberships/{username}',
  '/repos/{owner}/{repo}/contents/{path}',
  '/repos/{owner}/{repo}/commits/{ref}/check-runs',
  '/repos/{owner}/{repo}/commits/{ref}/status',
  '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
  '/repos/{owner}/{repo}/check-runs',
  '/repos/{owner}/{repo}/check-runs/{check_run_id}',
  '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
  '/repos/{owner}/{repo}/deployments',
  '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  '/rate_limit',
  '/user',
];

const source = process.argv[2];
if (!source) {
  console.error('usage: update-openapi-subset.mjs <path to api.github.com.deref.json>');
  process.exit(2);
}
const full = JSON.parse(readFileSync(source, 'utf8'));
const paths = {};
for (const p of PATHS) {
  if (!full.paths[p]) throw new Error(`path ${p} is not in ${source}`);
  paths[p] = full.paths[p];
}
const subset = {
  openapi: full.openapi,
  info: {
    ...full.info,
    description: `Subset of GitHub REST API description (github/rest-api-description via @octokit/openapi ${full.info.version}), dereferenced, for the endpoints the actions call.`,
  },
  servers: full.servers,
  paths,
};
writeFileSync(
  new URL('../test/fixtures/github/rest-api-subset.json', import.meta.url),
  JSON.stringify(subset),
);
console.log(`wrote ${PATHS.length} paths`);
