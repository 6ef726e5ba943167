/** The apply-gate decision as markdown for the job summary: every rule, whether it held and why, every review. */
import { codeSpan } from '../common/markdown.js';
import type { ApprovalDecision } from './approval.js';

export interface ApprovalReportContext {
  pullNumber: number;
  label?: string;
  fingerprint?: string;
  approvedFingerprint?: string;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderApprovalReport(decision: ApprovalDecision, context: ApprovalReportContext): string {
  const lines: string[] = [];
  const what = context.label ? ` for ${codeSpan(context.label)}` : '';
  lines.push(
    decision.allowed
      ? `### ✅ Apply allowed${what}: pull request #${context.pullNumber}`
      : `### ⛔ Apply refused${what}: pull request #${context.pullNumber}`,
    '',
  );
  if (!decision.allowed) {
    lines.push('> [!CAUTION]', '> **Why:**');
    for (const reason of decision.reasons) lines.push(`> - ${codeSafe(reason)}`);
    lines.push('');
  }
  lines.push('| rule | result | details |', '|---|---|---|');
  for (const rule of decision.rules) {
    lines.push(
      `| ${cell(rule.title)} | ${rule.held ? '✅ held' : '❌ failed'} | ${cell(rule.details.map(codeSafe).join('<br>'))} |`,
    );
  }
  lines.push('');
  if (context.fingerprint) {
    lines.push(
      `Plan to apply: ${codeSpan(context.fingerprint)}; approved plan: ${context.approvedFingerprint ? codeSpan(context.approvedFingerprint) : '(none found)'}`,
      '',
    );
  }
  lines.push("#### Reviews (each reviewer's latest decisive review)", '');
  if (decision.reviews.length === 0) {
    lines.push('No approving or change-requesting reviews.');
  } else {
    lines.push('| reviewer | review | commit | submitted | counts |', '|---|---|---|---|---|');
    for (const r of decision.reviews) {
      lines.push(
        `| ${codeSpan(r.login, { inTable: true })} | ${r.state} | ${r.commitId ? codeSpan(r.commitId.slice(0, 7), { inTable: true }) : ''} | ${r.submittedAt ?? ''} | ${r.counted ? '✅' : '—'} ${cell(r.note)} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** Logins and paths in reasons are mentions and links waiting to happen: put `@name` and file paths in code. */
function codeSafe(text: string): string {
  return text.replace(/@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9_.-]+)?(?:\[bot\])?/g, (m) => codeSpan(m));
}
