import { type Kysely, sql } from "kysely";
import { type HistoryRange, type RangeWindow, rangeWindow } from "./history-range";
import { readWithoutJit } from "./history-read";
import type { Database } from "./schema";

/**
 * How many were online during one step: `people` counts each signed-in user
 * once however many connections they had, plus each anonymous connection;
 * `connections` counts every stay.
 *
 * @example
 * const point: OnlinePoint = { at: new Date("2026-11-28T12:00:00Z"), people: 3, connections: 4 };
 */
export interface OnlinePoint {
  /** Start of the step. */
  at: Date;
  people: number;
  connections: number;
}

/**
 * Who was online over a range, one point per step, oldest first, with no
 * step left out (a quiet step is zeros).
 *
 * @example
 * const { points, stepMs }: OnlineHistory = await store.onlineHistory({ range: "hour", room: "stage" });
 */
export interface OnlineHistory {
  range: HistoryRange;
  /** The room, or null for the whole site. */
  room: string | null;
  from: Date;
  to: Date;
  stepMs: number;
  points: OnlinePoint[];
}

/**
 * Options for `store.onlineHistory` and `store.presenceQuality`.
 *
 * @example
 * await store.onlineHistory({ range: "week", room: "lobby" } satisfies HistoryQuery);
 */
export interface HistoryQuery {
  range: HistoryRange;
  /** One room; absent or null for the whole site. */
  room?: string | null;
}

/**
 * Online over time, from the session history alone (nothing is written to
 * keep it): a stay counts in every step it overlaps, so a visit of a few
 * seconds still shows in its minute. Each stay is spread over the steps it
 * covers with `generate_series` over step numbers worked out from its own
 * times, so the cost follows the stays in the range, not stays × steps.
 */
export async function onlineHistory(db: Kysely<Database>, query: HistoryQuery, now: Date): Promise<OnlineHistory> {
  const window = rangeWindow(query.range, now);
  const room = query.room ?? null;
  const read = sql<{ step: number; people: number; connections: number }>`
    select g.step, count(*)::int as connections,
      (count(distinct s.user_id) + count(*) filter (where s.user_id is null))::int as people
    from herenow_sessions s
    cross join lateral generate_series(${firstStep(window)}, ${lastStep(window)}) as g(step)
    where ${overlaps(window)} and (${room}::text is null or s.room = ${room})
    group by g.step`;
  const rows = await readWithoutJit(db, (trx) => read.execute(trx));
  const byStep = new Map(rows.rows.map((row) => [Number(row.step), row]));
  const points: OnlinePoint[] = [];
  for (let step = 0; step < window.steps; step++) {
    const row = byStep.get(step);
    points.push({
      at: new Date(window.from.getTime() + step * window.stepMs),
      people: Number(row?.people ?? 0),
      connections: Number(row?.connections ?? 0),
    });
  }
  return { range: window.range, room, from: window.from, to: window.to, stepMs: window.stepMs, points };
}

/** Sessions `s` that overlap the window: joined before its end, not left by its start. */
export function overlaps(window: RangeWindow) {
  return sql<boolean>`s.joined_at < ${window.to.toISOString()}::timestamptz
    and (s.left_at is null or s.left_at > ${window.from.toISOString()}::timestamptz)`;
}

/**
 * Whole milliseconds from the window's start to a timestamp column of `s`,
 * in SQL: rounded from float8 seconds to an exact bigint, so the steps below
 * are integer arithmetic (numeric is several times slower on a week of stays).
 */
function msFromStart(window: RangeWindow, column: "joined_at" | "left_at") {
  return sql`(round(date_part('epoch', s.${sql.ref(column)}) * 1000)::bigint - ${window.from.getTime()}::bigint)`;
}

/** The first step session `s` overlaps (0 for a stay that began before the window). */
function firstStep(window: RangeWindow) {
  // bigint division truncates toward zero: a stay that began before the window is clamped to 0 anyway
  return sql`greatest(0, ${msFromStart(window, "joined_at")} / ${window.stepMs}::bigint)::int`;
}

/**
 * The last step session `s` overlaps: a step it left at the very start of is
 * not one. Its left_at is after the window's start (see {@link overlaps}), so
 * the ms are at least 1 and `(ms - 1) / step` is ceil(ms / step) - 1.
 */
function lastStep(window: RangeWindow) {
  const last = window.steps - 1;
  return sql`(case when s.left_at is null then ${last}::int
    else least(${last}::bigint, (${msFromStart(window, "left_at")} - 1) / ${window.stepMs}::bigint)::int end)`;
}
