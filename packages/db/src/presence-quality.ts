import { type Kysely, sql } from "kysely";
import { forgetOldSteps, keptAt, settledSteps, settledUntil, stepsToCount } from "./history-keep";
import { type HistoryRange, type RangeWindow, rangeWindow } from "./history-range";
import { readWithoutJit } from "./history-read";
import { addLeaves, emptyLeaves, leaveBucket, leaveTimes } from "./leave-buckets";
import { type HistoryQuery, msFromStart } from "./online-history";
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
  /**
   * New generations of a room that had one before and ended stays that were
   * open: the room restarted and people were lost. A room woken with nobody
   * in it, or whose new run took everyone back, starts a generation that is
   * no restart (decision 27).
   */
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
 * session history and the generations the receiver saw. Flaps, vanished
 * stays and leave-time histograms add up step by step, so the whole site
 * keeps its settled steps (history-keep.ts) and counts only the others;
 * one room, and the leave times of the rooms the site lists, are counted
 * afresh. Restarts are always counted afresh: a generation is written when
 * it is seen, never late, and there are few.
 */
export async function presenceQuality(db: Kysely<Database>, query: HistoryQuery, now: Date): Promise<PresenceQuality> {
  const window = rangeWindow(query.range, now);
  const room = query.room ?? null;
  return readWithoutJit(db, async (trx) => {
    const restarts = await countRestarts(trx, window, room);
    if (room !== null) {
      const counted = await countSteps(trx, window, [room]);
      const leaves = emptyLeaves();
      for (const step of counted.site.values()) addLeaves(leaves, step.leaves);
      const total = sumSteps(counted.site.values());
      const counts = { ...total, restarts: restarts.get(room) ?? 0, leave: leaveTimes(leaves) };
      const rooms = counts.flaps + counts.vanished + counts.restarts > 0 ? [{ room, ...counts }] : [];
      return { range: window.range, room, from: window.from, to: window.to, ...counts, rooms };
    }
    const site = await siteSteps(trx, window, now);
    const leaves = emptyLeaves();
    for (const step of site.steps.values()) addLeaves(leaves, step.leaves);
    const total = sumSteps(site.steps.values());
    const troubled = new Map<string, { flaps: number; vanished: number; restarts: number }>();
    const trouble = (name: string) => entry(troubled, name, () => ({ flaps: 0, vanished: 0, restarts: 0 }));
    for (const row of site.rooms) {
      const t = trouble(row.room);
      t.flaps += row.flaps;
      t.vanished += row.vanished;
    }
    for (const [name, n] of restarts) trouble(name).restarts = n;
    const listed = [...troubled]
      .map(([name, t]) => ({ room: name, ...t }))
      .sort((a, b) => b.flaps + b.vanished + b.restarts - (a.flaps + a.vanished + a.restarts) || cmp(a.room, b.room))
      .slice(0, MAX_ROOMS);
    const roomLeaves = await keptLeaves(
      trx,
      window,
      site.keptUntil,
      listed.map((r) => r.room),
    );
    const listedRooms = new Set(listed.map((r) => r.room));
    for (const row of site.leaves) {
      if (listedRooms.has(row.room)) {
        const leaves = entry(roomLeaves, row.room, emptyLeaves);
        leaves[row.bucket] = (leaves[row.bucket] ?? 0) + row.measured;
      }
    }
    const rooms = listed.map((r) => ({ ...r, leave: leaveTimes(roomLeaves.get(r.room) ?? []) }));
    let restartTotal = 0;
    for (const n of restarts.values()) restartTotal += n;
    return {
      range: window.range,
      room,
      from: window.from,
      to: window.to,
      ...total,
      restarts: restartTotal,
      leave: leaveTimes(leaves),
      rooms,
    };
  });
}

/** One step's figures: flaps, vanished stays and the leave-time histogram. */
interface StepQuality {
  flaps: number;
  vanished: number;
  leaves: number[];
}

/** How many of a room's leaves in one step fell in one bucket. */
interface RoomLeaves {
  at: number;
  room: string;
  bucket: number;
  measured: number;
}

/** A room's flaps and vanished stays (over kept steps, or in one step). */
interface RoomCounts {
  room: string;
  flaps: number;
  vanished: number;
}

/** A room's flaps and vanished stays in one step. */
interface RoomStep extends RoomCounts {
  at: number;
}

function sumSteps(steps: Iterable<StepQuality>): { flaps: number; vanished: number } {
  let flaps = 0;
  let vanished = 0;
  for (const step of steps) {
    flaps += step.flaps;
    vanished += step.vanished;
  }
  return { flaps, vanished };
}

/**
 * The site's steps: the kept ones as kept, the rest counted, and those that
 * settled kept. A flap is counted at the leave but needs the return, up to
 * FLAP_MS later, so a step keeps only once that much more has settled.
 */
