import { sql } from "kysely";

/**
 * Times to leave are counted in buckets so that a range's percentiles can be
 * read from the sum of its steps' counts (percentiles of steps cannot be
 * merged). Bucket 0 holds 0 ms; bucket b ≥ 1 holds [RATIO^(b-1), RATIO^b) ms
 * and reads as its geometric middle, so a percentile is within 2.5% of the
 * measured one. The last bucket also takes anything longer (about 100 min).
 */
const RATIO = 1.05;

/** How many buckets a histogram has. */
const LEAVE_BUCKETS = 320;

/** The bucket of `s.leave_ms`, in SQL (null stays null). */
export function leaveBucket() {
  return sql<number>`(case when s.leave_ms < 1 then 0
    else least(${LEAVE_BUCKETS - 1}::int, floor(ln(s.leave_ms) / ln(${RATIO}::float8))::int + 1) end)`;
}

/** An empty histogram. @example emptyLeaves().length // 320 */
export function emptyLeaves(): number[] {
  return new Array<number>(LEAVE_BUCKETS).fill(0);
}

/** Adds `from` into `into`, bucket by bucket. @example addLeaves(total, step.leaves) */
export function addLeaves(into: number[], from: readonly number[]): void {
  for (let b = 0; b < from.length; b++) into[b] = (into[b] ?? 0) + Number(from[b] ?? 0);
}

/**
 * The count, median and 95th percentile (nearest rank) of a histogram, in
 * whole ms, null without any measurement.
 *
 * @example
 * leaveTimes(histogram); // { count: 5, p50: 1_472, p95: 4_325 }
 */
export function leaveTimes(histogram: readonly number[]): { count: number; p50: number | null; p95: number | null } {
  const count = histogram.reduce((sum, n) => sum + n, 0);
  if (count === 0) return { count, p50: null, p95: null };
  const at = (fraction: number) => {
    const rank = Math.max(1, Math.ceil(fraction * count));
    let seen = 0;
    for (let b = 0; b < histogram.length; b++) {
      seen += histogram[b] ?? 0;
      if (seen >= rank) return b === 0 ? 0 : Math.round(RATIO ** (b - 0.5));
    }
    return Math.round(RATIO ** (histogram.length - 0.5));
  };
  return { count, p50: at(0.5), p95: at(0.95) };
}
