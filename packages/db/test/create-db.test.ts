import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { isAbortedTransactionError, type Kysely, sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type PgPoolLike, parseDbUrl, redactDbUrl, resolveDbUrl } from "../src/create-db";
import { createPresenceStore } from "../src/store";

describe("parseDbUrl", () => {
  it("understands every supported form", () => {
    expect(parseDbUrl("pglite://memory", "/app")).toEqual({ kind: "pglite", dataDir: null });
    expect(parseDbUrl("pglite://.data/db", "/app")).toEqual({ kind: "pglite", dataDir: "/app/.data/db" });
    expect(parseDbUrl("pglite:///var/lib/herenow", "/app")).toEqual({ kind: "pglite", dataDir: "/var/lib/herenow" });
    expect(parseDbUrl("postgres://u:p@h:5432/d", "/app")).toEqual({ kind: "postgres", url: "postgres://u:p@h:5432/d" });
    expect(parseDbUrl("postgresql://h/d", "/app")).toEqual({ kind: "postgres", url: "postgresql://h/d" });
  });

  it("falls back to the embedded database in .data/pglite when unset or empty", () => {
    expect(parseDbUrl(undefined, "/app")).toEqual({ kind: "pglite", dataDir: "/app/.data/pglite" });
    expect(parseDbUrl("  ", "/app")).toEqual({ kind: "pglite", dataDir: "/app/.data/pglite" });
  });

  it("refuses anything else with an error that lists the accepted forms and hides the password", () => {
    expect(() => parseDbUrl("mysql://root:hunter2@db/app", "/app")).toThrow(
      /Unsupported database URL "mysql:\/\/root:\*\*\*@db\/app": use pglite:\/\/memory, pglite:\/\/<directory> or postgres:\/\//,
    );
    expect(() => parseDbUrl("mysql://root:hunter2@db/app", "/app")).not.toThrow(/hunter2/);
    expect(() => parseDbUrl("localhost:5432", "/app")).toThrow(/Unsupported database URL/);
    // @vercel/postgres is gone: Vercel's Neon integration sets a plain postgres:// URL that pg serves
    expect(() => parseDbUrl("vercel-postgres://", "/app")).toThrow(/Unsupported database URL/);
    expect(() => parseDbUrl("pglite://", "/app")).toThrow(/needs a location/);
    expect(() => createDb({ url: "sqlite://x.db" })).toThrow(/Unsupported database URL "sqlite:\/\/x.db"/);
  });

  it("redacts passwords only", () => {
    expect(redactDbUrl("postgres://app:s3cr3t@db:5432/app")).toBe("postgres://app:***@db:5432/app");
    expect(redactDbUrl("postgres://db/app")).toBe("postgres://db/app");
    expect(redactDbUrl("postgres://app@db:5432/app")).toBe("postgres://app@db:5432/app");
  });

  // a password someone pasted without percent-encoding it must not leak in part
  it("hides a password whole when it holds @, /, : or #", () => {
    expect(redactDbUrl("postgres://app:se/cr#et@db:5432/app")).toBe("postgres://app:***@db:5432/app");
    expect(redactDbUrl("postgres://app:p@ss:w@db/app")).toBe("postgres://app:***@db/app");
    expect(redactDbUrl("postgresql://:hunter2@db/app")).toBe("postgresql://:***@db/app");
  });

  it("hides password parameters", () => {
    expect(redactDbUrl("postgres://db/app?user=app&password=hunter2&sslmode=require")).toBe(
      "postgres://db/app?user=app&password=***&sslmode=require",
    );
    expect(redactDbUrl("postgres://db/app?sslpassword=hunter2")).toBe("postgres://db/app?sslpassword=***");
  });

  it("redacts every URL in a message, not only a message that is one", () => {
    const message = 'DATABASE_URL "postgres://app:hunter2@db/app": connect failed; also tried postgres://b:pw2@x/y.';
    expect(redactDbUrl(message)).toBe(
      'DATABASE_URL "postgres://app:***@db/app": connect failed; also tried postgres://b:***@x/y.',
    );
  });
});

describe("resolveDbUrl", () => {
  it("prefers DATABASE_URL, then POSTGRES_URL, then the embedded database", () => {
    expect(resolveDbUrl({ DATABASE_URL: "postgres://a/b", POSTGRES_URL: "postgres://c/d" })).toBe("postgres://a/b");
    expect(resolveDbUrl({ DATABASE_URL: " ", POSTGRES_URL: " postgres://c/d " })).toBe("postgres://c/d");
    expect(resolveDbUrl({ DATABASE_URL: "", POSTGRES_URL: "" })).toBe("pglite://.data/pglite");
    expect(resolveDbUrl({})).toBe("pglite://.data/pglite");
  });
});

