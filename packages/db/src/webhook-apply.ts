import type { WebhookBatch } from "@herenow/core";
import { type Kysely, sql } from "kysely";
import type { PresenceChangedEvent } from "./presence-types";
import { changeOf, planRoom, type RoomPlan } from "./room-plan";
import { iso, planWrites, rowsBefore, type WritePart, withParts } from "./room-write";
import type { Database } from "./schema";

/**
 * What became of one batch. Only `applied` wrote anything; `out_of_sync`
 * asks the room to send the same batch again with a full snapshot.
 *
 * @example
 * const outcome: BatchOutcome = await applyWebhookBatch(db, batch, new Date());
 */
export type BatchOutcome =
  | { status: "applied"; change: PresenceChangedEvent | null }
  | { status: "duplicate" | "stale" | "out_of_sync" };

/** A fault in the receiver's own logic rather than in the database: the handler answers 500, not 503. */
export class ReceiverBugError extends Error {
  override readonly name = "ReceiverBugError";
}

/** What the receiver knows of a room when a batch arrives. */
export interface RoomDelivery {
  generation: string | null;
  seq: number;
  /** The batch's id is recorded already. */
  seen: boolean;
}

/**
 * Applies one validated batch in one transaction, with the room's row locked
 * so that concurrent deliveries for a room take turns. A batch costs BEGIN,
 * the lock, one read of the rows it names and one write statement, COMMIT,
 * whatever its size; anything but `applied` rolls back and writes nothing.
 *
 * @example
 * const outcome = await applyWebhookBatch(db, v.parse(WebhookBatchSchema, body), new Date());
 */
export function applyWebhookBatch(db: Kysely<Database>, batch: WebhookBatch, now: Date): Promise<BatchOutcome> {
  return inOwnTransaction(
    db,
    (trx) => applyInTransaction(trx, batch, now),
    (outcome) => outcome.status === "applied",
  );
}

/**
 * Runs `work` in a transaction of its own, committed when `keep` says so and
 * rolled back otherwise or on any error.
 */
export async function inOwnTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
  keep: (outcome: T) => boolean,
): Promise<T> {
  const trx = await db.startTransaction().execute();
  try {
    const outcome = await work(trx);
    if (keep(outcome)) await trx.commit().execute();
    else await trx.rollback().execute();
    return outcome;
  } catch (error) {
    // Also releases the connection (for PGlite, the only one) when the database is gone.
    await trx
      .rollback()
      .execute()
      .catch(() => undefined);
    throw error;
  }
}

/**
 * Decides and applies one batch inside the caller's transaction; writes
 * nothing unless the outcome is `applied`.
 */
export async function applyInTransaction(trx: Kysely<Database>, batch: WebhookBatch, now: Date): Promise<BatchOutcome> {
  const room = await lockRoom(trx, batch, now);
  const verdict = decide(room, batch);
  if (verdict !== "apply") return { status: verdict };
  const before = await rowsBefore(trx, batch, now);
  let plan: RoomPlan;
  try {
    plan = planRoom(batch, before, now);
  } catch (error) {
    throw new ReceiverBugError(`planning batch ${batch.id} failed: ${String(error)}`, { cause: error });
  }
  // A concurrent delivery of the same batch that committed while we waited
  // for the lock shows up here as a conflict on its id.
  if (!(await write(trx, batch, plan, now, room?.generation ?? null))) return { status: "duplicate" };
  return { status: "applied", change: changeOf(batch.room, plan) };
}

/** Whether the batch's id is recorded for its room, as a column of a room query. */
function seenColumn(batch: Pick<WebhookBatch, "room" | "id">) {
  return sql<boolean>`exists (select 1 from herenow_batches where room = ${batch.room} and id = ${batch.id})`.as(
    "seen",
  );
}

/**
 * The room's generation, sequence number and whether the batch is known,
 * without a lock or creating the room: a room without a row reads as one
 * that has applied nothing yet.
 */
export async function readRoom(trx: Kysely<Database>, batch: Pick<WebhookBatch, "room" | "id">): Promise<RoomDelivery> {
  const row = await trx
    .selectFrom("herenow_rooms")
    .select(["generation", "seq", seenColumn(batch)])
    .where("name", "=", batch.room)
    .executeTakeFirst();
  return row
    ? { generation: row.generation, seq: Number(row.seq), seen: row.seen }
    : { generation: null, seq: 0, seen: false };
}

/**
 * Locks the room's row (`SELECT … FOR UPDATE`), reading its generation and
 * sequence number and whether the batch is known. A room without a row is
 * created, and locked, only for a batch that can be applied: one with a
 * snapshot. Null: no row and no snapshot.
 */
