/**
 * Cumulative histograms as Prometheus keeps them (`_bucket{le}` counts of observations ≤ le, up to +Inf), and
 * the two readings the quantile test needs: a quantile (as PromQL's histogram_quantile computes it) and the
 * number of observations above a value (the same linear interpolation within a bucket, read the other way).
 */

/** Cumulative counts by upper bound; the +Inf bucket holds the total. */
export type Buckets = ReadonlyMap<number, number>;

export function addBuckets(a: Buckets, b: Buckets): Map<number, number> {
  const sum = new Map(a);
  for (const [le, count] of b) sum.set(le, (sum.get(le) ?? 0) + count);
  return sum;
}

/** Sorted [le, count] pairs with counts made monotonic (as Prometheus fixes small violations). */
function sorted(buckets: Buckets): [number, number][] {
  const entries = [...buckets.entries()].sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < entries.length; i++)
    if (entries[i]![1] < entries[i - 1]![1]) entries[i]![1] = entries[i - 1]![1];
  return entries;
}

export function histogramTotal(buckets: Buckets): number {
  return buckets.get(Infinity) ?? 0;
}

/**
 * The φ-quantile as PromQL's histogram_quantile computes it: linear interpolation within the bucket, the lower
 * bound of the first bucket taken as 0 (for a positive upper bound), the +Inf bucket answered with the upper
 * bound of the bucket below. NaN with no observations or no +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: Buckets): number {
  const entries = sorted(buckets);
  if (entries.length < 2 || entries.at(-1)![0] !== Infinity) return NaN;
  const total = entries.at(-1)![1];
  if (!(total > 0)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * total;
  let i = entries.findIndex(([, count]) => count >= rank);
  if (i === entries.length - 1) return entries[entries.length - 2]![0];
  if (i < 0) i = entries.length - 1;
  const [upper, count] = entries[i]!;
  if (i === 0 && upper <= 0) return upper;
  const [lowerBound, lowerCount] = i === 0 ? [0, 0] : entries[i - 1]!;
  const inBucket = count - lowerCount;
  if (inBucket <= 0) return upper;
  return lowerBound + (upper - lowerBound) * ((rank - lowerCount) / inBucket);
}

/**
 * Observations above `x`, with observations spread evenly within their bucket (the assumption
 * histogram_quantile makes). Above the highest finite bound nothing is known: the +Inf bucket's observations
 * count as being at that bound, as histogram_quantile answers them.
 */
export function countAbove(buckets: Buckets, x: number): number {
  const entries = sorted(buckets);
  if (entries.length < 2) return 0;
  const total = entries.at(-1)![1];
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of entries) {
    if (le === Infinity) return 0; // x is at or above the highest finite bound
    if (x < le) {
      const below =
        x <= lowerBound
          ? lowerCount
          : lowerCount + ((count - lowerCount) * (x - lowerBound)) / (le - lowerBound);
      return Math.max(0, total - below);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return 0;
}
