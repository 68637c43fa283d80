import { createScratchDatabase } from "@herenow/testing/scratch-postgres";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { createDb } from "../../src/create-db";
import { migrateDown, migrateToLatest, throwIfMigrationFailed } from "../../src/migrate";
import type { Database } from "../../src/schema";

/** A database the shared suites run against. */
interface TestTarget {
  name: "PGlite" | "PostgreSQL";
  /** Why this target is skipped, or null when it runs. */
  skipReason: string | null;
  open(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
}

const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
const isPostgresUrl = databaseUrl !== undefined && /^postgres(ql)?:\/\//i.test(databaseUrl);
const SKIP_MESSAGE = "DATABASE_URL not set: skipping real PostgreSQL tests; .ci/run sets it";

if (!isPostgresUrl) {
  const problem = databaseUrl === undefined ? "DATABASE_URL not set" : "DATABASE_URL is not a postgres:// URL";
  if (process.env.CI && !["0", "false"].includes(process.env.CI)) {
    // In CI a skipped half would look green while testing nothing.
    throw new Error(`${problem}, but CI is set: the real PostgreSQL tests must run in CI (.ci/run sets DATABASE_URL)`);
  }
  console.warn(
    databaseUrl === undefined ? SKIP_MESSAGE : `${problem}: skipping real PostgreSQL tests; .ci/run sets it`,
  );
}

const TARGETS: TestTarget[] = [
  {
    name: "PGlite",
    skipReason: null,
    async open() {
      const db = createDb({ url: "pglite://memory" });
      return { db, close: () => db.destroy() };
    },
  },
  {
    name: "PostgreSQL",
    skipReason: isPostgresUrl ? null : SKIP_MESSAGE,
    async open() {
      // a throwaway database next to DATABASE_URL's, so test files never share tables
      const scratch = await createScratchDatabase(databaseUrl as string, "herenow_test");
      const db = createDb({ url: scratch.url });
      return {
        db,
        close: async () => {
          await db.destroy();
          await scratch.drop();
        },
      };
    },
  },
];

/** Drops every herenow table and migrates again: each test starts from an empty, current schema. */
async function resetSchema(db: Kysely<Database>): Promise<void> {
  throwIfMigrationFailed(await migrateDown(db, { all: true }));
  throwIfMigrationFailed(await migrateToLatest(db));
}

/**
 * Runs one suite against every target: PGlite always, a real PostgreSQL
 * server when DATABASE_URL is set. `db()` is the current target's database,
 * freshly migrated before each test.
 */
export function describeEachDatabase(title: string, suite: (db: () => Kysely<Database>) => void): void {
  describe.each(TARGETS)(`${title} on $name`, (target) => {
    describe.skipIf(target.skipReason !== null)(target.skipReason ?? "fresh schema per test", () => {
      let opened: Awaited<ReturnType<TestTarget["open"]>> | undefined;
      beforeAll(async () => {
        opened = await target.open();
      });
      afterAll(async () => {
        await opened?.close();
      });
      beforeEach(async () => {
        if (!opened) throw new Error(`${target.name} did not open`);
        await resetSchema(opened.db);
      });
      suite(() => {
        if (!opened) throw new Error(`${target.name} did not open`);
        return opened.db;
      });
    });
  });
}