async function lockRoom(trx: Kysely<Database>, batch: WebhookBatch, now: Date): Promise<RoomDelivery | null> {
  const seen = seenColumn(batch);
  const row = await trx
    .selectFrom("herenow_rooms")
    .select(["generation", "seq", seen])
    .where("name", "=", batch.room)
    .forUpdate()
    .executeTakeFirst();
  if (row) return { generation: row.generation, seq: Number(row.seq), seen: row.seen };
  if (!batch.snapshot) return null;
  // Another delivery may create the row meanwhile: the no-op update then waits for it and locks it.
  const created = await trx
    .insertInto("herenow_rooms")
    .values({ name: batch.room, created_at: now, last_activity_at: now })
    .onConflict((oc) => oc.column("name").doUpdateSet({ seq: sql`herenow_rooms.seq` }))
    .returning(["generation", "seq", seen])
    .executeTakeFirstOrThrow();
  return { generation: created.generation, seq: Number(created.seq), seen: created.seen };
}

/**
 * Generations sort by start time as strings; sequence numbers count a
 * generation's batches from 1. Only whether `snapshot` is there matters of it.
 */
export function decide(
  room: RoomDelivery | null,
  batch: Pick<WebhookBatch, "generation" | "seq" | "snapshot">,
): "apply" | "duplicate" | "stale" | "out_of_sync" {
  if (room === null) return "out_of_sync";
  if (room.seen) return "duplicate";
  if (room.generation === null || batch.generation > room.generation) return batch.snapshot ? "apply" : "out_of_sync";
  if (batch.generation < room.generation) return "stale";
  if (batch.seq <= room.seq) return "duplicate";
  if (batch.seq === room.seq + 1 || batch.snapshot) return "apply";
  return "out_of_sync";
}

/**
 * Writes a plan as one statement: the rows and sessions as room-write.ts
 * writes them for every writer, then the room's generation, sequence number
 * and lease (a keep-alive moves the lease, not the rows), the parts staged
 * for earlier batches, and the batch id's insert last. False when the id was
 * recorded meanwhile.
 */
async function write(
  trx: Kysely<Database>,
  batch: WebhookBatch,
  plan: RoomPlan,
  now: Date,
  previous: string | null,
): Promise<boolean> {
  const room = batch.room;
  const parts: WritePart[] = [
    ...planWrites(trx, room, plan),
    ["room", roomUpdate(trx, batch, plan)],
    ...generationWrites(trx, batch, plan, previous, now),
    // Parts staged for this batch or an earlier one can never complete now.
    [
      "unstaged",
      trx
        .deleteFrom("herenow_batch_parts")
        .where("room", "=", room)
        .where((eb) =>
          eb.or([
            eb(sql`generation collate "C"`, "<", batch.generation),
            eb.and([eb("generation", "=", batch.generation), eb("seq", "<=", batch.seq)]),
          ]),
        ),
    ],
  ];
  const recorded = await withParts(trx, parts)
    .insertInto("herenow_batches")
    .values({ id: batch.id, room, applied_at: now })
    .onConflict((oc) => oc.columns(["room", "id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return recorded !== undefined;
}

/**
 * A batch that starts a generation the copy has not seen records it, with
 * the one it follows and the stays it ended as `restart` (a restart when
 * there was one before and it lost someone), for the admin's count of
 * restarts: one row per run of a room, never per event.
 */
function generationWrites(
  trx: Kysely<Database>,
  batch: WebhookBatch,
  plan: RoomPlan,
  previous: string | null,
  now: Date,
): WritePart[] {
  if (previous === batch.generation) return [];
  const lost =
    plan.closes.filter((end) => end.reason === "restart").length +
    plan.sessions.filter((stay) => stay.reason === "restart").length;
  return [
    [
      "generation",
      trx
        .insertInto("herenow_generations")
        .values({ room: batch.room, generation: batch.generation, previous, seen_at: now, lost })
        .onConflict((oc) => oc.columns(["room", "generation"]).doNothing()),
    ],
  ];
}

function roomUpdate(trx: Kysely<Database>, batch: WebhookBatch, plan: RoomPlan) {
  return trx
    .updateTable("herenow_rooms")
    .set({
      generation: batch.generation,
      seq: batch.seq,
      // greatest() skips a null: a batch without events leaves last activity alone.
      last_activity_at: sql<Date>`greatest(last_activity_at, ${iso(plan.latestAt)}::timestamptz)`,
      // A keep-alive vouches for every member in one column, however big the room.
      keepalive_at: sql<Date>`greatest(keepalive_at, ${iso(plan.keepaliveAt)}::timestamptz)`,
      ...occupiedUpdate(plan),
    })
    .where("name", "=", batch.room);
}

/** The room's `occupied_since` as the batch's `occupied`, `vacated` and snapshot leave it (nothing: unchanged). */
function occupiedUpdate(plan: RoomPlan) {
  const occupied = plan.occupied;
  if (!occupied) return {};
  const since = iso(occupied.since);
  return {
    occupied_since: occupied.keepEarlier
      ? sql<Date | null>`coalesce(occupied_since, ${since}::timestamptz)`
      : sql<Date | null>`${since}::timestamptz`,
  };
}
