/**
 * What the demo keeps: each step's files under demo-out/<step>/<run>/ (the job summary as Markdown and as an HTML
 * page, the outputs, the log), and one verdict per step: what was expected, what happened. The terminal report
 * and index.html are made from the verdicts; the exit code is non-zero when any verdict differs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunResult } from '../../test/harness/runner.js';
import { indexPage, summaryPage, type IndexEntry } from './html.js';

export interface Verdict {
  step: string;
  expected: string;
  actual: string;
  /** skipped: a part that needs a program not installed here (said why in `actual`). */
  status: 'ok' | 'bad' | 'skipped';
  /** Figures and context shown after the verdict (RTO, score, reasons). */
  detail: string;
  links: { text: string; href: string }[];
}

export class DemoRecord {
  readonly verdicts: Verdict[] = [];
  readonly notes: string[] = [];

  constructor(readonly out: string) {}

  /** Saves a run's files; returns the run's folder and the link to its summary page. */
  save(
    step: string,
    name: string,
    result: RunResult,
    extra: Record<string, string> = {},
  ): { dir: string; link: { text: string; href: string } } {
    const dir = join(this.out, step, name);
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      'summary.md': result.summary,
      'summary.html': summaryPage({
        title: `${step} · ${name}`,
        context: `${step} · ${name} · exit code ${result.exitCode}`,
        markdown: result.summary,
      }),
      'outputs.json': JSON.stringify(result.outputs, null, 2) + '\n',
      'log.txt': result.log,
      ...extra,
    };
    for (const [path, text] of Object.entries(result.runnerTemp)) files[path.split('/').pop()!] = text;
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return { dir, link: { text: name, href: relative(this.out, join(dir, 'summary.html')) } };
  }

  /** A page of Markdown that is not a job summary (a plan comment). */
  savePage(dir: string, file: string, title: string, markdown: string): { text: string; href: string } {
    writeFileSync(join(dir, `${file}.md`), markdown);
    writeFileSync(join(dir, `${file}.html`), summaryPage({ title, context: title, markdown }));
    return { text: title, href: relative(this.out, join(dir, `${file}.html`)) };
  }

  /** Records a step's verdict (ok when actual is expected) and prints it at once. */
  verdict(
    step: string,
    expected: string,
    actual: string,
    options: { detail?: string; links?: Verdict['links']; skipped?: boolean } = {},
  ): Verdict {
    const v: Verdict = {
      step,
      expected,
      actual,
      status: options.skipped ? 'skipped' : expected === actual ? 'ok' : 'bad',
      detail: options.detail ?? '',
      links: options.links ?? [],
    };
    this.verdicts.push(v);
    console.log(`   ${line(v)}`);
    return v;
  }

  failed(): Verdict[] {
    return this.verdicts.filter((v) => v.status === 'bad');
  }

  writeIndex(): string {
    const file = join(this.out, 'index.html');
    mkdirSync(this.out, { recursive: true });
    writeFileSync(file, indexPage(this.verdicts as IndexEntry[], this.notes));
    return file;
  }

  /** One line per step: mark, step, expected and actual verdict (details left to the lines printed before). */
  report(): string {
    const width = Math.max(...this.verdicts.map((v) => v.step.length), 4);
    const expectedWidth = Math.max(...this.verdicts.map((v) => v.expected.length), 8);
    return [
      `${'    '} ${'step'.padEnd(width)}  ${'expected'.padEnd(expectedWidth)}  actual`,
      ...this.verdicts.map(
        (v) => `${MARK[v.status]} ${v.step.padEnd(width)}  ${v.expected.padEnd(expectedWidth)}  ${v.actual}`,
      ),
    ].join('\n');
  }
}

const MARK = { ok: 'ok  ', bad: 'FAIL', skipped: 'skip' } as const;

function line(v: Verdict): string {
  return `${MARK[v.status]} ${v.step}: ${v.status === 'skipped' ? 'skipped' : v.actual}${v.status === 'bad' ? ` (expected ${v.expected})` : ''}${v.detail ? ` · ${v.detail}` : ''}`;
}
