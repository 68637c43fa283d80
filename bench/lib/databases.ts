import { createDb, type Database, migrateToLatest, throwIfMigrationFailed } from "@herenow/db";
import { type Kysely, sql } from "kysely";

/** A database at `url`, migrated to the latest schema. */
export async function migrated(url: string): Promise<Kysely<Database>> {
  const db = createDb({ url });
  throwIfMigrationFailed(await migrateToLatest(db));
  return db;
}

/**
 * Runs `work` on a scratch database created next to DATABASE_URL's and
 * dropped after; false (and a warning) when DATABASE_URL is no postgres:// URL.
 */
export async function onScratchPostgres(work: (db: Kysely<Database>) => Promise<void>): Promise<boolean> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl?.startsWith("postgres")) {
    console.warn("DATABASE_URL not set: PostgreSQL skipped (PGlite only)");
    return false;
  }
  const admin = createDb({ url: databaseUrl });
  const scratch = `herenow_bench_${process.pid}`;
  await sql.raw(`create database "${scratch}"`).execute(admin);
  try {
    const url = new URL(databaseUrl);
    url.pathname = `/${scratch}`;
    const pg = await migrated(url.toString());
    try {
      await work(pg);
    } finally {
      await pg.destroy();
    }
  } finally {
    await sql.raw(`drop database if exists "${scratch}" with (force)`).execute(admin);
    await admin.destroy();
  }
  return true;
}

/** `measure` on an in-memory PGlite, then on a scratch PostgreSQL when DATABASE_URL is set: the rows of both. */
export async function onEachDatabase<T>(measure: (label: string, db: Kysely<Database>) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  const pglite = await migrated("pglite://memory");
  try {
    rows.push(...(await measure("PGlite", pglite)));
  } finally {
    await pglite.destroy();
  }
  await onScratchPostgres(async (pg) => {
    rows.push(...(await measure("PostgreSQL", pg)));
  });
  return rows;
}
