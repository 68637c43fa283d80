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
// one before it: a row with a previous generation is a restart. The room row
// keeps only the current generation, and batch ids are forgotten after a
// day, so without it a week of restarts could not be counted. It gains a row
// per room start, never per join or leave.

/** Adds herenow_sessions.leave_ms and creates herenow_generations. */
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
    .addPrimaryKeyConstraint("herenow_generations_pkey", ["room", "generation"])
    .execute();
  await db.schema.createIndex("herenow_generations_seen_at_idx").on("herenow_generations").column("seen_at").execute();
}

/** Drops both: rooms' restarts and leave times are no longer kept. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("herenow_generations").execute();
  await db.schema.alterTable("herenow_sessions").dropColumn("leave_ms").execute();
}
