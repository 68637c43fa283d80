import "server-only";
import { sql } from "kysely";
import { type AppDatabase, database } from "./db";

// The web app's own tables, next to @herenow/db's in the same database. They
// hold what every server instance must agree on: which admin sessions are
// open and how many logins failed lately. Kept in the process, a logout on
// one instance would leave a copied cookie working on the others, and each
// instance would allow its own quota of guesses.

/** One open admin session; logging out deletes its row, so a copied cookie stops working at once. */
interface AdminSessionsTable {
  id: string;
  created_at: Date;
  expires_at: Date;
}

/**
 * The app's rate-limit counters (the name is from when it held failed admin
 * logins alone). Failed admin logins of `client:<address>` or `device:<id>`:
 * failures in a row, the last one's time (`window_started_at`), and when the
 * next try may come (the epoch: now). Windowed counts
 * (`countInWindow`) of `global` (failed admin logins of new clients) and
 * `signin:<address>` (identities minted): events in the window that began
 * at `window_started_at`.
 */
interface LoginFailuresTable {
  bucket: string;
  window_started_at: Date;
  failures: number;
  next_attempt_at: Date;
}

/** The web app's tables, as Kysely sees them (a type, not an interface: `withTables` wants an index signature). */
type WebTables = {
  herenow_web_admin_sessions: AdminSessionsTable;
  herenow_web_login_failures: LoginFailuresTable;
};

function withWebTables(db: AppDatabase["db"]) {
  return db.withTables<WebTables>();
}

/** The app's database with the web app's own tables. */
export type WebDb = ReturnType<typeof withWebTables>;

/**
 * Creates the web app's tables if they are missing. @herenow/db's migrations
 * are the presence copy's; these two small tables belong to the demo, which
 * creates them on first use (`if not exists`, so every instance may try).
 */
async function createWebTables(db: WebDb): Promise<void> {
  await db.schema
    .createTable("herenow_web_admin_sessions")
    .ifNotExists()
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("created_at", "timestamptz", (column) => column.notNull())
    .addColumn("expires_at", "timestamptz", (column) => column.notNull())
    .execute();
  await db.schema
    .createTable("herenow_web_login_failures")
    .ifNotExists()
    .addColumn("bucket", "text", (column) => column.primaryKey())
    .addColumn("window_started_at", "timestamptz", (column) => column.notNull())
    .addColumn("failures", "integer", (column) => column.notNull())
    .execute();
  // added after the table first shipped; `if not exists` for databases that have it already
  await sql`alter table herenow_web_login_failures add column if not exists next_attempt_at timestamptz not null default 'epoch'`.execute(
    db,
  );
}

// per database handle: tests close the database and open a fresh one
const ready = new WeakMap<object, Promise<void>>();

/**
 * The app's database with its own tables, created on first use.
 *
 * @example
 * const db = await webDb();
 * await db.selectFrom("herenow_web_admin_sessions").selectAll().execute();
 */
export async function webDb(): Promise<WebDb> {
  const { db } = database();
  const web = withWebTables(db);
  let creating = ready.get(db);
  if (!creating) {
    // Two instances starting together can both miss the table and collide in
    // Postgres's catalog even with `if not exists`; the second try then sees it.
    creating = createWebTables(web).catch(() => createWebTables(web));
    ready.set(db, creating);
    creating.catch(() => ready.delete(db));
  }
  await creating;
  return web;
}
