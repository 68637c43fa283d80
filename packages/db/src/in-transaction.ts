import type { Kysely } from "kysely";
import type { Database } from "./schema";

/**
 * Runs `fn` in a transaction, or inside the caller's when `db` already is
 * one: Kysely refuses nested `transaction()` calls, and a webhook batch must
 * be able to wrap many writes in one transaction.
 */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
