/**
 * Mermaid `xychart-beta` charts drawn as inline SVG, for the subset the actions emit (src/canary/report.ts,
 * src/failover/report.ts): a `title`, an `x-axis "label" [categories]`, a `y-axis "label"` with an optional
 * `min --> max` range, and `line [...]` / `bar [...]` series. The demo's HTML pages show the charts this way, as
 * GitHub shows them, without a browser bundle.
 */

/** Text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface XyChart {
  title: string;
  xLabel: string;
  categories: string[];
  yLabel: string;
  yRange?: { min: number; max: number };
  series: { kind: 'line' | 'bar'; values: number[] }[];
}

/** Splits `1, "a, b", 3` into its items, quotes removed. */
function listItems(text: string): string[] {
  const items: string[] = [];
  const pattern = /\s*("([^"]*)"|[^,]+)\s*(?:,|$)/g;
  for (let m = pattern.exec(text); m !== null && m[0] !== ''; m = pattern.exec(text))
    items.push((m[2] ?? m[1]!).trim());
  return items;
}

function numbers(text: string, line: string): number[] {
  return listItems(text).map((item) => {
    const n = Number(item);
    if (!Number.isFinite(n)) throw new Error(`xychart: "${item}" is not a number in: ${line}`);
    return n;
  });
}

/** Parses the chart source (the body of a ```mermaid block). Throws on anything outside the subset. */
export function parseXyChart(source: string): XyChart {
  const lines = source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('%%'));
  if (lines[0] !== 'xychart-beta') throw new Error(`not an xychart-beta chart: ${lines[0] ?? '(empty)'}`);
  const chart: XyChart = { title: '', xLabel: '', categories: [], yLabel: '', series: [] };
  for (const line of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = /^title\s+"([^"]*)"$/.exec(line))) chart.title = m[1]!;
    else if ((m = /^x-axis\s+"([^"]*)"\s*\[(.*)\]$/.exec(line))) {
      chart.xLabel = m[1]!;
      chart.categories = listItems(m[2]!);
    } else if ((m = /^y-axis\s+"([^"]*)"(?:\s+(-?[\d.]+)\s*-->\s*(-?[\d.]+))?$/.exec(line))) {
      chart.yLabel = m[1]!;
      if (m[2] !== undefined) chart.yRange = { min: Number(m[2]), max: Number(m[3]) };
    } else if ((m = /^(line|bar)\s*\[(.*)\]$/.exec(line)))
      chart.series.push({ kind: m[1] as 'line' | 'bar', values: numbers(m[2]!, line) });
    else throw new Error(`xychart: unsupported line: ${line}`);
  }
  if (chart.series.length === 0) throw new Error('xychart: no series');
  return chart;
}

/** Mermaid's default xychart palette, first colours. */
export const SERIES_COLOURS = ['#3498db', '#e67e22', '#2ecc71', '#9b59b6'];

/** A rounded step for about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  return (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1) * magnitude;
}

function fmt(n: number): string {
  return Number(n.toPrecision(6)).toString();
}

/**
 * The chart as a standalone `<svg>` element: axes with ticks and labels, one `<polyline>` per line series (one
 * point per value, each also marked with a `<circle>`) and one `<rect>` per bar, a legend naming the series in
 * order.
 */
export function renderXyChartSvg(chart: XyChart): string {
  const width = 720;
  const height = 380;
  const left = 70;
  const right = 20;
  const top = 40;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const count = Math.max(chart.categories.length, ...chart.series.map((s) => s.values.length), 1);
  const all = chart.series.flatMap((s) => s.values);
  const min = chart.yRange?.min ?? Math.min(0, ...all);
  let max = chart.yRange?.max ?? Math.max(...all);
  if (!(max > min)) max = min + 1;
  const step = tickStep(max - min, 5);
  const top0 = chart.yRange ? max : Math.ceil(max / step) * step;
  const y = (v: number) => top + plotH - ((v - min) / (top0 - min)) * plotH;
  const band = plotW / count;
  const x = (i: number) => left + band * (i + 0.5);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="xychart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeHtml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="600">${escapeHtml(chart.title)}</text>`,
  );
  // y axis: grid lines and tick labels
  for (let v = min, i = 0; v <= top0 + step / 1e6 && i < 50; v += step, i++) {
    parts.push(
      `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" fill="#57606a">${fmt(v)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#24292f"/>`,
    `<line class="axis" x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#24292f"/>`,
    `<text x="16" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + plotH / 2})" fill="#24292f">${escapeHtml(chart.yLabel)}</text>`,
    `<text x="${left + plotW / 2}" y="${height - 28}" text-anchor="middle" fill="#24292f">${escapeHtml(chart.xLabel)}</text>`,
  );
  // x axis: category labels (thinned to about 20)
  const every = Math.max(1, Math.ceil(count / 20));
  chart.categories.forEach((c, i) => {
    if (i % every === 0)
      parts.push(
        `<text x="${fmt(x(i))}" y="${top + plotH + 16}" text-anchor="middle" fill="#57606a">${escapeHtml(c)}</text>`,
      );
  });
  const bars = chart.series.filter((s) => s.kind === 'bar').length;
  let barIndex = 0;
  chart.series.forEach((s, n) => {
    const colour = SERIES_COLOURS[n % SERIES_COLOURS.length]!;
    if (s.kind === 'line') {
      const points = s.values.map((v, i) => `${fmt(x(i))},${fmt(y(v))}`).join(' ');
      parts.push(
        `<polyline class="series line" data-series="${n + 1}" points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>`,
        `<g class="markers" data-series="${n + 1}" fill="${colour}">`,
        ...s.values.map(
          (v, i) =>
            `<circle cx="${fmt(x(i))}" cy="${fmt(y(v))}" r="3"><title>${escapeHtml(chart.categories[i] ?? String(i + 1))}: ${fmt(v)}</title></circle>`,
        ),
        '</g>',
      );
    } else {
      const w = (band * 0.8) / bars;
      const offset = -band * 0.4 + w * barIndex++;
      parts.push(`<g class="series bar" data-series="${n + 1}" fill="${colour}">`);
      s.values.forEach((v, i) => {
        const y0 = y(Math.max(min, 0));
        const y1 = y(v);
        parts.push(
          `<rect x="${fmt(x(i) + offset)}" y="${fmt(Math.min(y0, y1))}" width="${fmt(w)}" height="${fmt(Math.abs(y0 - y1))}"><title>${escapeHtml(chart.categories[i] ?? String(i + 1))}: ${fmt(v)}</title></rect>`,
        );
      });
      parts.push('</g>');
    }
  });
  // legend: the series in order (the titles name them "first line", "second line")
  chart.series.forEach((s, n) => {
    const lx = left + n * 140;
    const ly = height - 10;
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${SERIES_COLOURS[n % SERIES_COLOURS.length]}"/>`,
      `<text x="${lx + 18}" y="${ly + 1}" fill="#24292f">${['first', 'second', 'third', 'fourth'][n] ?? `${n + 1}th`} ${s.kind}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
