import { type Kysely, sql } from "kysely";

// Batch ids are `<generation>:<seq>` and generations are random per room, so
// ids of two rooms should never meet; keyed by room they cannot, and a
// collision would otherwise drop a batch as a "duplicate". The applied_at
// index serves pruneBatches, which runs over a table that gains a row per
// batch (keep-alives included).

/** Keys herenow_batches by (room, id) and indexes applied_at. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table herenow_batches drop constraint herenow_batches_pkey`.execute(db);
  await sql`alter table herenow_batches add constraint herenow_batches_pkey primary key (room, id)`.execute(db);
  await db.schema.createIndex("herenow_batches_applied_at_idx").on("herenow_batches").column("applied_at").execute();
}

/** Back to ids unique across rooms, keeping one row of any id two rooms share. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("herenow_batches_applied_at_idx").execute();
  await sql`delete from herenow_batches a using herenow_batches b where a.id = b.id and a.room > b.room`.execute(db);
  await sql`alter table herenow_batches drop constraint herenow_batches_pkey`.execute(db);
  await sql`alter table herenow_batches add constraint herenow_batches_pkey primary key (id)`.execute(db);
}
