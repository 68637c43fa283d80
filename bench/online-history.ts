// What the admin's charts cost (issue 30): store.onlineHistory and store.presenceQuality over
// 1,000,000 sessions, 30 days of history across 1,000 rooms of 20,000 users (a tenth of the
// stays anonymous, 0.5% still open, a twentieth ended by the prune, stays of 30 s to an hour
// and a few of a day), for the site and for one room (a different one each run), over the hour,
// the day and the week. The baseline, in the same loop, is a plain count of the stays the range
// overlaps: what any chart of it must at least read. PGlite, and PostgreSQL when DATABASE_URL is
// set (a scratch database, dropped after). Per range: the first read with nothing kept (cold), then
// --runs reads 5 s apart as the admin page refreshes (warm: the site's settled steps are kept).
// Run: npm run online-history -w @herenow/bench  (-- --runs 31 --db postgres|pglite|both)
import { parseArgs } from "node:util";
import { createPresenceStore, type Database, type HistoryRange, rangeWindow } from "@herenow/db";
import { type Kysely, sql } from "kysely";
import { migrated, onEachDatabase, onScratchPostgres } from "./lib/databases";
import { machine, median, percentile, table } from "./lib/run";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "31" }, db: { type: "string", default: "both" } },
});
const RUNS = Number(values.runs);
const SESSIONS = 1_000_000;
const ROOMS = 1_000;
const USERS = 20_000;
const NOW = new Date("2026-12-05T12:00:30Z");
const DAYS = 30;

async function fill(db: Kysely<Database>): Promise<void> {
  const start = new Date(NOW.getTime() - DAYS * 86_400_000).toISOString();
  const spacingMs = (DAYS * 86_400_000) / SESSIONS;
  // g * 7919 mod 3571 spreads stay lengths over 30 s .. an hour without a pattern per room
  await sql`insert into herenow_sessions (room, connection_id, user_id, user_name, joined_at, left_at, end_reason, leave_ms)
    select 'room-' || (g % ${ROOMS}), 'c-' || g,
      case when g % 10 = 9 then null else 'u-' || (g % ${USERS}) end,
      case when g % 10 = 9 then null else 'Someone' end,
      j, case when g % 200 = 0 and j > ${NOW.toISOString()}::timestamptz - interval '1 day' then null
        else j + (30 + (g * 7919) % 3571 + case when g % 1000 = 1 then 86400 else 0 end) * interval '1 s' end,
      case when g % 200 = 0 and j > ${NOW.toISOString()}::timestamptz - interval '1 day' then null
        when g % 20 = 3 then 'stale' when g % 3 = 0 then 'left' else 'closed' end,
      case when g % 3 in (1, 2) and g % 20 <> 3 then (g * 31) % 6000 else null end
    from generate_series(0::bigint, ${SESSIONS - 1}) g,
      lateral (select ${start}::timestamptz + g * ${spacingMs}::float8 * interval '1 ms' as j) t`.execute(db);
  // a restart of some room every 10 minutes
  await sql`insert into herenow_generations (room, generation, previous, seen_at, lost)
    select 'room-' || (g % ${ROOMS}), 'g-' || g, 'g-' || (g - 1),
      ${start}::timestamptz + g * interval '10 min', 1 from generate_series(1, ${DAYS * 144}) g`.execute(db);
  await sql`analyze`.execute(db);
}

type Kind = "online, site" | "online, one room" | "quality, site" | "quality, one room" | "count (baseline)";
const KINDS: Kind[] = ["online, site", "online, one room", "quality, site", "quality, one room", "count (baseline)"];

async function measure(label: string, db: Kysely<Database>): Promise<(string | number)[][]> {
  const started = performance.now();
  await fill(db);
  console.info(`${label}: filled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // the admin page refreshes every 5 s: each run reads 5 s after the one before
  let clock = NOW.getTime();
  const store = createPresenceStore(db, { now: () => new Date(clock) });
  const rows: (string | number)[][] = [];
  for (const range of ["hour", "day", "week"] as HistoryRange[]) {
    // cold: nothing kept yet, the first read of the range counts every step
    await sql`truncate herenow_online_steps, herenow_quality_steps, herenow_quality_rooms`.execute(db);
    clock = NOW.getTime();
    const cold = new Map<Kind, number>();
    const times = new Map<Kind, number[]>(KINDS.map((kind) => [kind, []]));
    const run = async (kind: Kind, work: () => Promise<unknown>, first: boolean) => {
      const t = performance.now();
      await work();
      if (first) cold.set(kind, performance.now() - t);
      else times.get(kind)?.push(performance.now() - t);
    };
    for (let i = -1; i < RUNS; i++) {
      clock = NOW.getTime() + Math.max(0, i) * 5_000;
      const window = rangeWindow(range, new Date(clock));
      const room = `room-${((i + 1) * 37) % ROOMS}`;
      // the order turns each run, so no query always finds the pages another just read
      const steps: [Kind, () => Promise<unknown>][] = [
        ["online, site", () => store.onlineHistory({ range })],
        ["online, one room", () => store.onlineHistory({ range, room })],
        ["quality, site", () => store.presenceQuality({ range })],
        ["quality, one room", () => store.presenceQuality({ range, room })],
        [
          "count (baseline)",
          () =>
            sql`select count(*) from herenow_sessions s where s.joined_at < ${window.to.toISOString()}::timestamptz
              and (s.left_at is null or s.left_at > ${window.from.toISOString()}::timestamptz)`.execute(db),
        ],
      ];
      for (let k = 0; k < steps.length; k++) {
        const [kind, work] = steps[(k + i + 1) % steps.length] as [Kind, () => Promise<unknown>];
        await run(kind, work, i < 0);
      }
    }
    const base = median(times.get("count (baseline)") ?? []);
    for (const kind of KINDS) {
      const list = times.get(kind) ?? [];
      rows.push([
        label,
        range,
        kind,
        (cold.get(kind) ?? 0).toFixed(1),
        median(list).toFixed(1),
        percentile(list, 95).toFixed(1),
        `${(median(list) / base).toFixed(2)}×`,
      ]);
    }
  }
  return rows;
}

const header = machine();
// `--db postgres` or `--db pglite` for one of them: PGlite in WASM takes seconds a query on a million rows
async function measureOn(which: string): Promise<(string | number)[][]> {
  if (which === "both") return onEachDatabase(measure);
  const rows: (string | number)[][] = [];
  if (which === "postgres") {
    await onScratchPostgres(async (pg) => {
      rows.push(...(await measure("PostgreSQL", pg)));
    });
  } else {
    const pglite = await migrated("pglite://memory");
    try {
      rows.push(...(await measure("PGlite", pglite)));
    } finally {
      await pglite.destroy();
    }
  }
  return rows;
}

const rows = await measureOn(values.db ?? "both");
console.info(header);
console.info(`${SESSIONS} sessions over ${DAYS} days in ${ROOMS} rooms; ${RUNS} runs per range`);
console.info(table(["database", "range", "query", "cold ms", "warm median ms", "warm p95 ms", "vs count"], rows));
