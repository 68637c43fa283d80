import "server-only";
import { createDb, createPresenceStore, createWebhookHandler, type PresenceStore } from "@herenow/db";
import { attachDatabasePool } from "@vercel/functions";
import { env } from "@/env";

/** The process's database handles. */
export interface AppDatabase {
  db: ReturnType<typeof createDb>;
  store: PresenceStore;
  /** The webhook receiver for `POST /api/herenow/events`. */
  receiveEvents: (request: Request) => Promise<Response>;
}

// On globalThis, not in a module variable: Next's dev server re-evaluates
// modules on every change, and a second PGlite on the same folder would fail.
const KEY = Symbol.for("herenow.web.database");
type Holder = { [KEY]?: AppDatabase };

/**
 * The one database of this server process, opened on first use (nothing
 * connects at import, so `next build` needs no database).
 *
 * @example
 * const rooms = await database().store.listRooms();
 */
export function database(): AppDatabase {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const settings = env();
    const db = createDb({
      url: settings.databaseUrl,
      cwd: settings.repoRoot,
      // Vercel's guidance for pools on Fluid compute: a short idle timeout, and attachDatabasePool
      // keeps a suspended instance alive until idle connections closed, so none leak. It does nothing off Vercel.
      pool: { idleTimeoutMillis: 5_000 },
      onPool: (pool) => attachDatabasePool(pool),
      onPoolError: (error) => console.error("herenow: database pool error", error),
    });
    const store = createPresenceStore(db);
    holder[KEY] = {
      db,
      store,
      receiveEvents: createWebhookHandler({
        store,
        secret: settings.secret,
        // the room retries; the log says why it had to
        onError: (error) => console.error("herenow: a webhook batch could not be applied", error),
      }),
    };
  }
  return holder[KEY];
}

/** Closes the database (tests). */
export async function closeDatabase(): Promise<void> {
  const holder = globalThis as Holder;
  const current = holder[KEY];
  delete holder[KEY];
  await current?.db.destroy();
}
