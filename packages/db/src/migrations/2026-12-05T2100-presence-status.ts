import { type Kysely, sql } from "kysely";

// Protocol 1.2 gives each connection a status. The copy keeps it on the
// connection's row: `status` (a row written before this migration, or by a
// room before 1.2, is `active`) and `active_at`, the last moment the
// connection was active once it is not (null while it is active, and read as
// joined_at on a row that lacks it). A user's status and activeAt are merged
// from their rows when read, as the room merges them.

/** Adds herenow_presences.status (checked to the protocol's three values) and herenow_presences.active_at. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("herenow_presences")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("active_at", "timestamptz")
    .execute();
  await db.schema
    .alterTable("herenow_presences")
    .addCheckConstraint("herenow_presences_status_check", sql`status in ('active', 'idle', 'hidden')`)
    .execute();
}

/** Drops both columns (and the check with them): every connection reads as active again, as before 1.2. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("herenow_presences").dropColumn("active_at").dropColumn("status").execute();
}
