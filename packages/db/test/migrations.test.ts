import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateDown, migrateToLatest, throwIfMigrationFailed } from "../src/migrate";
import { migrations } from "../src/migrations/index";
import { createPresenceStore } from "../src/store";
import { describeEachDatabase } from "./support/databases";

const HERENOW_TABLES = [
  "herenow_batch_parts",
  "herenow_batches",
  "herenow_generations",
  "herenow_online_steps",
  "herenow_presences",
  "herenow_quality_leaves",
  "herenow_quality_rooms",
  "herenow_quality_steps",
  "herenow_rooms",
  "herenow_sessions",
];

/** Every migration, in order. */
const MIGRATIONS = [
  "2026-11-28T0000-init",
  "2026-11-28T0100-batches-per-room",
  "2026-11-28T2000-batch-parts-and-room-lease",
  "2026-12-05T2100-presence-status",
  "2026-12-05T2200-room-occupancy",
  "2026-12-05T2300-agent-members",
  "2026-12-05T2300-presence-quality",
  "2026-12-06T0000-kept-steps",
];

describeEachDatabase("migrations", (db) => {
  const tables = async () =>
    (await db().introspection.getTables())
      .map((t) => t.name)
      .filter((name) => name.startsWith("herenow_"))
      .sort();
  const presenceColumns = async () =>
    (await db().introspection.getTables()).find((t) => t.name === "herenow_presences")?.columns.map((c) => c.name) ??
    [];

  /** Steps the database down one migration, which must be `name`, and checks that it went well. */
  const stepDown = async (name: string) => {
    const { error, results } = await migrateDown(db());
    expect(error).toBeUndefined();
    expect(results).toEqual([{ migrationName: name, direction: "Down", status: "Success" }]);
  };

  it("go up, down and up again", async () => {
    expect(await tables()).toEqual([...HERENOW_TABLES, "herenow_migration", "herenow_migration_lock"].sort());
    // Batch ids are keyed per room.
    await db().insertInto("herenow_batches").values({ id: "g:1", room: "a" }).execute();
    await db().insertInto("herenow_batches").values({ id: "g:1", room: "b" }).execute();

    const seen = new Date("2026-11-28T12:00:00Z");
    const lease = new Date("2026-11-28T12:05:00Z");
    await createPresenceStore(db()).add("lobby", "c-1", null, { at: seen });

    // Stepping down from kept steps drops their tables: the next reads count every step again.
    await stepDown("2026-12-06T0000-kept-steps");
    expect(await tables()).not.toContain("herenow_online_steps");

    // Stepping down from presence quality drops the generations and the sessions' leave_ms.
    await stepDown("2026-12-05T2300-presence-quality");
    expect(await tables()).not.toContain("herenow_generations");

    // Stepping down from agent members drops the presences' user_kind.
    await stepDown("2026-12-05T2300-agent-members");
    expect(await presenceColumns()).not.toContain("user_kind");

    // Stepping down from occupancy drops the room's occupied_since; the backfill on the way up is tested below.
    await stepDown("2026-12-05T2200-room-occupancy");

    // Stepping down from 1.2's status drops its columns and keeps the rows (active again, as before 1.2).
    await db().updateTable("herenow_presences").set({ status: "hidden", active_at: seen }).execute();
    await stepDown("2026-12-05T2100-presence-status");
    expect(await presenceColumns()).not.toContain("status");
    expect(await presenceColumns()).not.toContain("active_at");
    expect(await db().selectFrom("herenow_presences").select("connection_id").execute()).toEqual([
      { connection_id: "c-1" },
    ]);

    // Stepping down from the room lease writes it into the rows, so no live presence looks stale.
    await db().updateTable("herenow_rooms").set({ keepalive_at: lease }).execute();
    await stepDown("2026-11-28T2000-batch-parts-and-room-lease");
    expect(await tables()).not.toContain("herenow_batch_parts");
    const { rows } = await sql<{ last_seen_at: Date }>`select last_seen_at from herenow_presences`.execute(db());
    expect(new Date(rows[0]?.last_seen_at ?? 0)).toEqual(lease);
    await sql`delete from herenow_rooms`.execute(db());

    await stepDown("2026-11-28T0100-batches-per-room");
    // Batch ids are unique across rooms again after that step down (one of a shared id is kept).
    expect(await db().selectFrom("herenow_batches").select(["id", "room"]).execute()).toEqual([
      { id: "g:1", room: "a" },
    ]);
    await expect(db().insertInto("herenow_batches").values({ id: "g:1", room: "b" }).execute()).rejects.toThrow(
      /herenow_batches_pkey/,
    );
    await stepDown("2026-11-28T0000-init");
    expect(await tables()).toEqual(["herenow_migration", "herenow_migration_lock"]);

    const up = await migrateToLatest(db());
    expect(up.results).toEqual(
      MIGRATIONS.map((migrationName) => ({ migrationName, direction: "Up", status: "Success" })),
    );
    expect((await migrateToLatest(db())).results).toEqual([]);
    expect(await presenceColumns()).toEqual(expect.arrayContaining(["status", "active_at", "user_kind"]));

    // The schema works after the round trip.
    const store = createPresenceStore(db());
    await store.add("lobby", "c-1", { id: "u1", name: "Ann" });
    expect(await store.getUsers("lobby")).toHaveLength(1);
  });

  it("fill in occupied_since on the way up for rooms with signed-in users now", async () => {
    const store = createPresenceStore(db());
    await store.add("lobby", "c-1", null, { at: new Date("2026-12-05T10:00:00Z") });
    await store.add("lobby", "c-2", { id: "u1", name: "Ann" }, { at: new Date("2026-12-05T10:01:00Z") });
    await store.add("lobby", "c-3", { id: "u2", name: "Bo" }, { at: new Date("2026-12-05T10:02:00Z") });
    await store.add("empty", "c-4", null, { at: new Date("2026-12-05T10:03:00Z") });
    await migrateDown(db()); // kept steps
    await migrateDown(db()); // presence quality
    await migrateDown(db()); // agent members
    await migrateDown(db()); // occupancy
    await migrateToLatest(db());
    const rooms = await db().selectFrom("herenow_rooms").select(["name", "occupied_since"]).orderBy("name").execute();
    expect(rooms).toEqual([
      { name: "empty", occupied_since: null },
      { name: "lobby", occupied_since: new Date("2026-12-05T10:01:00Z") },
    ]);
  });

  it("migrate down with { all: true } removes every table, and keeps its own bookkeeping apart from the app's", async () => {
    expect((await migrateDown(db(), { all: true })).error).toBeUndefined();
    expect(await tables()).toEqual(["herenow_migration", "herenow_migration_lock"]);
    expect((await db().introspection.getTables()).map((t) => t.name)).not.toContain("kysely_migration");
    expect((await migrateDown(db())).results).toEqual([]);
  });

  it("enforce the schema's constraints", async () => {
    const store = createPresenceStore(db());
    await store.add("lobby", "c-1", null);
    await expect(
      db()
        .insertInto("herenow_sessions")
        .values({ room: "lobby", connection_id: "c-1", end_reason: "bogus" as "closed" })
        .execute(),
    ).rejects.toThrow(/herenow_sessions_end_reason_check/);
    await expect(
      db().insertInto("herenow_sessions").values({ room: "lobby", connection_id: "c-1", leave_ms: -1 }).execute(),
    ).rejects.toThrow(/herenow_sessions_leave_ms_check/);
    await expect(
      db().insertInto("herenow_presences").values({ room: "missing-room", connection_id: "c-1" }).execute(),
    ).rejects.toThrow(/foreign key/);
    // A status is one of the protocol's three; a new row starts active.
    await expect(
      db()
        .updateTable("herenow_presences")
        .set({ status: "away" as "idle" })
        .execute(),
    ).rejects.toThrow(/herenow_presences_status_check/);
    expect(await db().selectFrom("herenow_presences").select(["status", "active_at"]).execute()).toEqual([
      { status: "active", active_at: null },
    ]);
    // Deleting a room takes its presences with it.
    await db().deleteFrom("herenow_rooms").where("name", "=", "lobby").execute();
    expect(await store.getPresences("lobby")).toEqual([]);
  });

  it("report a failing migration as an error with its name instead of throwing", async () => {
    await migrateDown(db(), { all: true });
    await sql`create table herenow_rooms (name text)`.execute(db());
    const result = await migrateToLatest(db());
    expect(result.error).toBeDefined();
    expect(result.results).toEqual(
      MIGRATIONS.map((migrationName, i) => ({
        migrationName,
        direction: "Up",
        status: i === 0 ? "Error" : "NotExecuted",
      })),
    );
    expect(() => throwIfMigrationFailed(result)).toThrow(
      /herenow migration "2026-11-28T0000-init" failed: .*herenow_rooms/,
    );
    await sql`drop table herenow_rooms`.execute(db());
  });
});

describe("migration list", () => {
  it("is ordered by name, each with up and down", () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
    for (const migration of Object.values(migrations)) {
      expect(typeof migration.up).toBe("function");
      expect(typeof migration.down).toBe("function");
    }
  });
});
