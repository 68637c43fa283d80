// What the web app's room reads cost when most rooms are empty: the lobby's list
// (store.busiestRooms against the old listRooms, filter and sort in JS) and one room
// for the admin page (store.getRoom against the old listRooms().find), on PGlite and,
// when DATABASE_URL is set, on PostgreSQL (in a scratch database, dropped after).
// Old and new run in one loop, each first on every other run; medians and their ratio.
// Run: npm run room-reads -w @herenow/bench  (-- --rooms 20000 --occupied 200 --runs 21)
import { parseArgs } from "node:util";
import { createPresenceStore, type Database, type RoomSummary } from "@herenow/db";
import { type Kysely, sql } from "kysely";
import { onEachDatabase } from "./lib/databases";
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

/** The times of a read done the old way and the new way. */
interface Times {
  old: number[];
  now: number[];
}

/**
 * Times one old and one new read, each first on every other run so neither always
 * finds the other's pages in the cache, and checks that they gave the same answer.
 */
async function compare<T>(run: number, what: string, times: Times, old: () => Promise<T>, now: () => Promise<T>) {
  const once = async (read: () => Promise<T>, into: number[]) => {
    const start = performance.now();
    const result = await read();
    into.push(performance.now() - start);
    return JSON.stringify(result);
  };
  let before: string;
  let after: string;
  if (run % 2 === 0) {
    before = await once(old, times.old);
    after = await once(now, times.now);
  } else {
    after = await once(now, times.now);
    before = await once(old, times.old);
  }
  if (before !== after) throw new Error(`${what}: the old and the new read differ`);
}

async function measure(label: string, db: Kysely<Database>) {
  const store = createPresenceStore(db);
  await fill(db);
  const lobby: Times = { old: [], now: [] };
  const room: Times = { old: [], now: [] };
  const target = nameOf(Math.floor(ROOMS / OCCUPIED) * Math.floor(OCCUPIED / 2));
  for (let run = 0; run < RUNS; run++) {
    await compare(
      run,
      `${label} lobby`,
      lobby,
      async () => oldLobby(await store.listRooms()),
      async () => (await store.busiestRooms(LOBBY)).map((r) => r.name),
    );
    await compare(
      run,
      `${label} room`,
      room,
      async () => (await store.listRooms()).find((r) => r.name === target) ?? null,
      () => store.getRoom(target),
    );
  }
  const ms = (values: number[]) => median(values).toFixed(2);
  const row = (read: string, { old, now }: Times) => [
    label,
    read,
    ms(old),
    ms(now),
    `${(median(old) / median(now)).toFixed(1)}×`,
  ];
  return [row("lobby (100 busiest)", lobby), row("one room (admin)", room)];
}

const header = machine();
const rows = await onEachDatabase(measure);

console.info(header);
console.info(
  `${ROOMS} rooms, ${OCCUPIED} with people; ${RUNS} runs each, old and new in turn, each first on every other run; median ms`,
);
console.info(table(["database", "read", "before (listRooms) ms", "now ms", "faster"], rows));
