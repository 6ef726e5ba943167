/** Numbers and values as the canary's log lines, notes and summary show them. */

/** A value with its unit: seconds as ms below a second (`233 ms`, `1.25 s`), other units appended. */
export function formatValue(x: number, unit: string | undefined): string {
  if (!Number.isFinite(x) || unit === undefined) return formatNumber(x);
  if (unit === 's') {
    if (x !== 0 && Math.abs(x) < 1) return `${Number((x * 1000).toPrecision(3))} ms`;
    return `${Number(x.toPrecision(4))} s`;
  }
  return `${formatNumber(x)} ${unit}`;
}

/** A number with four significant digits, tiny ones in exponent form: `0.0123`, `1.2e-4`. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 0.001) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}
