import { type Kysely, sql } from "kysely";
import type { Database } from "./schema";

/**
 * Runs the reads of a chart in one transaction with PostgreSQL's JIT off.
 * A range's stays are spread over its steps with `generate_series` on
 * per-row bounds, which the planner guesses at 1,000 rows a stay: over its
 * JIT threshold even for the hour, so every read paid about half a second
 * of compiling for a few milliseconds of work (measured in bench §15).
 * PGlite has no JIT; the setting is accepted and changes nothing there.
 */
export function readWithoutJit<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    return work(trx);
  });
}
