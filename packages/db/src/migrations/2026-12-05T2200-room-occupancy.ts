import { type Kysely, sql } from "kysely";

// The webhook's `occupied` and `vacated` (issue 29): the copy keeps, per
// room, since when it has had a signed-in user (null while it has none).
// Rooms that have users when the migration runs get their earliest user's
// join time, which is what a snapshot would give them.

/** Adds herenow_rooms.occupied_since, filled in for rooms with signed-in users now. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("herenow_rooms").addColumn("occupied_since", "timestamptz").execute();
  await sql`
    update herenow_rooms r set occupied_since = (
      select min(p.joined_at) from herenow_presences p where p.room = r.name and p.user_id is not null
    )`.execute(db);
}

/** Drops the column: rooms no longer say since when they are occupied. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("herenow_rooms").dropColumn("occupied_since").execute();
}
