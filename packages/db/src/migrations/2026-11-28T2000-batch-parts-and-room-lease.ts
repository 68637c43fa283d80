import { type Kysely, sql } from "kysely";

// Two things a room of tens of thousands of connections needs.
//
// herenow_batch_parts holds the parts of a batch too large for one request
// until all of them are there; the receiver then applies the batch as one and
// deletes them. Keyed by room, generation, seq and part number, so a repeated
// part lands on its own row; staged_at serves the prune of parts whose batch
// never completed. The slices stay JSON text: they are only ever read back
// whole, to be joined.
//
// herenow_rooms.keepalive_at is the room's lease: the last time its room
// vouched for every connection it had. A keep-alive moves this one column
// instead of rewriting every presence row; readers and the prune take a
// presence's last-seen time as the later of its own and its room's.

/** Creates herenow_batch_parts and adds herenow_rooms.keepalive_at. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("herenow_batch_parts")
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("generation", "text", (c) => c.notNull())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("seal", "text", (c) => c.notNull())
    .addColumn("sent_at", "bigint", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("snapshot", "text")
    .addColumn("staged_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("herenow_batch_parts_pkey", ["room", "generation", "seq", "number"])
    .execute();
  await db.schema
    .createIndex("herenow_batch_parts_staged_at_idx")
    .on("herenow_batch_parts")
    .column("staged_at")
    .execute();
  await db.schema.alterTable("herenow_rooms").addColumn("keepalive_at", "timestamptz").execute();
}

/**
 * Drops the staged parts and the lease, first writing each room's lease into
 * its rows' last-seen time so that no live presence looks stale afterwards.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update herenow_presences p set last_seen_at = r.keepalive_at
    from herenow_rooms r where r.name = p.room and r.keepalive_at > p.last_seen_at`.execute(db);
  await db.schema.alterTable("herenow_rooms").dropColumn("keepalive_at").execute();
  await db.schema.dropTable("herenow_batch_parts").execute();
}
