import { type Kysely, sql } from "kysely";
import type { RangeWindow } from "./history-range";
import type { Database } from "./schema";

/**
 * How late a stay's start or end may still be written after it happened,
 * beyond what {@link settledUntil} reads from the open stays: a room's
 * webhook sends its events within a second or two, retries a failed delivery
 * at most a minute apart (webhook-outbox.ts, MAX_BACKOFF_MS) and gives each
 * try 10 s. Ten minutes covers several failed deliveries in a row; a
 * receiver down for longer gets joins and leaves that steps kept meanwhile
 * miss (documented in docs/admin.md).
 */
export const SETTLE_MS = 10 * 60_000;

/**
 * The instant before which no step can change any more. A stay still open
 * can be ended in the past: the prune ends it "stale" and a restart ends it
 * "restart" at its presence's last-seen time as readers see it, its own or
 * its room's lease (the last keep-alive) if later (presence-reads.ts),
 * however long ago that was (hours, if the prune runs daily and the room
 * died). So steps are settled only up to the oldest such time of an open
 * presence, and never within {@link SETTLE_MS} of now. A tab open all day
 * in a room whose keep-alives arrive holds the line back no further than
 * the room's last keep-alive.
 */
export async function settledUntil(db: Kysely<Database>, now: Date): Promise<Date> {
  const row = await db
    .selectFrom("herenow_presences")
    .leftJoin("herenow_rooms", "herenow_rooms.name", "herenow_presences.room")
    .select(sql<Date | null>`min(greatest(herenow_presences.last_seen_at, herenow_rooms.keepalive_at))`.as("oldest"))
    .executeTakeFirst();
  const margin = now.getTime() - SETTLE_MS;
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : margin;
  return new Date(Math.min(margin, oldest));
}

/**
 * The part of `window` a read must count: from its first step not kept to
 * its end (a kept step after a missing one is counted again, which is rare
 * and harmless), or null when every step is kept.
 */
export function stepsToCount(window: RangeWindow, kept: ReadonlySet<number>): RangeWindow | null {
  for (let step = 0; step < window.steps; step++) {
    const at = window.from.getTime() + step * window.stepMs;
    if (!kept.has(at)) return { ...window, from: new Date(at), steps: window.steps - step };
  }
  return null;
}

/** Starts of the steps of `part` that ended `lateMs` or more before `settled`: these may be kept. */
export function settledSteps(part: RangeWindow, settled: Date, lateMs = 0): number[] {
  const starts: number[] = [];
  for (let step = 0; step < part.steps; step++) {
    const at = part.from.getTime() + step * part.stepMs;
    if (at + part.stepMs + lateMs <= settled.getTime()) starts.push(at);
  }
  return starts;
}

/** `at` of a kept row as epoch ms (drivers give a Date; a string is parsed). */
export function keptAt(at: Date | string): number {
  return new Date(at).getTime();
}

/**
 * Forgets the kept steps of this size that no chart shows any more (before
 * the window's start), so the tables hold about one window per range.
 */
export async function forgetOldSteps(
  db: Kysely<Database>,
  table: "herenow_online_steps" | "herenow_quality_steps" | "herenow_quality_rooms" | "herenow_quality_leaves",
  window: RangeWindow,
): Promise<void> {
  await db
    .deleteFrom(table)
    .where("step_ms", "=", window.stepMs)
    .where("at", "<", sql<Date>`${window.from.toISOString()}::timestamptz`)
    .execute();
}