async function siteSteps(
  trx: Kysely<Database>,
  window: RangeWindow,
  now: Date,
): Promise<{ steps: Map<number, StepQuality>; rooms: RoomCounts[]; leaves: RoomLeaves[]; keptUntil: Date }> {
  const settled = await settledUntil(trx, now);
  const inWindow = <T extends "herenow_quality_steps" | "herenow_quality_rooms">(table: T) =>
    trx
      .selectFrom(table as "herenow_quality_steps")
      .where("step_ms", "=", window.stepMs)
      .where("at", ">=", window.from)
      .where("at", "<", window.to);
  const keptSteps = await inWindow("herenow_quality_steps").select(["at", "flaps", "vanished", "leaves"]).execute();
  const steps = new Map(
    keptSteps.map((row) => [
      keptAt(row.at),
      { flaps: row.flaps, vanished: row.vanished, leaves: row.leaves.map(Number) },
    ]),
  );
  const part = stepsToCount(window, new Set(steps.keys()));
  const keptUntil = part ? part.from : window.to;
  const keptRooms = await trx
    .selectFrom("herenow_quality_rooms")
    .select((eb) => ["room", eb.fn.sum<number>("flaps").as("flaps"), eb.fn.sum<number>("vanished").as("vanished")])
    .where("step_ms", "=", window.stepMs)
    .where("at", ">=", window.from)
    .where("at", "<", keptUntil)
    .groupBy("room")
    .execute();
  const rooms: RoomCounts[] = keptRooms.map((row) => ({
    room: row.room,
    flaps: Number(row.flaps),
    vanished: Number(row.vanished),
  }));
  if (!part) return { steps, rooms, leaves: [], keptUntil };
  const counted = await countSteps(trx, part, null);
  const keep = new Set(settledSteps(part, settled, FLAP_MS));
  const keepSteps = [...keep].map((at) => {
    const step = counted.site.get(at) ?? { flaps: 0, vanished: 0, leaves: emptyLeaves() };
    return {
      step_ms: window.stepMs,
      at: new Date(at),
      flaps: step.flaps,
      vanished: step.vanished,
      leaves: step.leaves,
    };
  });
  const keepRooms = counted.rooms.filter((r) => keep.has(r.at));
  const keepLeaves = counted.leaves.filter((r) => keep.has(r.at));
  if (keepSteps.length > 0) {
    // rooms first: a step is kept (and its rooms read) only once its site row is there
    const column = <T>(rows: readonly T[], of: (row: T) => unknown) => rows.map(of);
    await sql`insert into herenow_quality_rooms (step_ms, at, room, flaps, vanished)
      select ${window.stepMs}::int, to_timestamp(a / 1000.0), r, f, v
      from unnest(${column(keepRooms, (r) => r.at)}::float8[], ${column(keepRooms, (r) => r.room)}::text[],
        ${column(keepRooms, (r) => r.flaps)}::int[], ${column(keepRooms, (r) => r.vanished)}::int[]) as k(a, r, f, v)
      on conflict do nothing`.execute(trx);
    await sql`insert into herenow_quality_leaves (step_ms, room, at, bucket, measured)
      select ${window.stepMs}::int, r, to_timestamp(a / 1000.0), b, m
      from unnest(${column(keepLeaves, (r) => r.room)}::text[], ${column(keepLeaves, (r) => r.at)}::float8[],
        ${column(keepLeaves, (r) => r.bucket)}::int[], ${column(keepLeaves, (r) => r.measured)}::int[]) as k(r, a, b, m)
      on conflict do nothing`.execute(trx);
    await trx
      .insertInto("herenow_quality_steps")
      .values(keepSteps.map((row) => ({ ...row, leaves: sql<number[]>`${row.leaves}::int[]` })))
      .onConflict((oc) => oc.columns(["step_ms", "at"]).doNothing())
      .execute();
    // the window moved on by a step or more: what it left behind is shown no more
    await forgetOldSteps(trx, "herenow_quality_steps", window);
    await forgetOldSteps(trx, "herenow_quality_rooms", window);
    await forgetOldSteps(trx, "herenow_quality_leaves", window);
  }
  for (const [at, step] of counted.site) steps.set(at, step);
  return { steps, rooms: [...rooms, ...counted.rooms], leaves: counted.leaves, keptUntil };
}

/** The rooms filter of the reads below: `rooms` null for every room. */
function inRooms(rooms: readonly string[] | null) {
  return sql<boolean>`(${rooms}::text[] is null or s.room = any(${rooms}::text[]))`;
}

/**
 * Flaps, vanished stays and leave histograms per step of `window` (keyed by
 * the step's start in ms), for these rooms or (null) every room: the sum
 * over the rooms per step, and each room's flaps and vanished per step.
 */
