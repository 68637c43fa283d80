import { PGlite } from "@electric-sql/pglite";
import { isAbortedTransactionError, Kysely, sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PgliteDialect } from "../src/pglite-dialect";

interface Db {
  items: { name: string };
}

describe("PgliteDialect", () => {
  let pglite: PGlite;
  let db: Kysely<Db>;

  beforeAll(async () => {
    pglite = await PGlite.create();
    db = new Kysely<Db>({ dialect: new PgliteDialect({ pglite, closeOnDestroy: false }) });
  });
  afterAll(async () => {
    await db.destroy();
    await pglite.close();
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

  it("shows BEGIN and COMMIT to Kysely's log, as pg does", async () => {
    const logged: string[] = [];
    const logging = new Kysely<Db>({
      dialect: new PgliteDialect({ pglite, closeOnDestroy: false }),
      log: (event) => void logged.push(event.query.sql),
    });
    await logging.transaction().execute((trx) => trx.insertInto("items").values({ name: "a" }).execute());
    expect(logged).toEqual(["begin", 'insert into "items" ("name") values ($1)', "commit"]);
    await logging.destroy();
  });

  it("supports savepoints, affected-row counts and streaming", async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto("items").values({ name: "kept" }).execute();
    const sp = await trx.savepoint("before_drop").execute();
    await sp.insertInto("items").values({ name: "dropped" }).execute();
    await sp.rollbackToSavepoint("before_drop").execute();
    await trx.commit().execute();
    expect(await names()).toEqual(["kept"]);

    await db
      .insertInto("items")
      .values([{ name: "x" }, { name: "y" }])
      .execute();
    const result = await db
      .updateTable("items")
      .set({ name: sql`name || '!'` })
      .where("name", "in", ["x", "y"])
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);

    const chunks: string[][] = [];
    for await (const row of db.selectFrom("items").select("name").orderBy("name").stream(2)) chunks.push([row.name]);
    expect(chunks.flat()).toEqual(["kept", "x!", "y!"]);
  });

  it("runs onReady once before the first query and retries it after a failure", async () => {
    const instance = await PGlite.create();
    let calls = 0;
    const lazy = new Kysely<Db>({
      dialect: new PgliteDialect({
        pglite: instance,
        onReady: async (inner) => {
          calls += 1;
          if (calls === 1) throw new Error("first attempt fails");
          await sql`create table items (name text)`.execute(inner);
        },
      }),
    });
    try {
      await expect(lazy.selectFrom("items").selectAll().execute()).rejects.toThrow("first attempt fails");
      await lazy.insertInto("items").values({ name: "a" }).execute();
      await lazy.selectFrom("items").selectAll().execute();
      expect(calls).toBe(2);
    } finally {
      await lazy.destroy();
    }
    expect(instance.closed).toBe(true);
  });
});
