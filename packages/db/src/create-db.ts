import { mkdir } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { type Dialect, Kysely, type KyselyConfig, PGliteDialect, PostgresDialect } from "kysely";
import { migrateToLatest, throwIfMigrationFailed } from "./migrate";
import type { Database } from "./schema";

/**
 * Where the embedded database lives when nothing is configured, relative to the working directory.
 *
 * @example
 * createDb({ url: EMBEDDED_DB_URL, cwd: "/srv/app" }); // PGlite in /srv/app/.data/pglite
 */
export const EMBEDDED_DB_URL = "pglite://.data/pglite";

/**
 * The part of a `pg` Pool that {@link CreateDbConfig.onPool} receives: enough
 * for a platform hook such as Vercel's `attachDatabasePool`, without making
 * `pg`'s types part of this package's API.
 *
 * @example
 * createDb({ url, onPool: (pool: PgPoolLike) => attachDatabasePool(pool) });
 */
export interface PgPoolLike {
  options: { idleTimeoutMillis?: number | null; max?: number };
  on(event: "connect" | "acquire" | "release" | "remove" | "error", listener: (...args: never[]) => void): unknown;
}

/**
 * Options for {@link createDb}.
 *
 * @example
 * const config: CreateDbConfig = { url: "pglite://memory", onPoolError: (e) => logger.warn(e) };
 */
export interface CreateDbConfig {
  /**
   * `pglite://memory`, `pglite://<dir>` (relative to `cwd`), or
   * `postgres://…` / `postgresql://…` (node `pg`). Unset or empty: embedded
   * PGlite in `.data/pglite`.
   */
  url?: string | undefined;
  /** Base for relative PGlite directories. Default `process.cwd()`. */
  cwd?: string;
  /** Migrate an embedded PGlite to the latest schema before its first query. Default true; ignored for servers. */
  migrate?: boolean;
  /** Settings of the `pg` pool: at most `max` connections (default 10), idle ones closed after `idleTimeoutMillis` (default 10 s). */
  pool?: { max?: number; idleTimeoutMillis?: number };
  /** Called once with the `pg` pool when it is created, on the first query (Vercel's `attachDatabasePool`, say). */
  onPool?: (pool: PgPoolLike) => void;
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
export type DbTarget = { kind: "pglite"; dataDir: string | null } | { kind: "postgres"; url: string };

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
  const target = parseDbUrl(config.url, config.cwd ?? process.cwd());
  return new Kysely<Database>({ dialect: createDialect(target, config), ...(config.log ? { log: config.log } : {}) });
}

/**
 * The database URL the environment sets, and which variable set it:
 * `DATABASE_URL`, else `POSTGRES_URL` (what Vercel's Neon integration also
 * sets); null when neither holds more than whitespace.
 *
 * @example
 * dbUrlFromEnv(process.env)?.variable; // "DATABASE_URL", to name it in a message
 */
export function dbUrlFromEnv(
  env: Record<string, string | undefined>,
): { variable: "DATABASE_URL" | "POSTGRES_URL"; url: string } | null {
  for (const variable of ["DATABASE_URL", "POSTGRES_URL"] as const) {
    const url = env[variable]?.trim();
    if (url) return { variable, url };
  }
  return null;
}

/**
 * Picks the database URL from the environment ({@link dbUrlFromEnv}), else
 * the embedded PGlite.
 *
 * @example
 * resolveDbUrl({ POSTGRES_URL: "postgres://…" }); // "postgres://…"
 */
export function resolveDbUrl(env: Record<string, string | undefined>): string {
  return dbUrlFromEnv(env)?.url ?? EMBEDDED_DB_URL;
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
  // No "leave it unset" here: that is advice for development only (an unset URL in production, or for
  // `db:migrate` aimed at production, means a local embedded database), so callers who know add it.
  throw new Error(
    `Unsupported database URL "${redactDbUrl(value)}": use pglite://memory, pglite://<directory> ` +
      "or postgres://user:password@host:5432/db",
  );
}

function createDialect(target: DbTarget, config: CreateDbConfig): Dialect {
  // Drivers load on first use, so an app on Postgres never loads the PGlite
  // WASM and an embedded one never loads pg.
  switch (target.kind) {
    case "pglite":
      return new PGliteDialect({ pglite: () => openPglite(target.dataDir, config.migrate !== false) });
    case "postgres":
      return new PostgresDialect({
        pool: async () => {
          const { Pool } = await import("pg");
          const pool = new Pool({ connectionString: target.url, ...config.pool });
          pool.on("error", (error) => config.onPoolError?.(error));
          config.onPool?.(pool);
          return pool;
        },
      });
  }
}

/**
 * Opens an embedded database and migrates it before Kysely's first query.
 * Kysely calls this again after a failure, so a failed attempt closes its
 * PGlite: a data directory must never be open twice.
 */
async function openPglite(dataDir: string | null, migrate: boolean) {
  const { PGlite } = await import("@electric-sql/pglite");
  if (dataDir !== null) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ?? undefined);
  if (!migrate) return pglite;
  try {
    // Not destroyed afterwards: that would close the PGlite the caller's Kysely goes on with.
    const migrating = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) });
    throwIfMigrationFailed(await migrateToLatest(migrating));
  } catch (error) {
    await pglite.close();
    throw error;
  }
  return pglite;
}

/**
 * Hides the passwords of every URL in a text (a database URL, or a message
 * that may quote one), for messages and logs: the password part of
 * `scheme://user:password@` and `password=` / `sslpassword=` parameters.
 * Passwords that were not percent-encoded (holding `@`, `/`, `:` or `#`) are
 * hidden whole: everything up to the last `@` before a space or a quote
 * counts as the user and password.
 *
 * @example
 * redactDbUrl("postgres://app:secret@db/app"); // "postgres://app:***@db/app"
 * redactDbUrl(`cannot reach postgres://app:p@ss/w@db/app`); // "cannot reach postgres://app:***@db/app"
 */
export function redactDbUrl(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s"'`<>]*)@/gi, (_, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(/([?&](?:ssl)?password=)[^&\s"'`<>]*/gi, "$1***");
}
