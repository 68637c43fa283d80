import type { Kysely } from "kysely";
import type { Database } from "./schema";

/**
 * Deletes the idempotency ids of webhook batches applied before `before`;
 * resolves to how many went.
 *
 * @example
 * await removeOldBatches(db, new Date(Date.now() - 86_400_000));
 */
export async function removeOldBatches(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom("herenow_batches").where("applied_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes batch parts staged before `before` whose batch never completed (a
 * room that went away in the middle of a large snapshot); resolves to how
 * many went.
 *
 * @example
 * await removeOldParts(db, new Date(Date.now() - 86_400_000));
 */
export async function removeOldParts(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom("herenow_batch_parts").where("staged_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
