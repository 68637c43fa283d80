import { mkdir } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { type Dialect, Kysely, type KyselyConfig, PostgresDialect, type PostgresPool } from "kysely";
import { migrateToLatest, throwIfMigrationFailed } from "./migrate";
import { PgliteDialect } from "./pglite-dialect";
import type { Database } from "./schema";

/**
 * Where the embedded database lives when nothing is configured, relative to the working directory.
 *
 * @example
 * createDb({ url: EMBEDDED_DB_URL, cwd: "/srv/app" }); // PGlite in /srv/app/.data/pglite
 */
export const EMBEDDED_DB_URL = "pglite://.data/pglite";
const VERCEL_DB_URL = "vercel-postgres://";

/**
 * Options for {@link createDb}.
 *
 * @example
 * const config: CreateDbConfig = { url: "pglite://memory", onPoolError: (e) => logger.warn(e) };
 */
export interface CreateDbConfig {
  /**
   * `pglite://memory`, `pglite://<dir>` (relative to `cwd`),
   * `postgres://…` / `postgresql://…` (node `pg`), or `vercel-postgres://`
   * (`@vercel/postgres` with `POSTGRES_URL`). Unset or empty: embedded
   * PGlite in `.data/pglite`.
   */
  url?: string | undefined;
  /** Same as `url: "vercel-postgres://"`. */
  vercel?: boolean;
  /** Base for relative PGlite directories. Default `process.cwd()`. */
  cwd?: string;
  /** Migrate an embedded PGlite to the latest schema before its first query. Default true; ignored for servers. */
  migrate?: boolean;
  /** Errors of idle pooled connections (a server restart, say), which would otherwise crash the process. */
  onPoolError?: (error: Error) => void;
  /** Kysely's query log hook. */
  log?: KyselyConfig["log"];
}

/**
 * What a database URL points at, after validation.
 *
 * @example
 * const target: DbTarget = parseDbUrl("pglite://memory", process.cwd()); // { kind: "pglite", dataDir: null }
 */
export type DbTarget =
  | { kind: "pglite"; dataDir: string | null }
  | { kind: "postgres"; url: string }
  | { kind: "vercel" };

/**
 * Opens herenow's database. Nothing connects until the first query; an
 * embedded PGlite is then migrated automatically. Close it with
 * `db.destroy()`.
 *
 * @example
 * const db = createDb({ url: resolveDbUrl(process.env) });
 * const rooms = await createPresenceStore(db).listRooms();
 * await db.destroy();
 */
export function createDb(config: CreateDbConfig = {}): Kysely<Database> {
  const target = config.vercel ? ({ kind: "vercel" } as const) : parseDbUrl(config.url, config.cwd ?? process.cwd());
  return new Kysely<Database>({ dialect: createDialect(target, config), ...(config.log ? { log: config.log } : {}) });
}

/**
 * Picks the database URL from the environment: `DATABASE_URL`, else
 * `POSTGRES_URL` (Vercel Postgres), else the embedded PGlite.
 *
 * @example
 * resolveDbUrl({ POSTGRES_URL: "postgres://…" }); // "vercel-postgres://"
 */
export function resolveDbUrl(env: Record<string, string | undefined>): string {
  if (env.DATABASE_URL?.trim()) return env.DATABASE_URL.trim();
  if (env.POSTGRES_URL?.trim()) return VERCEL_DB_URL;
  return EMBEDDED_DB_URL;
}

/**
 * Validates a database URL; throws an error that lists the accepted forms.
 *
 * @example
 * parseDbUrl("pglite://.data/db", "/app"); // { kind: "pglite", dataDir: "/app/.data/db" }
 */
export function parseDbUrl(url: string | undefined, cwd: string): DbTarget {
  const value = url?.trim() || EMBEDDED_DB_URL;
  if (value.startsWith("pglite://")) {
    const location = value.slice("pglite://".length);
    if (location === "memory") return { kind: "pglite", dataDir: null };
    if (location === "")
      throw new Error('Database URL "pglite://" needs a location: pglite://memory or pglite://<directory>');
    return { kind: "pglite", dataDir: isAbsolute(location) ? location : resolve(cwd, location) };
  }
  if (/^postgres(ql)?:\/\/./i.test(value)) return { kind: "postgres", url: value };
  if (value === VERCEL_DB_URL) return { kind: "vercel" };
  throw new Error(
    `Unsupported database URL "${redactDbUrl(value)}": use pglite://memory, pglite://<directory>, ` +
      "postgres://user:password@host:5432/db or vercel-postgres:// (which reads POSTGRES_URL). " +
      "Leave DATABASE_URL unset for the embedded database in .data/pglite.",
  );
}

function createDialect(target: DbTarget, config: CreateDbConfig): Dialect {
  // Drivers load on first use, so an app on Postgres never loads the PGlite
  // WASM and an embedded one never loads pg.
  switch (target.kind) {
    case "pglite":
      return new PgliteDialect({
        pglite: async () => {
          const { PGlite } = await import("@electric-sql/pglite");
          if (target.dataDir === null) return PGlite.create();
          await mkdir(target.dataDir, { recursive: true });
          return PGlite.create(target.dataDir);
        },
        ...(config.migrate === false
          ? {}
          : { onReady: async (db: Kysely<unknown>) => throwIfMigrationFailed(await migrateToLatest(db)) }),
      });
    case "postgres":
      return new PostgresDialect({
        pool: async () => {
          const { Pool } = await import("pg");
          const pool = new Pool({ connectionString: target.url });
          pool.on("error", (error) => config.onPoolError?.(error));
          return pool;
        },
      });
    case "vercel":
      return new PostgresDialect({
        pool: async () => {
          const { createPool } = await import("@vercel/postgres");
          const pool = createPool();
          pool.on("error", (error: Error) => config.onPoolError?.(error));
          // A pg Pool at runtime (Neon's fork of pg-pool); its typings just omit `options`.
          return pool as unknown as PostgresPool;
        },
      });
  }
}

/**
 * Hides the password in a database URL, for messages and logs.
 *
 * @example
 * redactDbUrl("postgres://app:secret@db/app"); // "postgres://app:***@db/app"
 */
export function redactDbUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
}