describe("createDb", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "herenow-db-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("opens an in-memory PGlite, migrated before its first query", async () => {
    const db = createDb({ url: "pglite://memory" });
    try {
      expect(await db.selectFrom("herenow_rooms").selectAll().execute()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("keeps a pglite://<dir> database across two createDb calls, resolving relative paths against cwd", async () => {
    const first = createDb({ url: "pglite://data/one", cwd: dir });
    await createPresenceStore(first).add("lobby", "c-1", { id: "u1", name: "Ann" });
    await first.destroy();
    expect(existsSync(join(dir, "data/one"))).toBe(true);

    const second = createDb({ url: `pglite://${join(dir, "data/one")}` });
    try {
      expect(await createPresenceStore(second).getUsers("lobby")).toMatchObject([
        { id: "u1", name: "Ann", info: null, status: "active" },
      ]);
    } finally {
      await second.destroy();
    }
  });

  it("defaults to .data/pglite under cwd, creating it", async () => {
    const db = createDb({ cwd: dir });
    try {
      expect(existsSync(join(dir, ".data/pglite"))).toBe(false);
      await db.selectFrom("herenow_rooms").selectAll().execute();
      expect(existsSync(join(dir, ".data/pglite"))).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it("leaves an embedded database unmigrated with migrate: false", async () => {
    const db = createDb({ url: "pglite://memory", migrate: false });
    try {
      await expect(db.selectFrom("herenow_rooms").selectAll().execute()).rejects.toThrow(/herenow_rooms/);
    } finally {
      await db.destroy();
    }
  });

  it("closes a PGlite whose migration failed and migrates again on the next query", async () => {
    const dataDir = join(dir, "conflict");
    // A table of the same name but another shape makes the first migration fail.
    const squatter = await PGlite.create(dataDir);
    await squatter.exec("create table herenow_rooms (squatter text)");
    await squatter.close();

    const db = createDb({ url: `pglite://${dataDir}` });
    try {
      await expect(db.selectFrom("herenow_rooms").selectAll().execute()).rejects.toThrow(/herenow migration .* failed/);
      // Safe only because the failed attempt closed its PGlite: two on one directory corrupt it.
      const repair = await PGlite.create(dataDir);
      await repair.exec("drop table herenow_rooms");
      await repair.close();
      await createPresenceStore(db).add("lobby", "c-1", { id: "u1", name: "Ann" });
      expect(await createPresenceStore(db).getUsers("lobby")).toMatchObject([
        { id: "u1", name: "Ann", info: null, status: "active" },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it("hands the pg pool, with its settings, to onPool once, on the first query", async () => {
    const pools: PgPoolLike[] = [];
    const db = createDb({
      url: "postgres://nobody:secret@127.0.0.1:1/none",
      pool: { max: 3, idleTimeoutMillis: 5_000 },
      onPool: (pool) => void pools.push(pool),
    });
    try {
      expect(pools).toHaveLength(0);
      await expect(db.selectFrom("herenow_rooms").selectAll().execute()).rejects.toThrow();
      await expect(db.selectFrom("herenow_rooms").selectAll().execute()).rejects.toThrow();
      expect(pools).toHaveLength(1);
      expect(pools[0]?.options).toMatchObject({ max: 3, idleTimeoutMillis: 5_000 });
    } finally {
      await db.destroy();
    }
  });

  it("reports an unreachable Postgres server on the first query", async () => {
    // Port 1 is never a Postgres server.
    const db = createDb({ url: "postgres://nobody:secret@127.0.0.1:1/none" });
    try {
      await expect(db.selectFrom("herenow_rooms").selectAll().execute()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await db.destroy();
    }
  });
});

// Kysely's PGliteDialect serves the embedded database; the store's batches rely on these guarantees of it.
describe("an embedded database", () => {
  interface Items {
    items: { name: string };
  }
  let db: Kysely<Items>;
  beforeAll(() => {
    db = createDb({ url: "pglite://memory", migrate: false }) as unknown as Kysely<Items>;
  });
  afterAll(async () => {
    await db.destroy();
  });
  beforeEach(async () => {
    await sql`drop table if exists items`.execute(db);
    await sql`create table items (name text primary key)`.execute(db);
  });
  const names = async () => (await db.selectFrom("items").select("name").orderBy("name").execute()).map((r) => r.name);

  it("keeps other queries out of an open transaction until it ends", async () => {
    let releaseTransaction!: () => void;
    const gate = new Promise<void>((resolve) => {
      releaseTransaction = resolve;
    });
    let inserted!: () => void;
    const insertedInside = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const transaction = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("items").values({ name: "inside" }).execute();
        inserted();
        await gate;
        throw new Error("roll back");
      })
      .catch((error: Error) => error.message);

    await insertedInside;
    let outsideDone = false;
    const outside = db
      .insertInto("items")
      .values({ name: "outside" })
      .execute()
      .then(() => {
        outsideDone = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideDone).toBe(false);

    releaseTransaction();
    expect(await transaction).toBe("roll back");
    await outside;
    // Had the outside insert run inside the shared session, the rollback would have taken it too.
    expect(await names()).toEqual(["outside"]);
  });

  it("refuses to report a commit of an aborted transaction as success", async () => {
    const attempt = db.transaction().execute(async (trx) => {
      await trx.insertInto("items").values({ name: "a" }).execute();
      await trx
        .insertInto("items")
        .values({ name: "a" })
        .execute()
        .catch(() => undefined);
    });
    await expect(attempt).rejects.toSatisfy(isAbortedTransactionError);
    expect(await names()).toEqual([]);
  });

  it("counts the rows a statement changed, statement by statement", async () => {
    await db
      .insertInto("items")
      .values([{ name: "x" }, { name: "y" }, { name: "z" }])
      .execute();
    await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("items")
        .set({ name: sql`name || '!'` })
        .where("name", "in", ["x", "y"])
        .executeTakeFirst();
      expect(updated.numUpdatedRows).toBe(2n);
      const deleted = await trx.deleteFrom("items").where("name", "=", "z").executeTakeFirst();
      expect(deleted.numDeletedRows).toBe(1n);
    });
    expect(await names()).toEqual(["x!", "y!"]);
  });
});
