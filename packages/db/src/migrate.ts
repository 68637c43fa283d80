import type { Kysely } from "kysely";
import { type MigrationResultSet, Migrator, NO_MIGRATIONS } from "kysely/migration";
import { migrations } from "./migrations/index";

// Our own table names, so herenow's history never mixes with the host app's
// Kysely migrations in a shared database.
const MIGRATION_TABLE = "herenow_migration";
const MIGRATION_LOCK_TABLE = "herenow_migration_lock";

function createMigrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/**
 * Applies every pending migration. Returns Kysely's `{ error, results }`
 * rather than throwing, so callers can report each step; check `error`.
 *
 * @example
 * const { error, results } = await migrateToLatest(db);
 * if (error) throw error;
 */
export function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  return createMigrator(db).migrateToLatest();
}

/**
 * Options for {@link migrateDown}.
 *
 * @example
 * await migrateDown(db, { all: true } satisfies MigrateDownOptions);
 */
export interface MigrateDownOptions {
  /** Undo every migration (drops all herenow tables) instead of the last one. */
  all?: boolean;
}

/**
 * Undoes the last migration, or all of them with `{ all: true }`. Returns
 * Kysely's `{ error, results }`; check `error`.
 *
 * @example
 * const { error } = await migrateDown(db, { all: true });
 */
export function migrateDown<DB>(db: Kysely<DB>, options: MigrateDownOptions = {}): Promise<MigrationResultSet> {
  const migrator = createMigrator(db);
  return options.all ? migrator.migrateTo(NO_MIGRATIONS) : migrator.migrateDown();
}

/**
 * Turns a failed result set into one thrown error that names the failed step.
 *
 * @example
 * throwIfMigrationFailed(await migrateToLatest(db));
 */
export function throwIfMigrationFailed({ error, results }: MigrationResultSet): void {
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === "Error")?.migrationName;
  const cause = error instanceof Error ? error.message : String(error);
  throw new Error(`herenow migration ${failed ? `"${failed}" ` : ""}failed: ${cause}`, { cause: error });
}
