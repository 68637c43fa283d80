import { joinWebhookParts, type WebhookBatch, type WebhookPart } from "@herenow/core";
import { type Kysely, sql } from "kysely";
import type { BatchPartRecord, Database } from "./schema";
import {
  applyInTransaction,
  type BatchOutcome,
  decide,
  inOwnTransaction,
  ReceiverBugError,
  readRoom,
} from "./webhook-apply";

/**
 * What became of one part: `partial` while others are missing (the part is
 * kept), else the outcome of the whole batch, which the part that completes
 * it applies.
 *
 * @example
 * const outcome: PartOutcome = await applyWebhookPart(db, part, new Date());
 */
export type PartOutcome = BatchOutcome | { status: "partial"; received: number; count: number };

/**
 * Stages one part of a batch in herenow_batch_parts and, when it is the last
 * one missing, joins the parts and applies the batch in the same
 * transaction, exactly as a batch sent whole. A part is judged like its
 * batch first: one of an applied batch is `duplicate`, of an older
 * generation `stale`, and one that could not apply (a gap, no snapshot for
 * a new generation) `out_of_sync`; none of those is kept. A repeated part
 * changes nothing. Parts of the same batch under another seal (or count)
 * are an earlier cut of it that the room replaced, and are dropped.
 *
 * @example
 * const outcome = await applyWebhookPart(db, v.parse(WebhookPartSchema, body), new Date());
 */
export function applyWebhookPart(db: Kysely<Database>, part: WebhookPart, now: Date): Promise<PartOutcome> {
  return inOwnTransaction(
    db,
    (trx) => stage(trx, part, now),
    (outcome) => outcome.status === "partial" || outcome.status === "applied",
  );
}

async function stage(trx: Kysely<Database>, body: WebhookPart, now: Date): Promise<PartOutcome> {
  const { room, generation, seq, part } = body;
  // Parts of a room take turns, so two last parts arriving together cannot both find the batch incomplete.
  await sql`select pg_advisory_xact_lock(hashtext(${`herenow_batch_parts:${room}`}))`.execute(trx);
  const verdict = decide(await readRoom(trx, body), { generation, seq, snapshot: part.snapshot });
  if (verdict !== "apply") return { status: verdict };

  const ofThisBatch = trx
    .deleteFrom("herenow_batch_parts")
    .where("room", "=", room)
    .where("generation", "=", generation)
    .where("seq", "=", seq);
  await ofThisBatch.where((eb) => eb.or([eb("seal", "<>", part.seal), eb("count", "<>", part.count)])).execute();
  await trx
    .insertInto("herenow_batch_parts")
    .values({
      room,
      generation,
      seq,
      number: part.number,
      count: part.count,
      seal: part.seal,
      sent_at: body.sentAt,
      events: JSON.stringify(part.events),
      snapshot: part.snapshot ? JSON.stringify(part.snapshot) : null,
      staged_at: now,
    })
    .onConflict((oc) => oc.columns(["room", "generation", "seq", "number"]).doNothing())
    .execute();
  const { received } = await trx
    .selectFrom("herenow_batch_parts")
    .select((eb) => eb.fn.countAll().as("received"))
    .where("room", "=", room)
    .where("generation", "=", generation)
    .where("seq", "=", seq)
    .executeTakeFirstOrThrow();
  if (Number(received) < part.count) return { status: "partial", received: Number(received), count: part.count };

  // Complete: take the parts out (a rollback puts them back) and apply the batch they make.
  const rows = await ofThisBatch.returningAll().execute();
  rows.sort((a, b) => a.number - b.number);
  let batch: WebhookBatch;
  try {
    batch = joinWebhookParts(rows.map((row) => partOf(body, row)));
  } catch (error) {
    throw new ReceiverBugError(`joining the parts of ${room} ${body.id} failed: ${String(error)}`, { cause: error });
  }
  return applyInTransaction(trx, batch, now);
}

/** A staged row as the part it was, under the header of the part that completed the batch. */
function partOf(body: WebhookPart, row: BatchPartRecord): WebhookPart {
  return {
    ...body,
    sentAt: Number(row.sent_at),
    part: {
      number: row.number,
      count: row.count,
      seal: row.seal,
      events: JSON.parse(row.events),
      ...(row.snapshot === null ? {} : { snapshot: JSON.parse(row.snapshot) }),
    },
  };
}
