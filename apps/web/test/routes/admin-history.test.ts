import { createDb, migrateToLatest, throwIfMigrationFailed } from "@herenow/db";
import { countOnline, KNOWN_HOUR, knownDay } from "@herenow/testing/known-day";
import { createScratchDatabase } from "@herenow/testing/scratch-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as history } from "@/app/api/admin/history/route";
import { resetEnv } from "@/env";
import type { HistoryJson } from "@/lib/presence-history";
import { closeDatabase, database } from "@/server/db";
import { adminSignedIn, request } from "./support";

// The JSON route behind the admin's charts (issue 30), on the known day seeded around the
// current minute: on the tests' embedded PGlite, and on PostgreSQL when DATABASE_URL is set.

const pgUrl = process.env.POSTGRES_TEST_URL || null;
if (pgUrl === null && process.env.CI && !["0", "false"].includes(process.env.CI)) {
  throw new Error("DATABASE_URL is no postgres:// URL, but CI is set: the PostgreSQL half must run in CI");
}

/** A migrated throwaway database beside `base`'s. */
async function scratchPostgres(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const scratch = await createScratchDatabase(base, "herenow_web");
  const db = createDb({ url: scratch.url });
  throwIfMigrationFailed(await migrateToLatest(db));
  await db.destroy();
  return scratch;
}

const targets: [string, string | null][] = [
  ["PGlite", "pglite://memory"],
  ["PostgreSQL", pgUrl],
];

describe.each(targets)("GET /api/admin/history on %s", (_name, url) => {
  let minute = 0;
  let day = knownDay(0);
  let scratch: { drop(): Promise<void> } | null = null;
  let cookie: string;
  const originalUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    if (url === null) return;
    let target = url;
    if (url.startsWith("postgres")) {
      const made = await scratchPostgres(url);
      scratch = made;
      target = made.url;
    }
    process.env.DATABASE_URL = target;
    resetEnv();
    await closeDatabase();
    const { db } = database();
    minute = Math.floor(Date.now() / 60_000) * 60_000;
    day = knownDay(minute);
    await db.insertInto("herenow_sessions").values(day.sessions).execute();
    await db.insertInto("herenow_generations").values(day.generations).execute();
    cookie = await adminSignedIn();
  });

  afterAll(async () => {
    await closeDatabase();
    process.env.DATABASE_URL = originalUrl;
    resetEnv();
    await scratch?.drop();
  });

  const get = async (query: string, withCookie = true) =>
    history(request(`/api/admin/history${query}`, { cookie: withCookie ? cookie : null }));

  it.skipIf(url === null)("answers the known hour's points and quality for the site and each room", async () => {
    // the fixture sits around the minute the test began in: a minute turning over meanwhile shifts it by one
    for (const room of [null, "stage", "lobby"] as const) {
      const response = await get(room ? `?range=hour&room=${room}` : "");
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = (await response.json()) as HistoryJson;
      expect(body).toMatchObject({ range: "hour", room, stepMs: 60_000 });
      expect(body.points).toHaveLength(60);
      const byMinute = new Map(body.points.map((p) => [(p.at - minute) / 60_000, p]));
      for (const [at, [people, connections]] of Object.entries(KNOWN_HOUR[room ?? "site"].points)) {
        // a minute that turned over since the seeding moves the window on by one
        if (minute + Number(at) * 60_000 < body.from) continue;
        expect(byMinute.get(Number(at)), `${room ?? "site"} at ${at} min`).toMatchObject({ people, connections });
      }
      for (const point of body.points) {
        expect([point.people, point.connections]).toEqual(countOnline(day.sessions, point.at, point.at + 60_000, room));
      }
      const known = KNOWN_HOUR[room ?? "site"];
      expect(body.quality).toMatchObject({
        flaps: known.flaps,
        vanished: known.vanished,
        restarts: known.restarts,
        leave: known.leave,
      });
    }
  });

  it.skipIf(url === null)("says in plain sentences what is off, room by room", async () => {
    const body = (await (await get("?range=hour")).json()) as HistoryJson;
    expect(body.notices).toEqual([
      { text: "1 flap in the last hour", room: "stage" },
      { text: "1 connection vanished without a goodbye in the last hour", room: "stage" },
      { text: "1 restart in the last hour", room: "stage" },
      { text: "1 connection vanished without a goodbye in the last hour", room: "lobby" },
    ]);
    const week = (await (await get("?range=week&room=stage")).json()) as HistoryJson;
    expect(week).toMatchObject({ range: "week", stepMs: 3_600_000 });
    expect(week.points).toHaveLength(168);
    expect(week.points.reduce((sum, p) => sum + p.connections, 0)).toBeGreaterThan(0);
  });

  it.skipIf(url === null)(
    "refuses a visitor without an admin session, an unknown range and a bad room name",
    async () => {
      expect((await get("?range=hour", false)).status).toBe(401);
      const month = await get("?range=month");
      expect(month.status).toBe(400);
      expect(await month.json()).toEqual({ error: "range must be one of hour, day, week" });
      expect((await get("?room=..")).status).toBe(400);
    },
  );
});
