import type { Kysely } from "kysely";
import { removeOldParts } from "./batches";
import type { Presence } from "./presence-types";
import type { Database } from "./schema";
import { createPresenceStore, DEFAULT_BATCH_MAX_AGE_MS, DEFAULT_MAX_AGE_MS } from "./store";

/**
 * Options for {@link runPrune}.
 *
 * @example
 * const options: RunPruneOptions = { maxAgeMs: 60_000, rooms: true };
 */
export interface RunPruneOptions {
  /** Presences not seen for longer than this are removed. Default 60 000. */
  maxAgeMs?: number;
  /** Also delete rooms nobody is in (after the presences went). */
  rooms?: boolean;
  /** Webhook batch ids applied longer ago than this are forgotten. Default one day. */
  batchMaxAgeMs?: number;
  now?: Date;
}

/**
 * What {@link runPrune} removed.
 *
 * @example
 * const { presences, rooms }: PruneReport = await runPrune(db);
 */
export interface PruneReport {
  presences: Presence[];
  rooms: string[];
  /** How many webhook batch ids were forgotten. */
  batches: number;
  /** How many parts of large batches that never completed were dropped. */
  parts: number;
}

/**
 * One prune pass, as `herenow prune` runs it: for a cron route where no room
 * alarm prunes (django-channels-presence's `prune_presences` + `prune_rooms`
 * from celery beat). It also forgets webhook batch ids older than a day,
 * which would otherwise pile up forever, and the staged parts of large
 * batches that never completed within that time.
 *
 * @example
 * // app/api/cron/prune/route.ts
 * export async function GET() {
 *   const { presences, rooms } = await runPrune(db, { maxAgeMs: 60_000, rooms: true });
 *   return Response.json({ presences: presences.length, rooms });
 * }
 */
export async function runPrune(db: Kysely<Database>, options: RunPruneOptions = {}): Promise<PruneReport> {
  const store = createPresenceStore(db);
  const presences = await store.prunePresences({
    maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    ...(options.now ? { now: options.now } : {}),
  });
  const rooms = options.rooms ? await store.pruneRooms() : [];
  const batchMaxAgeMs = options.batchMaxAgeMs ?? DEFAULT_BATCH_MAX_AGE_MS;
  const batches = await store.pruneBatches({ maxAgeMs: batchMaxAgeMs, ...(options.now ? { now: options.now } : {}) });
  const parts = await removeOldParts(db, new Date((options.now ?? new Date()).getTime() - batchMaxAgeMs));
  return { presences, rooms, batches, parts };
}
