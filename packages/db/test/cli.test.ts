import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Finished, runToEnd } from "@herenow/testing/processes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../src/create-db";
import { createPresenceStore } from "../src/store";

const PACKAGE_DIR = resolve(import.meta.dirname, "..");
const BIN = join(PACKAGE_DIR, "bin/herenow.mjs");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "herenow-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The environment of a CLI run: only the database we point it at. */
function envFor(url: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _a, POSTGRES_URL: _b, ...env } = process.env;
  return { ...env, DATABASE_URL: url };
}

function herenow(url: string, ...args: string[]): Promise<Finished> {
  return runToEnd(process.execPath, [BIN, ...args], { cwd: PACKAGE_DIR, env: envFor(url) });
}

describe("herenow prune", () => {
  it("removes stale presences and empty rooms from the configured database and says which", async () => {
    const url = `pglite://${join(dir, "prune")}`;
    const seed = createDb({ url });
    const store = createPresenceStore(seed);
    const now = Date.now();
    await store.add("lobby", "c-stale", { id: "u1", name: "Ann" }, { at: new Date(now - 10 * 60_000) });
    await store.add("lobby", "c-fresh", { id: "u2", name: "Bo" }, { at: new Date(now) });
    await store.add("attic", "c-ghost", null, { at: new Date(now - 3 * 60_000) });
    // a part of a large batch whose other parts never came
    await seed
      .insertInto("herenow_batch_parts")
      .values({
        room: "hall",
        generation: "g",
        seq: 1,
        number: 1,
        count: 2,
        seal: "s",
        sent_at: now,
        events: "[]",
        staged_at: new Date(now - 2 * 86_400_000),
      })
      .execute();
    await seed.destroy();

    const result = await herenow(url, "prune", "--max-age", "2m", "--rooms");

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("Removed 2 stale presences (not seen for 2m):");
    expect(lines.slice(1, 3).sort()).toEqual([
      expect.stringMatching(/^ {2}attic {2}c-ghost {2}anonymous {2}last seen \d{4}-/),
      expect.stringMatching(/^ {2}lobby {2}c-stale {2}Ann \(u1\) {2}last seen \d{4}-/),
    ]);
    expect(lines.slice(3)).toEqual([
      "Removed 1 empty room:",
      "  attic",
      "Dropped 1 part of webhook batches that never completed.",
    ]);

    const check = createDb({ url });
    try {
      const after = createPresenceStore(check);
      expect((await after.getPresences("lobby")).map((p) => p.connectionId)).toEqual(["c-fresh"]);
      expect((await after.listRooms()).map((r) => r.name)).toEqual(["lobby"]);
      expect((await after.sessions({ room: "lobby" })).map((s) => [s.connectionId, s.endReason])).toEqual([
        ["c-fresh", null],
        ["c-stale", "stale"],
      ]);
    } finally {
      await check.destroy();
    }

    // two hours, not the default minute: on a loaded machine this test may take longer than c-fresh's minute
    const again = await herenow(url, "prune", "--max-age", "2h");
    expect(again).toMatchObject({ code: 0, stdout: "No stale presences (max age 2h).\n" });
  });

  it.each([
    [["prune", "--max-age", "soon"], /--max-age: "soon" is not a duration/],
    [["prune", "--max-age=-5s"], /--max-age: "-5s" is not a duration/],
    [["prune", "--max-age"], /--max-age/],
    [["prune", "--wat"], /Unknown option '--wat'/],
    [["prune", "extra"], /unexpected argument "extra"/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [[], /missing command/],
  ])("exits 2 with a clear message for %j", async (args, message) => {
    const result = await herenow("pglite://memory", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Usage: herenow prune");
    expect(result.stdout).toBe("");
  });

  it("prints help with exit 0, and exits 1 naming the problem for a bad DATABASE_URL", async () => {
    const help = await herenow("pglite://memory", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--max-age <duration>");

    const bad = await herenow("mysql://root:pw@db/app", "prune");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Unsupported database URL "mysql://root:***@db/app"');
  });
});

describe("npm run db:migrate", () => {
  const migrate = (url: string) =>
    runToEnd("npm", ["run", "--silent", "db:migrate"], { cwd: PACKAGE_DIR, env: envFor(url) });

  it("migrates the configured database, prints each step and is idempotent", async () => {
    const url = `pglite://${join(dir, "migrate")}`;
    const first = await migrate(url);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("  ok   Up 2026-11-28T0000-init (Success)");

    const second = await migrate(url);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("nothing to do: already up to date");
  });

  it("exits non-zero when a migration fails", async () => {
    const url = `pglite://${join(dir, "conflict")}`;
    const db = createDb({ url, migrate: false });
    await db.schema.createTable("herenow_sessions").addColumn("id", "text").execute();
    await db.destroy();

    const result = await migrate(url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL Up 2026-11-28T0000-init (Error)");
    expect(result.stderr).toMatch(/Migration failed: .*herenow_sessions/);
  });
});