async function countSteps(
  trx: Kysely<Database>,
  window: RangeWindow,
  rooms: readonly string[] | null,
): Promise<{ site: Map<number, StepQuality>; rooms: RoomStep[]; leaves: RoomLeaves[] }> {
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  // A stay is a return after a leave when the user's earlier stays in the room (by join
  // time) all ended before it began, and the latest of them ended at most FLAP_MS before.
  const flaps = await sql<{ room: string; step: number; flaps: number }>`
    with stays as (
      select s.room, s.joined_at, max(coalesce(s.left_at, 'infinity'::timestamptz)) over (
          partition by s.room, s.user_id order by s.joined_at, s.id
          rows between unbounded preceding and 1 preceding) as covered_until
      from herenow_sessions s
      where s.user_id is not null and ${inRooms(rooms)}
        and s.joined_at < ${to}::timestamptz + ${FLAP_MS}::int * interval '1 millisecond'
        and (s.left_at is null or s.left_at >= ${from}::timestamptz)
    )
    select room, (${msFromStart(window, "covered_until")} / ${window.stepMs}::bigint)::int as step,
      count(*)::int as flaps
    from stays
    where joined_at > covered_until
      and joined_at <= covered_until + ${FLAP_MS}::int * interval '1 millisecond'
      and covered_until >= ${from}::timestamptz and covered_until < ${to}::timestamptz
    group by 1, 2`.execute(trx);
  const ends = await sql<{ room: string; step: number; bucket: number | null; vanished: number; measured: number }>`
    select s.room, (${msFromStart(window, "left_at")} / ${window.stepMs}::bigint)::int as step,
      ${leaveBucket()} as bucket,
      count(*) filter (where s.end_reason in ('stale', 'pruned'))::int as vanished,
      count(s.leave_ms)::int as measured
    from herenow_sessions s
    where s.left_at >= ${from}::timestamptz and s.left_at < ${to}::timestamptz
      and s.joined_at < ${to}::timestamptz and ${inRooms(rooms)}
    group by 1, 2, 3`.execute(trx);
  const site = new Map<number, StepQuality>();
  const byRoom = new Map<string, RoomStep>();
  const leaves: RoomLeaves[] = [];
  const stepAt = (step: number) => window.from.getTime() + Number(step) * window.stepMs;
  const siteStep = (at: number) => entry(site, at, () => ({ flaps: 0, vanished: 0, leaves: emptyLeaves() }));
  const roomStep = (room: string, at: number) =>
    entry(byRoom, `${at} ${room}`, () => ({ at, room, flaps: 0, vanished: 0 }));
  for (const row of flaps.rows) {
    const at = stepAt(row.step);
    siteStep(at).flaps += Number(row.flaps);
    roomStep(row.room, at).flaps += Number(row.flaps);
  }
  for (const row of ends.rows) {
    const at = stepAt(row.step);
    const step = siteStep(at);
    step.vanished += Number(row.vanished);
    if (row.bucket !== null)
      leaves.push({ at, room: row.room, bucket: Number(row.bucket), measured: Number(row.measured) });
    if (row.bucket !== null)
      step.leaves[Number(row.bucket)] = (step.leaves[Number(row.bucket)] ?? 0) + Number(row.measured);
    if (Number(row.vanished) > 0) roomStep(row.room, at).vanished += Number(row.vanished);
  }
  return { site, rooms: [...byRoom.values()], leaves };
}

/** Each of these rooms' leave-time histogram over the kept steps of the window (before `keptUntil`). */
async function keptLeaves(
  trx: Kysely<Database>,
  window: RangeWindow,
  keptUntil: Date,
  rooms: readonly string[],
): Promise<Map<string, number[]>> {
  const byRoom = new Map<string, number[]>();
  if (rooms.length === 0) return byRoom;
  const rows = await trx
    .selectFrom("herenow_quality_leaves")
    .select((eb) => ["room", "bucket", eb.fn.sum<number>("measured").as("measured")])
    .where("step_ms", "=", window.stepMs)
    .where("room", "in", rooms)
    .where("at", ">=", window.from)
    .where("at", "<", keptUntil)
    .groupBy(["room", "bucket"])
    .execute();
  for (const row of rows) entry(byRoom, row.room, emptyLeaves)[Number(row.bucket)] = Number(row.measured);
  return byRoom;
}

/** Restarts (new generations that lost someone) per room over the window (a room with none is absent). */
async function countRestarts(
  trx: Kysely<Database>,
  window: RangeWindow,
  room: string | null,
): Promise<Map<string, number>> {
  const rows = await sql<{ room: string; restarts: number }>`
    select s.room, count(*)::int as restarts from herenow_generations s
    where s.previous is not null and s.lost > 0
      and s.seen_at >= ${window.from.toISOString()}::timestamptz and s.seen_at < ${window.to.toISOString()}::timestamptz
      and (${room}::text is null or s.room = ${room})
    group by 1`.execute(trx);
  return new Map(rows.rows.map((row) => [row.room, Number(row.restarts)]));
}

/** The value of `key`, added from `make()` when absent. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
