import { type Kysely, sql } from "kysely";

// The admin's charts of the whole site, kept step by step once a step can no
// longer change (issue 30): a week of a busy site is a quarter of a million
// stays, and reading them takes longer than the chart may (bench §15). A read
// counts only the steps it has not kept and keeps those that have settled
// (see history-keep.ts); no join or leave writes here.
//
// herenow_online_steps: people and connections online in one step of
// `step_ms` starting `at`, for the whole site.
// herenow_quality_steps: the site's flaps, vanished stays and a histogram of
// the rooms' measured time to leave (counts per bucket of LEAVE_BUCKETS).
// herenow_quality_rooms: the rooms that had a flap or a vanished stay in the
// step, for the site's list of rooms with trouble.
// herenow_quality_leaves: each room's time-to-leave histogram per step, one
// row per bucket that has any, so the rooms the site lists get their p50 and
// p95 without reading a week of stays (keyed by room first for that read).

/** Creates the four tables of kept steps. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("herenow_online_steps")
    .addColumn("step_ms", "integer", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("people", "integer", (c) => c.notNull())
    .addColumn("connections", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("herenow_online_steps_pkey", ["step_ms", "at"])
    .execute();
  await db.schema
    .createTable("herenow_quality_steps")
    .addColumn("step_ms", "integer", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("flaps", "integer", (c) => c.notNull())
    .addColumn("vanished", "integer", (c) => c.notNull())
    .addColumn("leaves", sql`integer[]`, (c) => c.notNull())
    .addPrimaryKeyConstraint("herenow_quality_steps_pkey", ["step_ms", "at"])
    .execute();
  await db.schema
    .createTable("herenow_quality_rooms")
    .addColumn("step_ms", "integer", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("flaps", "integer", (c) => c.notNull())
    .addColumn("vanished", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("herenow_quality_rooms_pkey", ["step_ms", "at", "room"])
    .execute();
  await db.schema
    .createTable("herenow_quality_leaves")
    .addColumn("step_ms", "integer", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("bucket", "smallint", (c) => c.notNull())
    .addColumn("measured", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("herenow_quality_leaves_pkey", ["step_ms", "room", "at", "bucket"])
    .execute();
  // for forgetting the steps a window left behind, without reading every room's
  await db.schema
    .createIndex("herenow_quality_leaves_at_idx")
    .on("herenow_quality_leaves")
    .columns(["step_ms", "at"])
    .execute();
}

/** Drops them: the next reads count every step again. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("herenow_quality_leaves").execute();
  await db.schema.dropTable("herenow_quality_rooms").execute();
  await db.schema.dropTable("herenow_quality_steps").execute();
  await db.schema.dropTable("herenow_online_steps").execute();
}
