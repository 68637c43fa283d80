import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb, parseDbUrl, redactDbUrl, resolveDbUrl } from "../src/create-db";
import { createPresenceStore } from "../src/store";

describe("parseDbUrl", () => {
  it("understands every supported form", () => {
    expect(parseDbUrl("pglite://memory", "/app")).toEqual({ kind: "pglite", dataDir: null });
    expect(parseDbUrl("pglite://.data/db", "/app")).toEqual({ kind: "pglite", dataDir: "/app/.data/db" });
    expect(parseDbUrl("pglite:///var/lib/herenow", "/app")).toEqual({ kind: "pglite", dataDir: "/var/lib/herenow" });
    expect(parseDbUrl("postgres://u:p@h:5432/d", "/app")).toEqual({ kind: "postgres", url: "postgres://u:p@h:5432/d" });
    expect(parseDbUrl("postgresql://h/d", "/app")).toEqual({ kind: "postgres", url: "postgresql://h/d" });
    expect(parseDbUrl("vercel-postgres://", "/app")).toEqual({ kind: "vercel" });
  });

  it("falls back to the embedded database in .data/pglite when unset or empty", () => {
    expect(parseDbUrl(undefined, "/app")).toEqual({ kind: "pglite", dataDir: "/app/.data/pglite" });
    expect(parseDbUrl("  ", "/app")).toEqual({ kind: "pglite", dataDir: "/app/.data/pglite" });
  });

  it("refuses anything else with an error that lists the accepted forms and hides the password", () => {
    expect(() => parseDbUrl("mysql://root:hunter2@db/app", "/app")).toThrow(
      /Unsupported database URL "mysql:\/\/root:\*\*\*@db\/app": use pglite:\/\/memory, pglite:\/\/<directory>, postgres:\/\//,
    );
    expect(() => parseDbUrl("mysql://root:hunter2@db/app", "/app")).not.toThrow(/hunter2/);
    expect(() => parseDbUrl("localhost:5432", "/app")).toThrow(/Unsupported database URL/);
    expect(() => parseDbUrl("pglite://", "/app")).toThrow(/needs a location/);
    expect(() => createDb({ url: "sqlite://x.db" })).toThrow(/Unsupported database URL "sqlite:\/\/x.db"/);
  });

  it("redacts passwords only", () => {
    expect(redactDbUrl("postgres://app:s3cr3t@db:5432/app")).toBe("postgres://app:***@db:5432/app");
    expect(redactDbUrl("postgres://db/app")).toBe("postgres://db/app");
  });
});

describe("resolveDbUrl", () => {
  it("prefers DATABASE_URL, then POSTGRES_URL through Vercel, then the embedded database", () => {
    expect(resolveDbUrl({ DATABASE_URL: "postgres://a/b", POSTGRES_URL: "postgres://c/d" })).toBe("postgres://a/b");
    expect(resolveDbUrl({ POSTGRES_URL: "postgres://c/d" })).toBe("vercel-postgres://");
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
      expect(await createPresenceStore(second).getUsers("lobby")).toEqual([{ id: "u1", name: "Ann", info: null }]);
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

  it("connects nothing until the first query, so a Vercel database without POSTGRES_URL fails there, clearly", async () => {
    const saved = process.env.POSTGRES_URL;
    delete process.env.POSTGRES_URL;
    const db = createDb({ vercel: true });
    try {
      await expect(db.selectFrom("herenow_rooms").selectAll().execute()).rejects.toThrow(/POSTGRES_URL/);
    } finally {
      if (saved !== undefined) process.env.POSTGRES_URL = saved;
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
