import { type Kysely, sql } from "kysely";
import { inTransaction } from "./in-transaction";
import { PRESENCE_COLUMNS } from "./presence-reads";
import { toPresence } from "./presence-rows";
import type { Presence } from "./presence-types";
import type { Database } from "./schema";
import { closeSessions } from "./sessions";

// The writes that are not a room's events: a heartbeat's touch, the prune of
// stale presences and of empty rooms. Joins and leaves, from the store and
// from the webhook, all go through room-plan.ts and room-write.ts.

/** The rooms a connection is in, in name order (the order their locks are taken in). */
export async function roomsOfConnection(db: Kysely<Database>, connectionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("herenow_presences")
    .select("room")
    .distinct()
    .where("connection_id", "=", connectionId)
    .orderBy("room")
    .execute();
  return rows.map((row) => row.room);
}

/**
 * Refreshes one connection's last-seen time in every room, and those rooms'
 * last activity, in one statement. Returns the rooms it is in.
 */
export async function touchConnection(db: Kysely<Database>, connectionId: string, at: Date): Promise<string[]> {
  const rows = await db
    .with("touched", (qb) =>
      qb
        .updateTable("herenow_presences")
        .set({ last_seen_at: sql<Date>`greatest(last_seen_at, ${at}::timestamptz)` })
        .where("connection_id", "=", connectionId)
        .returning("room"),
    )
    .updateTable("herenow_rooms")
    .set({ last_activity_at: sql<Date>`greatest(last_activity_at, ${at}::timestamptz)` })
    .where("name", "in", (eb) => eb.selectFrom("touched").select("touched.room"))
    .returning("name")
    .execute();
  return rows.map((r) => r.name).sort();
}

/**
 * Removes presences last seen before `before`, closing their sessions as
 * "stale" at their last-seen time: that is the last moment they were known
 * to be there, so history does not keep a ghost until the prune ran. A
 * presence's room lease counts as a sighting: a room whose keep-alives
 * arrive keeps every member, whatever its row's own time.
 *
 * A room whose deliveries were held up longer than the cut-off (a receiver
 * too slow to answer, retries backing off) may still be live. So every room
 * that lost rows is marked out of step (`seq` -1): its next batch is answered
 * `out_of_sync`, the room sends a snapshot, and whoever is still there is
 * back in the copy; a room that is gone sends nothing and stays pruned.
 * The removed presences read as of `now`, the prune's time.
 */
export function removeStalePresences(db: Kysely<Database>, before: Date, now: Date): Promise<Presence[]> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .deleteFrom("herenow_presences")
      .using("herenow_rooms")
      .whereRef("herenow_rooms.name", "=", "herenow_presences.room")
      .where("herenow_presences.last_seen_at", "<", before)
      .where((eb) =>
        eb.or([eb("herenow_rooms.keepalive_at", "is", null), eb("herenow_rooms.keepalive_at", "<", before)]),
      )
      .returning(PRESENCE_COLUMNS)
      .execute();
    await closeSessions(
      trx,
      rows.map((row) => ({ room: row.room, connectionId: row.connection_id, reason: "stale", at: row.last_seen_at })),
    );
    const rooms = [...new Set(rows.map((row) => row.room))];
    if (rooms.length > 0)
      await trx.updateTable("herenow_rooms").set({ seq: OUT_OF_STEP }).where("name", "in", rooms).execute();
    return rows.map((row) => toPresence(row, now));
  });
}

/** A room's `seq` after a prune removed some of its rows: no batch follows it, so the next asks for a snapshot. */
const OUT_OF_STEP = -1;

/** Deletes rooms nobody is in; returns their names. */
export async function removeEmptyRooms(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .deleteFrom("herenow_rooms")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("herenow_presences")
            .select(sql`1`.as("one"))
            .whereRef("herenow_presences.room", "=", "herenow_rooms.name"),
        ),
      ),
    )
    .returning("name")
    .execute();
  return rows.map((r) => r.name).sort();
}
