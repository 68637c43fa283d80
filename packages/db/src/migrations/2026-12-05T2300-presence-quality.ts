import { type Kysely, sql } from "kysely";

// Presence quality on the admin page (issue 30), from what the copy already
// keeps plus two things it did not:
//
// herenow_sessions.leave_ms is the room's own measurement, sent with a
// leave's webhook event: how long after the connection's socket closed the
// others were told it left (null: no close to measure from, or a room from
// before the measurement).
//
// herenow_generations lists each run of a room the receiver saw, with the
// one before it and how many stays its first batch ended as "restart": a
// row with a previous generation that lost someone is a restart. A room woken
// with nobody in it (the admin page reading its bans, say) starts a new
// generation too, but nobody saw anything: that is no restart. The room row
// keeps only the current generation, and batch ids are forgotten after a
// day, so without it a week of restarts could not be counted. It gains a row
// per room start, never per join or leave.
//
// herenow_sessions_left_at_idx finds the stays a range overlaps (left after
// its start; the open ones come from herenow_sessions_open_idx): without it
// every chart of the whole site reads the whole history. Partial, so a join
// (left_at null) adds nothing to it; a leave adds one entry.

/** Adds herenow_sessions.leave_ms and its left_at index, and creates herenow_generations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("herenow_sessions")
    .addColumn("leave_ms", "integer", (c) => c.check(sql`leave_ms >= 0`))
    .execute();
  await db.schema
    .createTable("herenow_generations")
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("generation", "text", (c) => c.notNull())
    .addColumn("previous", "text")
    .addColumn("seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("lost", "integer", (c) => c.notNull().defaultTo(0).check(sql`lost >= 0`))
    .addPrimaryKeyConstraint("herenow_generations_pkey", ["room", "generation"])
    .execute();
  await db.schema
    .createIndex("herenow_sessions_left_at_idx")
    .on("herenow_sessions")
    .column("left_at")
    .where(sql.ref("left_at"), "is not", null)
    .execute();
  await db.schema.createIndex("herenow_generations_seen_at_idx").on("herenow_generations").column("seen_at").execute();
}

/** Drops all three: rooms' restarts and leave times are no longer kept. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("herenow_generations").execute();
  await db.schema.dropIndex("herenow_sessions_left_at_idx").execute();
  await db.schema.alterTable("herenow_sessions").dropColumn("leave_ms").execute();
}
