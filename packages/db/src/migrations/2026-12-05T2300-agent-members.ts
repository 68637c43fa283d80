import type { Kysely } from "kysely";

// Members without a socket (issue 29, item 1): a room's webhook marks an agent's user with
// `kind: "agent"`, and the copy keeps it beside the user's name and info. Null for people,
// and for every row written before: rooms had no agents then.

/** Adds herenow_presences.user_kind. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("herenow_presences").addColumn("user_kind", "text").execute();
}

/** Drops the column: the copy no longer tells agents from people. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("herenow_presences").dropColumn("user_kind").execute();
}
