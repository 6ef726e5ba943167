/**
 * The demo's job-summary pages in a real browser: headless Chromium (Debian's `chromium`, installed by
 * scripts/provision.sh) loads a page made from a job summary the demo wrote (fixtures/), and
 * - its DOM (`--dump-dom`, as Chromium parsed it) has each chart as an SVG with one polyline per series and one
 *   point per interval;
 * - its screenshot has the series drawn: pixels of each series' colour, well beyond the legend's swatch.
 */
import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { summaryPage } from '../../scripts/demo/html.js';
import { parseXyChart, SERIES_COLOURS } from '../../scripts/demo/mermaid.js';
import { elements, parseHtml } from '../support/markdown-dom.js';
import { countColour, readPng } from './png.js';

const run = promisify(execFile);
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
/** The legend's swatch is 12×12 px: a drawn series has many more pixels of its colour than that. */
const SWATCH = 12 * 12;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-html-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function page(fixture: string): { file: string; markdown: string } {
  const markdown = readFileSync(join(FIXTURES, fixture), 'utf8');
  const file = join(dir, fixture.replace(/\.md$/, '.html'));
  writeFileSync(file, summaryPage({ title: fixture, context: fixture, markdown }));
  return { file, markdown };
}

const CHROMIUM = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run'];

async function chromium(args: string[]): Promise<string> {
  const { stdout } = await run(
    'chromium',
    [...CHROMIUM, `--user-data-dir=${join(dir, 'profile')}`, ...args],
    {
      timeout: 60_000,
      maxBuffer: 32 * 1024 * 1024,
    },
  );
  return stdout;
}

async function screenshot(file: string): Promise<ReturnType<typeof readPng>> {
  const png = join(dir, 'shot.png');
  await chromium(['--window-size=1100,1800', `--screenshot=${png}`, `file://${file}`]);
  return readPng(readFileSync(png));
}

describe('job-summary pages in headless Chromium', () => {
  test("canary-gate's charts are SVGs in Chromium's DOM, a polyline per series, a point per interval", async () => {
    const { file, markdown } = page('canary-gate-summary.md');
    const dom = parseHtml(await chromium(['--dump-dom', `file://${file}`]));
    const sources = [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => parseXyChart(m[1]!));
    const svgs = elements(dom, 'svg');
    expect(svgs).toHaveLength(sources.length);
    svgs.forEach((svg, i) => {
      const lines = elements(svg, 'polyline').map(
        (p) =>
          p.attrs
            .find((a) => a.name === 'points')!
            .value.trim()
            .split(/\s+/).length,
      );
      expect(lines).toEqual(sources[i]!.series.map((s) => s.values.length));
      expect(lines[0]).toBeGreaterThan(1);
    });
  }, 90_000);

  test("the drill's bar chart is drawn: the bars' colour fills far more than the legend", async () => {
    const image = await screenshot(page('failover-drill-summary.md').file);
    expect(countColour(image, SERIES_COLOURS[0]!)).toBeGreaterThan(10 * SWATCH);
  }, 90_000);

  test("the rolled-back canary's open chart is drawn: both series' points, beyond their legend swatches", async () => {
    const image = await screenshot(page('canary-gate-rollback-summary.md').file);
    const [canary, baseline] = SERIES_COLOURS.slice(0, 2).map((c) => countColour(image, c));
    expect(canary).toBeGreaterThan(SWATCH + 15);
    expect(baseline).toBeGreaterThan(SWATCH + 15);
  }, 90_000);
});
