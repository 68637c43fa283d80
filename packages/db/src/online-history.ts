import { type Kysely, sql } from "kysely";
import { forgetOldSteps, keptAt, settledSteps, settledUntil, stepsToCount } from "./history-keep";
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
 * Online over time, from the session history: a stay counts in every step
 * it overlaps, so a visit of a few seconds still shows in its minute. Each
 * stay is spread over the steps it covers with `generate_series` over step
 * numbers worked out from its own times, so the cost follows the stays in
 * the range, not stays × steps. One room is counted afresh each time (a
 * room's range is a few hundred stays); the whole site keeps its settled
 * steps (history-keep.ts) and counts only the others.
 */
export async function onlineHistory(db: Kysely<Database>, query: HistoryQuery, now: Date): Promise<OnlineHistory> {
  const window = rangeWindow(query.range, now);
  const room = query.room ?? null;
  const byStep = await readWithoutJit(db, (trx) =>
    room === null ? siteSteps(trx, window, now) : countSteps(trx, window, room),
  );
  const points: OnlinePoint[] = [];
  for (let step = 0; step < window.steps; step++) {
    const at = window.from.getTime() + step * window.stepMs;
    const counted = byStep.get(at);
    points.push({ at: new Date(at), people: counted?.people ?? 0, connections: counted?.connections ?? 0 });
  }
  return { range: window.range, room, from: window.from, to: window.to, stepMs: window.stepMs, points };
}

type StepCounts = Map<number, { people: number; connections: number }>;

/** The site's steps: the kept ones as kept, the rest counted, and those of them that settled kept. */
async function siteSteps(trx: Kysely<Database>, window: RangeWindow, now: Date): Promise<StepCounts> {
  const settled = await settledUntil(trx, now);
  const kept = await trx
    .selectFrom("herenow_online_steps")
    .select(["at", "people", "connections"])
    .where("step_ms", "=", window.stepMs)
    .where("at", ">=", window.from)
    .where("at", "<", window.to)
    .execute();
  const byStep: StepCounts = new Map(kept.map((row) => [keptAt(row.at), row]));
  const part = stepsToCount(window, new Set(byStep.keys()));
  if (!part) return byStep;
  const counted = await countSteps(trx, part, null);
  const keep = settledSteps(part, settled).map((at) => ({
    step_ms: window.stepMs,
    at: new Date(at),
    people: counted.get(at)?.people ?? 0,
    connections: counted.get(at)?.connections ?? 0,
  }));
  if (keep.length > 0) {
    await trx
      .insertInto("herenow_online_steps")
      .values(keep)
      .onConflict((oc) => oc.columns(["step_ms", "at"]).doNothing())
      .execute();
    // the window moved on by a step or more: what it left behind is shown no more
    await forgetOldSteps(trx, "herenow_online_steps", window);
  }
  for (const [at, counts] of counted) byStep.set(at, counts);
  return byStep;
}

/** People and connections per step of `window` (keyed by the step's start in ms), from the stays. */
async function countSteps(trx: Kysely<Database>, window: RangeWindow, room: string | null): Promise<StepCounts> {
  const rows = await sql<{ step: number; people: number; connections: number }>`
    select g.step, count(*)::int as connections,
      (count(distinct s.user_id) + count(*) filter (where s.user_id is null))::int as people
    from herenow_sessions s
    cross join lateral generate_series(${firstStep(window)}, ${lastStep(window)}) as g(step)
    where ${overlaps(window)} and (${room}::text is null or s.room = ${room})
    group by g.step`.execute(trx);
  return new Map(
    rows.rows.map((row) => [
      window.from.getTime() + Number(row.step) * window.stepMs,
      { people: Number(row.people), connections: Number(row.connections) },
    ]),
  );
}

/** Sessions `s` that overlap the window: joined before its end, not left by its start. */
function overlaps(window: RangeWindow) {
  return sql<boolean>`s.joined_at < ${window.to.toISOString()}::timestamptz
    and (s.left_at is null or s.left_at > ${window.from.toISOString()}::timestamptz)`;
}

/**
 * Whole milliseconds from the window's start to a timestamp column of `s`,
 * in SQL: rounded from float8 seconds to an exact bigint, so the steps below
 * are integer arithmetic (numeric is several times slower on a week of stays).
 */
export function msFromStart(window: RangeWindow, column: "joined_at" | "left_at" | "covered_until") {
  return sql`(round(date_part('epoch', ${sql.ref(column)}) * 1000)::bigint - ${window.from.getTime()}::bigint)`;
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
