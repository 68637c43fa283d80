import { type Kysely, sql } from "kysely";

// Migrations take Kysely<unknown> on purpose: they are frozen in time, while the
// Database interface in schema.ts moves on with later migrations.

/** Creates the rooms, presences, sessions and batches tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("herenow_rooms")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("generation", "text")
    .addColumn("seq", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_activity_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("herenow_presences")
    .addColumn("room", "text", (c) => c.notNull().references("herenow_rooms.name").onDelete("cascade"))
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("user_name", "text")
    .addColumn("user_info", "jsonb")
    .addColumn("joined_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("generation", "text")
    .addPrimaryKeyConstraint("herenow_presences_pkey", ["room", "connection_id"])
    .execute();
  // connection_id serves touch and leaveAll, which look a connection up in every room.
  for (const column of ["user_id", "last_seen_at", "connection_id"]) {
    await db.schema.createIndex(`herenow_presences_${column}_idx`).on("herenow_presences").column(column).execute();
  }

  await db.schema
    .createTable("herenow_sessions")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("user_name", "text")
    .addColumn("joined_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("left_at", "timestamptz")
    .addColumn("end_reason", "text")
    .addCheckConstraint(
      "herenow_sessions_end_reason_check",
      sql`end_reason in ('closed', 'left', 'stale', 'kicked', 'restart', 'pruned')`,
    )
    .execute();
  await db.schema
    .createIndex("herenow_sessions_room_joined_at_idx")
    .on("herenow_sessions")
    .columns(["room", "joined_at"])
    .execute();
  await db.schema
    .createIndex("herenow_sessions_user_id_joined_at_idx")
    .on("herenow_sessions")
    .columns(["user_id", "joined_at"])
    .execute();
  // Every leave closes the open session of (room, connection_id); keep that lookup
  // small however long the history grows.
  await db.schema
    .createIndex("herenow_sessions_open_idx")
    .on("herenow_sessions")
    .columns(["room", "connection_id"])
    .where(sql.ref("left_at"), "is", null)
    .execute();

  await db.schema
    .createTable("herenow_batches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("applied_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

/** Drops everything `up` created, children first. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["herenow_batches", "herenow_sessions", "herenow_presences", "herenow_rooms"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
