// The admin page of a room of 10,000 connections under `next dev` (`npm run dev`'s web app,
// on its embedded PGlite database), where a room of 2,000 took 59 s to load before the page
// listed 50 connections at a time. Baseline in the same run: the same page of a room of 10.
// Each run loads the pages, each first in turn, after two warm-up loads each (the first
// compiles the route); medians and their ratio.
// Run: npm run admin-room -w @herenow/bench  (-- --connections 10000 --runs 11 --mode dev|start)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createDb, migrateToLatest, throwIfMigrationFailed } from "@herenow/db";
import { freePort } from "@herenow/testing";
import { runCommand, startServer } from "@herenow/testing/processes";
import { machine, median, table } from "./lib/run";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "10000" },
    runs: { type: "string", default: "11" },
    // dev: `next dev`, as `npm run dev` serves it; start: `next build` (the sources as they are), then `next start`
    mode: { type: "string", default: "dev" },
  },
});
const CONNECTIONS = Number(values.connections);
const MODE = values.mode === "start" ? "start" : "dev";
const RUNS = Number(values.runs);
const BIG = "bench-big";
const SMALL = "bench-small";
const PASSWORD = "bench admin password 0123";
const CHUNK = 2_000;
const appDir = join(import.meta.dirname, "..", "apps", "web");

/** A room of `count` connections, a third of them guests, every tenth user with a second tab. */
function presences(room: string, count: number) {
  const t0 = Date.parse("2026-12-05T12:00:00Z");
  return Array.from({ length: count }, (_, i) => {
    const guest = i % 3 === 2;
    const user = i % 10 === 1 ? i - 1 : i;
    return {
      room,
      connection_id: `c-${i}`,
      user_id: guest ? null : `u-${user}`,
      user_name: guest ? null : `Person ${user}`,
      joined_at: new Date(t0 + i),
      last_seen_at: new Date(t0 + i),
    };
  });
}

async function fill(url: string): Promise<void> {
  const db = createDb({ url });
  try {
    throwIfMigrationFailed(await migrateToLatest(db));
    await db
      .insertInto("herenow_rooms")
      .values([{ name: BIG }, { name: SMALL }])
      .execute();
    const rows = [...presences(BIG, CONNECTIONS), ...presences(SMALL, 10)];
    for (let i = 0; i < rows.length; i += CHUNK) {
      await db
        .insertInto("herenow_presences")
        .values(rows.slice(i, i + CHUNK))
        .execute();
    }
  } finally {
    await db.destroy();
  }
}

const nextBin = join(appDir, "..", "..", "node_modules", ".bin", "next");

/** `next dev` (or `next start` of a fresh build) of the web app on the seeded database; resolves once it answers. */
async function startNext(port: number, databaseUrl: string) {
  if (MODE === "start") {
    const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
    await runCommand(nextBin, ["build"], { cwd: appDir, env });
  }
  return startServer(nextBin, [MODE, "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: MODE === "dev" ? "development" : "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HERENOW_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuv",
      HERENOW_SESSION_SECRET: "bench-session-secret-0123456789-abcdefghijkl",
      HERENOW_ADMIN_PASSWORD: PASSWORD,
      // no party: the bans section says it could not ask, at once
      HERENOW_PARTY_HOST: "127.0.0.1:1",
      DATABASE_URL: databaseUrl,
    },
    url: `http://127.0.0.1:${port}/admin/login`,
    timeoutMs: 120_000,
    requestTimeoutMs: 60_000,
    name: `next ${MODE}`,
  });
}

/** An admin session cookie, as the login form gets it. */
async function signIn(origin: string): Promise<string> {
  const response = await fetch(`${origin}/api/admin/session`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin, "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ intent: "login", password: PASSWORD }),
  });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`the admin login answered ${response.status} without a cookie`);
  return cookie;
}

/** Loads a page to its last byte; its time in ms and how many connection rows it holds. */
async function load(origin: string, path: string, cookie: string): Promise<{ ms: number; rows: number }> {
  const start = performance.now();
  const response = await fetch(`${origin}${path}`, { headers: { cookie } });
  const html = await response.text();
  const ms = performance.now() - start;
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return { ms, rows: html.split('data-testid="admin-connection"').length - 1 };
}

const dir = mkdtempSync(join(tmpdir(), "herenow-bench-admin-"));
const databaseUrl = `pglite://${join(dir, "pglite")}`;
await fill(databaseUrl);
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const dev = await startNext(port, databaseUrl);
try {
  const cookie = await signIn(origin);
  // the big room searched for nobody: its database reads without the rows' rendering
  const pages = { small: `/admin/rooms/${SMALL}`, big: `/admin/rooms/${BIG}`, none: `/admin/rooms/${BIG}?q=nobody` };
  const kinds = ["small", "big", "none"] as const;
  const first = { small: 0, big: 0, none: 0 };
  const times = { small: [] as number[], big: [] as number[], none: [] as number[] };
  const rows = { small: 0, big: 0, none: 0 };
  for (let warm = 0; warm < 2; warm++) {
    for (const which of kinds) {
      const { ms } = await load(origin, pages[which], cookie);
      if (warm === 0) first[which] = ms;
    }
  }
  for (let run = 0; run < RUNS; run++) {
    // each first in turn
    const order = kinds.map((_, k) => kinds[(k + run) % kinds.length] ?? "small");
    for (const which of order) {
      const loaded = await load(origin, pages[which], cookie);
      times[which].push(loaded.ms);
      rows[which] = loaded.rows;
    }
  }
  const ms = (value: number) => value.toFixed(0);
  console.info(machine());
  console.info(
    `next ${MODE}, PGlite; ${RUNS} runs, each page first in turn, after 2 warm-up loads; ms to the last byte`,
  );
  console.info(
    table(
      ["room", "connections", "rows rendered", "first load (compiles) ms", "median ms"],
      [
        [SMALL, 10, rows.small, ms(first.small), ms(median(times.small))],
        [BIG, CONNECTIONS, rows.big, ms(first.big), ms(median(times.big))],
        [`${BIG}, searched for nobody`, CONNECTIONS, rows.none, ms(first.none), ms(median(times.none))],
      ],
    ),
  );
  console.info(`${CONNECTIONS} against 10 connections: ${(median(times.big) / median(times.small)).toFixed(2)}×`);
} finally {
  await dev.stop();
  rmSync(dir, { recursive: true, force: true });
}
