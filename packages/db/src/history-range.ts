/**
 * The spans the admin's charts cover, each cut in steps: the last hour per
 * minute, the last day per 10 minutes, the last week per hour.
 *
 * @example
 * const range: HistoryRange = "day";
 */
export type HistoryRange = "hour" | "day" | "week";

/** Every range, shortest first, for pickers and for checking input. */
export const HISTORY_RANGES: readonly HistoryRange[] = ["hour", "day", "week"];

const MINUTE = 60_000;

/** How long each range is and how long one of its steps. */
export const RANGE_STEPS: Record<HistoryRange, { spanMs: number; stepMs: number }> = {
  hour: { spanMs: 60 * MINUTE, stepMs: MINUTE },
  day: { spanMs: 24 * 60 * MINUTE, stepMs: 10 * MINUTE },
  week: { spanMs: 7 * 24 * 60 * MINUTE, stepMs: 60 * MINUTE },
};

/**
 * The steps of a range that ends with the step holding `now`: steps start
 * on whole multiples of the step (whole minutes, whole hours), so the
 * charts of two readers a second apart show the same points.
 */
export interface RangeWindow {
  range: HistoryRange;
  /** Start of the first step. */
  from: Date;
  /** End of the last step (the one `now` is in). */
  to: Date;
  stepMs: number;
  steps: number;
}

/**
 * The window of `range` that ends with the step holding `now`.
 *
 * @example
 * rangeWindow("hour", new Date("2026-11-28T12:00:30Z")).from; // 2026-11-28T11:01:00Z (60 steps, the last 12:00-12:01)
 */
export function rangeWindow(range: HistoryRange, now: Date): RangeWindow {
  const spec = RANGE_STEPS[range];
  if (!spec) throw new RangeError(`history: range must be one of ${HISTORY_RANGES.join(", ")}, got ${String(range)}`);
  const steps = spec.spanMs / spec.stepMs;
  const to = (Math.floor(now.getTime() / spec.stepMs) + 1) * spec.stepMs;
  return { range, from: new Date(to - spec.spanMs), to: new Date(to), stepMs: spec.stepMs, steps };
}

/** Whether a value is one of the ranges, for routes reading `?range=`. @example isHistoryRange("day") // true */
export function isHistoryRange(value: unknown): value is HistoryRange {
  return typeof value === "string" && (HISTORY_RANGES as readonly string[]).includes(value);
}
