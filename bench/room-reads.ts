// What the web app's room reads cost when most rooms are empty: the lobby's list
// (store.busiestRooms against the old listRooms, filter and sort in JS) and one room
// for the admin page (store.getRoom against the old listRooms().find), on PGlite and,
// when DATABASE_URL is set, on PostgreSQL (in a scratch database, dropped after).
// Old and new run in one loop, each first on every other run; medians and their ratio.
// Run: npm run room-reads -w @herenow/bench  (-- --rooms 20000 --occupied 200 --runs 21)
import { parseArgs } from "node:util";
import {
  createDb,
  createPresenceStore,
  type Database,
  migrateToLatest,
  type RoomSummary,
  throwIfMigrationFailed,
} from "@herenow/db";
import { type Kysely, sql } from "kysely";
import { machine, median, table } from "./lib/run";

const { values } = parseArgs({
  options: {
    rooms: { type: "string", default: "20000" },
    occupied: { type: "string", default: "200" },
    runs: { type: "string", default: "21" },
  },
});
const ROOMS = Number(values.rooms);
const OCCUPIED = Number(values.occupied);
const RUNS = Number(values.runs);
const LOBBY = 100;
const CHUNK = 5_000;

const nameOf = (i: number) => `room-${String(i).padStart(6, "0")}`;

/** ROOMS rooms, every (ROOMS / OCCUPIED)th with 1 to 20 connections (a third anonymous), the rest empty. */
async function fill(db: Kysely<Database>): Promise<void> {
  const t0 = new Date("2026-11-29T12:00:00Z").getTime();
  const rooms = Array.from({ length: ROOMS }, (_, i) => ({ name: nameOf(i), last_activity_at: new Date(t0 + i) }));
  const presences = [];
  const step = Math.floor(ROOMS / OCCUPIED);
  for (let r = 0; r < OCCUPIED; r++) {
    const room = nameOf(r * step);
    for (let c = 0; c < 1 + ((r * 7) % 20); c++) {
      const anonymous = c % 3 === 2;
      presences.push({
        room,
        connection_id: `c-${r}-${c}`,
        user_id: anonymous ? null : `u-${(r * 13 + c) % 500}`,
        user_name: anonymous ? null : "Someone",
        joined_at: new Date(t0),
        last_seen_at: new Date(t0),
      });
    }
  }
  for (let i = 0; i < rooms.length; i += CHUNK) {
    await db
      .insertInto("herenow_rooms")
      .values(rooms.slice(i, i + CHUNK))
      .execute();
  }
  for (let i = 0; i < presences.length; i += CHUNK) {
    await db
      .insertInto("herenow_presences")
      .values(presences.slice(i, i + CHUNK))
      .execute();
  }
  await sql`analyze`.execute(db);
}

/** The lobby as the web app read it before store.busiestRooms. */
function oldLobby(rooms: RoomSummary[]): string[] {
  return rooms
    .filter((room) => room.users + room.anonymous > 0)
    .sort(
      (a, b) =>
        b.users + b.anonymous - (a.users + a.anonymous) || b.lastActivityAt.getTime() - a.lastActivityAt.getTime(),
    )
    .slice(0, LOBBY)
    .map((room) => room.name);
}

/** Runs the functions one after another (never at once), their results in the same order. */
async function inOrder<T>(fns: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const fn of fns) results.push(await fn());
  return results;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

async function measure(label: string, db: Kysely<Database>) {
  const store = createPresenceStore(db);
  await fill(db);
  const times = { oldLobby: [] as number[], lobby: [] as number[], oldRoom: [] as number[], room: [] as number[] };
  const target = nameOf(Math.floor(ROOMS / OCCUPIED) * Math.floor(OCCUPIED / 2));
  for (let run = 0; run < RUNS; run++) {
    // each way goes first on every other run, so neither always finds the other's pages in the cache
    const ways = [
      async () => {
        const [ms, names] = await timed(async () => oldLobby(await store.listRooms()));
        times.oldLobby.push(ms);
        return names;
      },
      async () => {
        const [ms, rooms] = await timed(() => store.busiestRooms(LOBBY));
        times.lobby.push(ms);
        return rooms.map((room) => room.name);
      },
    ];
    const [before, after] = run % 2 === 0 ? await inOrder(ways) : (await inOrder([...ways].reverse())).reverse();
    if (JSON.stringify(before) !== JSON.stringify(after)) throw new Error(`${label}: the two lobbies differ`);

    const reads = [
      async () => {
        const [ms, room] = await timed(async () => (await store.listRooms()).find((r) => r.name === target));
        times.oldRoom.push(ms);
        return room;
      },
      async () => {
        const [ms, room] = await timed(() => store.getRoom(target));
        times.room.push(ms);
        return room;
      },
    ];
    const [listed, one] = run % 2 === 0 ? await inOrder(reads) : (await inOrder([...reads].reverse())).reverse();
    if (JSON.stringify(listed) !== JSON.stringify(one)) throw new Error(`${label}: the two room reads differ`);
  }
  const ms = (values: number[]) => median(values).toFixed(2);
  const ratio = (old: number[], now: number[]) => (median(old) / median(now)).toFixed(1);
  return [
    [label, "lobby (100 busiest)", ms(times.oldLobby), ms(times.lobby), `${ratio(times.oldLobby, times.lobby)}×`],
    [label, "one room (admin)", ms(times.oldRoom), ms(times.room), `${ratio(times.oldRoom, times.room)}×`],
  ];
}

async function migrated(url: string): Promise<Kysely<Database>> {
  const db = createDb({ url });
  throwIfMigrationFailed(await migrateToLatest(db));
  return db;
}

const header = machine();
const rows: string[][] = [];
const pglite = await migrated("pglite://memory");
rows.push(...(await measure("PGlite", pglite)));
await pglite.destroy();

const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl?.startsWith("postgres")) {
  const admin = createDb({ url: databaseUrl });
  const scratch = `herenow_bench_${process.pid}`;
  await sql.raw(`create database "${scratch}"`).execute(admin);
  try {
    const url = new URL(databaseUrl);
    url.pathname = `/${scratch}`;
    const pg = await migrated(url.toString());
    try {
      rows.push(...(await measure("PostgreSQL", pg)));
    } finally {
      await pg.destroy();
    }
  } finally {
    await sql.raw(`drop database if exists "${scratch}" with (force)`).execute(admin);
    await admin.destroy();
  }
} else {
  console.warn("DATABASE_URL not set: PostgreSQL skipped (PGlite only)");
}

console.info(header);
console.info(
  `${ROOMS} rooms, ${OCCUPIED} with people; ${RUNS} runs each, old and new in turn, each first on every other run; median ms`,
);
console.info(table(["database", "read", "before (listRooms) ms", "now ms", "faster"], rows));
