import { type Kysely, sql } from "kysely";
import { type HistoryRange, rangeWindow } from "./history-range";
import { readWithoutJit } from "./history-read";
import type { HistoryQuery } from "./online-history";
import type { Database } from "./schema";

/** A user who left and came back within this long flapped: the others saw a leave and a join for nothing. */
export const FLAP_MS = 10_000;

/** The most rooms a site-wide quality report lists. */
const MAX_ROOMS = 50;

/**
 * How long leaves took to reach the others (ms), as the rooms measured
 * them: the median and the 95th percentile of `count` measurements, null
 * without any.
 *
 * @example
 * const leave: LeaveTimes = { count: 40, p50: 1_520, p95: 5_030 };
 */
export interface LeaveTimes {
  count: number;
  p50: number | null;
  p95: number | null;
}

/**
 * What went wrong with presence in one room (or the site) over a range.
 *
 * @example
 * const q: QualityCounts = { flaps: 12, vanished: 0, restarts: 1, leave: { count: 3, p50: 1_500, p95: 1_600 } };
 */
export interface QualityCounts {
  /** Leaves followed by the same user's return within {@link FLAP_MS}, counted at the leave. */
  flaps: number;
  /** Stays ended by a prune (`stale`, `pruned`): gone without a goodbye. */
  vanished: number;
  /** New generations of a room that had one before: the room restarted. */
  restarts: number;
  leave: LeaveTimes;
}

/**
 * Presence quality over a range: the totals, and per room those with a
 * flap, a vanished stay or a restart (the most first, at most 50).
 *
 * @example
 * const { flaps, rooms } = await store.presenceQuality({ range: "hour" });
 * rooms[0]; // { room: "stage", flaps: 12, vanished: 0, restarts: 0, leave: { count: 30, p50: 1_510, p95: 1_980 } }
 */
export interface PresenceQuality extends QualityCounts {
  range: HistoryRange;
  /** The room, or null for the whole site. */
  room: string | null;
  from: Date;
  to: Date;
  rooms: (QualityCounts & { room: string })[];
}

/**
 * Flaps, vanished stays, time to leave and restarts over a range, from the
 * session history and the generations the receiver saw: three grouped
 * reads, each giving every room's figures and the total at once.
 */
export async function presenceQuality(db: Kysely<Database>, query: HistoryQuery, now: Date): Promise<PresenceQuality> {
  const window = rangeWindow(query.range, now);
  const room = query.room ?? null;
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  const inRoom = sql<boolean>`(${room}::text is null or s.room = ${room})`;

  // A stay is a return after a leave when the user's earlier stays in the room (by join
  // time) all ended before it began, and the latest of them ended at most FLAP_MS before.
  const flaps = sql<{ room: string | null; flaps: number }>`
    with stays as (
      select s.room, s.joined_at, max(coalesce(s.left_at, 'infinity'::timestamptz)) over (
          partition by s.room, s.user_id order by s.joined_at, s.id
          rows between unbounded preceding and 1 preceding) as covered_until
      from herenow_sessions s
      where s.user_id is not null and ${inRoom}
        and s.joined_at < ${to}::timestamptz + ${FLAP_MS}::int * interval '1 millisecond'
        and (s.left_at is null or s.left_at >= ${from}::timestamptz)
    )
    select room, count(*)::int as flaps from stays
    where joined_at > covered_until
      and joined_at <= covered_until + ${FLAP_MS}::int * interval '1 millisecond'
      and covered_until >= ${from}::timestamptz and covered_until < ${to}::timestamptz
    group by grouping sets ((room), ())`;

  const ends = sql<{ room: string | null; vanished: number; count: number; p50: number | null; p95: number | null }>`
    select s.room,
      count(*) filter (where s.end_reason in ('stale', 'pruned'))::int as vanished,
      count(s.leave_ms)::int as count,
      percentile_cont(0.5) within group (order by s.leave_ms) as p50,
      percentile_cont(0.95) within group (order by s.leave_ms) as p95
    from herenow_sessions s
    where s.left_at >= ${from}::timestamptz and s.left_at < ${to}::timestamptz
      and s.joined_at < ${to}::timestamptz and ${inRoom}
    group by grouping sets ((s.room), ())`;

  const restarts = sql<{ room: string | null; restarts: number }>`
    select s.room, count(*)::int as restarts from herenow_generations s
    where s.previous is not null and s.seen_at >= ${from}::timestamptz and s.seen_at < ${to}::timestamptz
      and ${inRoom}
    group by grouping sets ((s.room), ())`;

  const [flapRows, endRows, restartRows] = await readWithoutJit(db, async (trx) => [
    await flaps.execute(trx),
    await ends.execute(trx),
    await restarts.execute(trx),
  ]);
  const byRoom = new Map<string | null, QualityCounts>();
  const counts = (name: string | null): QualityCounts => {
    let found = byRoom.get(name);
    if (!found) {
      found = { flaps: 0, vanished: 0, restarts: 0, leave: { count: 0, p50: null, p95: null } };
      byRoom.set(name, found);
    }
    return found;
  };
  for (const row of flapRows.rows) counts(row.room).flaps = Number(row.flaps);
  for (const row of restartRows.rows) counts(row.room).restarts = Number(row.restarts);
  for (const row of endRows.rows) {
    const c = counts(row.room);
    c.vanished = Number(row.vanished);
    c.leave = { count: Number(row.count), p50: roundedMs(row.p50), p95: roundedMs(row.p95) };
  }
  const total = counts(null);
  const rooms = [...byRoom]
    .flatMap(([name, c]) => (name !== null && c.flaps + c.vanished + c.restarts > 0 ? [{ room: name, ...c }] : []))
    .sort((a, b) => b.flaps + b.vanished + b.restarts - (a.flaps + a.vanished + a.restarts) || cmp(a.room, b.room))
    .slice(0, MAX_ROOMS);
  return { range: window.range, room, from: window.from, to: window.to, ...total, rooms };
}

function roundedMs(value: number | string | null): number | null {
  return value === null ? null : Math.round(Number(value));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
