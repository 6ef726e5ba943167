/**
 * The repository the templates name (our actions in `uses:`, the runbook links in the alert rules), from the one
 * file scripts/adopt-template.mjs rewrites: tests read it from there, so they hold before and after adoption.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TemplateIdentity {
  /** owner/repo of our actions and of the runbooks */
  repository: string;
  /** the ref the templates use our actions at (`@v1`) */
  ref: string;
}

export const TEMPLATE: TemplateIdentity = JSON.parse(
  readFileSync(join(ROOT, 'templates/template.json'), 'utf8'),
) as TemplateIdentity;

/** Where an alert's runbook lives, as the rules link it. */
export function runbookUrl(alert: string): string {
  return `https://github.com/${TEMPLATE.repository}/blob/main/docs/runbooks/${alert}.md`;
}
