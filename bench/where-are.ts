// What store.whereAre costs (issue 29, item 2): 100,000 connections across 10,000 rooms, 60,000
// users in them (a tenth of connections anonymous) and 200,000 ended sessions of 120,000 users,
// half of them in no room now; each run asks 1,000 ids (half in rooms, half not, a fresh pick)
// and, as the baseline in the same loop, one id, to show what the 999 more cost over the round
// trip. PGlite, and PostgreSQL when DATABASE_URL is set (a scratch database, dropped after).
// Run: npm run where-are -w @herenow/bench  (-- --runs 101)
import { parseArgs } from "node:util";
import { createPresenceStore, type Database } from "@herenow/db";
import { type Kysely, sql } from "kysely";
import { onEachDatabase } from "./lib/databases";
import { machine, median, percentile, table } from "./lib/run";

const { values } = parseArgs({ options: { runs: { type: "string", default: "101" } } });
const RUNS = Number(values.runs);
const ROOMS = 10_000;
const CONNECTIONS = 100_000;
const USERS_IN_ROOMS = 60_000;
const USERS_EVER = 120_000;
const ENDED_SESSIONS = 200_000;
const ASKED = 1_000;

async function fill(db: Kysely<Database>): Promise<void> {
  const t0 = sql.lit("2026-12-05T12:00:00Z");
  await sql`insert into herenow_rooms (name, last_activity_at)
    select 'room-' || g, ${t0}::timestamptz from generate_series(0, ${ROOMS - 1}) g`.execute(db);
  await sql`insert into herenow_presences (room, connection_id, user_id, user_name, joined_at, last_seen_at, status, active_at)
    select 'room-' || (g % ${ROOMS}), 'c-' || g,
      case when g % 10 = 9 then null else 'u-' || (g % ${USERS_IN_ROOMS}) end,
      case when g % 10 = 9 then null else 'Someone' end,
      ${t0}::timestamptz + g * interval '1 ms', ${t0}::timestamptz,
      (array['active', 'idle', 'hidden'])[1 + g % 3],
      case when g % 3 = 0 then null else ${t0}::timestamptz end
    from generate_series(0, ${CONNECTIONS - 1}) g`.execute(db);
  await sql`insert into herenow_sessions (room, connection_id, user_id, user_name, joined_at)
    select room, connection_id, user_id, user_name, joined_at from herenow_presences`.execute(db);
  await sql`insert into herenow_sessions (room, connection_id, user_id, user_name, joined_at, left_at, end_reason)
    select 'room-' || (g % ${ROOMS}), 'h-' || g, 'u-' || (g % ${USERS_EVER}), 'Someone',
      ${t0}::timestamptz - interval '1 day' + g * interval '1 s',
      ${t0}::timestamptz - interval '1 day' + g * interval '1 s' + interval '10 min', 'left'
    from generate_series(0, ${ENDED_SESSIONS - 1}) g`.execute(db);
  await sql`analyze`.execute(db);
}

/** A deterministic pick: half of the ids among users in rooms, half among those in none. */
function pick(run: number, count: number): string[] {
  let seed = 0x9e3779b9 ^ (run * 7919);
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0 ? `u-${next() % USERS_IN_ROOMS}` : `u-${USERS_IN_ROOMS + (next() % (USERS_EVER - USERS_IN_ROOMS))}`,
  );
}

async function measure(label: string, db: Kysely<Database>): Promise<(string | number)[][]> {
  const started = performance.now();
  await fill(db);
  console.info(`${label}: filled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const store = createPresenceStore(db);
  const many: number[] = [];
  const one: number[] = [];
  let inRooms = 0;
  const time = async (ids: string[], into: number[]) => {
    const start = performance.now();
    const found = await store.whereAre(ids);
    into.push(performance.now() - start);
    return found;
  };
  for (let run = 0; run < RUNS; run++) {
    // each first on every other run, so neither always finds the other's pages in the cache
    if (run % 2 === 1) await time(pick(run + 1_000_000, 1), one);
    const found = await time(pick(run, ASKED), many);
    if (run % 2 === 0) await time(pick(run + 1_000_000, 1), one);
    inRooms += [...found.values()].filter((where) => where.rooms.length > 0).length;
  }
  const ms = (value: number) => value.toFixed(2);
  console.info(`${label}: ${(inRooms / RUNS).toFixed(0)} of ${ASKED} asked were in a room, on average`);
  return [
    [label, `${ASKED} ids`, ms(median(many)), ms(percentile(many, 95)), `${(median(many) / median(one)).toFixed(1)}×`],
    [label, "1 id (baseline)", ms(median(one)), ms(percentile(one, 95)), "1.0×"],
  ];
}

const header = machine();
const rows = await onEachDatabase(measure);

console.info(header);
console.info(
  `${CONNECTIONS} connections in ${ROOMS} rooms, ${ENDED_SESSIONS} ended sessions; ${RUNS} runs, a fresh pick of ids each`,
);
console.info(table(["database", "asked", "median ms", "p95 ms", "vs 1 id"], rows));
