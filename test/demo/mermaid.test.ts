/**
 * The demo's Mermaid xychart renderer (scripts/demo/mermaid.ts) on the charts the actions emit (job summaries the
 * demo wrote, kept in fixtures/), and the HTML page around them (scripts/demo/html.ts).
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summaryToHtml } from '../../scripts/demo/html.js';
import { parseXyChart, renderXyChartSvg } from '../../scripts/demo/mermaid.js';
import { elements, parseHtml } from '../support/markdown-dom.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** The bodies of the ```mermaid blocks of a Markdown text. */
function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

function points(svg: string): { x: number; y: number }[][] {
  return elements(parseHtml(svg), 'polyline').map((p) =>
    p.attrs
      .find((a) => a.name === 'points')!
      .value.split(' ')
      .map((pair) => {
        const [x, y] = pair.split(',').map(Number);
        return { x: x!, y: y! };
      }),
  );
}

describe('parseXyChart', () => {
  test("reads canary-gate's chart: title, axes, two line series of one value per interval", () => {
    const [source] = mermaidBlocks(fixture('canary-gate-summary.md'));
    const chart = parseXyChart(source!);
    expect(chart.title).toBe('http-error-rate: canary (first line) vs baseline (second line)');
    expect(chart.xLabel).toBe('interval');
    expect(chart.yLabel).toBe('failure rate (%)');
    expect(chart.series.map((s) => s.kind)).toEqual(['line', 'line']);
    expect(chart.series[0]!.values).toHaveLength(chart.categories.length);
  });

  test("reads failover-check's drill chart: quoted categories, a y range, a bar series", () => {
    const [source] = mermaidBlocks(fixture('failover-drill-summary.md'));
    const chart = parseXyChart(source!);
    expect(chart.categories[0]).toBe('0.0');
    expect(chart.yRange).toEqual({ min: 0, max: expect.any(Number) });
    expect(chart.series).toEqual([{ kind: 'bar', values: expect.any(Array) }]);
    expect(chart.series[0]!.values).toHaveLength(chart.categories.length);
  });

  test('refuses what it cannot draw, naming the line', () => {
    expect(() => parseXyChart('pie\n "a" : 1')).toThrow('not an xychart-beta chart: pie');
    expect(() => parseXyChart('xychart-beta\n  line [1, x]')).toThrow('"x" is not a number in: line [1, x]');
    expect(() => parseXyChart('xychart-beta\n  area [1]')).toThrow('unsupported line: area [1]');
  });
});

describe('renderXyChartSvg', () => {
  test('one polyline per line series, a point per value, higher values drawn higher, left to right', () => {
    const svg = renderXyChartSvg({
      title: 't',
      xLabel: 'x',
      categories: ['1', '2', '3'],
      yLabel: 'y',
      series: [
        { kind: 'line', values: [0, 5, 10] },
        { kind: 'line', values: [10, 10, 0] },
      ],
    });
    const [first, second] = points(svg);
    expect(first).toHaveLength(3);
    expect(first![0]!.x).toBeLessThan(first![1]!.x);
    expect(first![1]!.x).toBeLessThan(first![2]!.x);
    expect(first![0]!.y).toBeGreaterThan(first![1]!.y); // SVG y grows downwards
    expect(first![1]!.y).toBeGreaterThan(first![2]!.y);
    expect(second![0]!.y).toBe(first![2]!.y); // same value, same height
    expect(elements(parseHtml(svg), 'circle')).toHaveLength(6);
  });

  test('one rect per bar, as tall as its value within the y range', () => {
    const svg = renderXyChartSvg({
      title: 't',
      xLabel: 'x',
      categories: ['a', 'b'],
      yLabel: 'y',
      yRange: { min: 0, max: 100 },
      series: [{ kind: 'bar', values: [25, 100] }],
    });
    const bars = elements(parseHtml(svg), 'g')
      .filter((g) => g.attrs.some((a) => a.name === 'class' && a.value === 'series bar'))
      .flatMap((g) => elements(g, 'rect'));
    const heights = bars.map((r) => Number(r.attrs.find((a) => a.name === 'height')!.value));
    expect(heights).toHaveLength(2);
    expect(heights[1]! / heights[0]!).toBeCloseTo(4, 5);
  });
});

describe('summaryToHtml', () => {
  test('every chart of a canary-gate summary becomes an SVG with its series; the rest is GitHub Markdown', () => {
    const markdown = fixture('canary-gate-summary.md');
    const html = summaryToHtml(markdown);
    const dom = parseHtml(html);
    const svgs = elements(dom, 'svg');
    const sources = mermaidBlocks(markdown);
    expect(svgs).toHaveLength(sources.length);
    for (const source of sources) {
      const chart = parseXyChart(source);
      const lines = points(renderXyChartSvg(chart));
      expect(lines.map((l) => l.length)).toEqual(chart.series.map((s) => s.values.length));
    }
    expect(elements(dom, 'table').length).toBeGreaterThan(0);
    expect(elements(dom, 'details').length).toBe(sources.length * 2); // each metric's, and each chart's source
    expect(html).not.toContain('language-mermaid');
  });
});
