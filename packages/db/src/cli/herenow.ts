import { parseArgs } from "node:util";
import { redactDbUrl } from "../create-db";
import { formatDuration, parseDuration } from "../duration";
import type { Presence } from "../presence-types";
import { runPrune } from "../run-prune";
import { DEFAULT_MAX_AGE_MS } from "../store";
import { type CliIo, openCliDb, processIo } from "./cli-io";

const USAGE = `Usage: herenow prune [--max-age <duration>] [--rooms]

Removes presences not seen for longer than the max age and closes their
sessions as "stale"; with --rooms, also deletes rooms nobody is in. Also
forgets the ids of webhook batches applied more than a day ago, and the parts
of large batches that never completed within a day.

Options:
  --max-age <duration>  default 60s; e.g. 1500ms, 60s, 5m, 1h or plain milliseconds
  --rooms               also delete empty rooms
  -h, --help            show this help

The database is DATABASE_URL, else POSTGRES_URL (as Vercel's Neon sets it), else the
embedded PGlite in .data/pglite. PGlite allows one process at a time: while
the web app has an embedded database open, prune from the app (runPrune)
instead.`;

/** Exit codes: 0 done, 1 the prune failed, 2 bad arguments. */
class UsageError extends Error {}

/** Runs `herenow <args>`; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let command: { maxAgeMs: number; rooms: boolean } | "help";
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) throw error;
    io.err(`herenow: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (command === "help") {
    io.out(USAGE);
    return 0;
  }

  let opened: ReturnType<typeof openCliDb>;
  try {
    opened = openCliDb(io.env);
  } catch (error) {
    io.err(`herenow: ${(error as Error).message}`);
    return 1;
  }
  const { url, db } = opened;
  try {
    const report = await runPrune(db, command);
    const age = formatDuration(command.maxAgeMs);
    if (report.presences.length === 0) io.out(`No stale presences (max age ${age}).`);
    else io.out(`Removed ${plural(report.presences.length, "stale presence")} (not seen for ${age}):`);
    for (const p of report.presences) io.out(`  ${describe(p)}`);
    if (command.rooms) {
      io.out(report.rooms.length === 0 ? "No empty rooms." : `Removed ${plural(report.rooms.length, "empty room")}:`);
      for (const room of report.rooms) io.out(`  ${room}`);
    }
    if (report.batches > 0) io.out(`Forgot ${plural(report.batches, "webhook batch id")} older than a day.`);
    if (report.parts > 0) io.out(`Dropped ${plural(report.parts, "part")} of webhook batches that never completed.`);
    return 0;
  } catch (error) {
    io.err(redactDbUrl(`herenow prune failed on ${url}: ${error instanceof Error ? error.message : String(error)}`));
    return 1;
  } finally {
    await db.destroy();
  }
}

function parseCommand(argv: string[]): { maxAgeMs: number; rooms: boolean } | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "max-age": { type: "string" },
      rooms: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError("missing command: the only command is prune");
  if (name !== "prune") throw new UsageError(`unknown command "${name}": the only command is prune`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  let maxAgeMs = DEFAULT_MAX_AGE_MS;
  if (values["max-age"] !== undefined) {
    try {
      maxAgeMs = parseDuration(values["max-age"]);
    } catch (error) {
      throw new UsageError(`--max-age: ${(error as Error).message}`);
    }
  }
  return { maxAgeMs, rooms: values.rooms };
}

function describe(p: Presence): string {
  const who = p.user ? `${p.user.name} (${p.user.id})` : "anonymous";
  return `${p.room}  ${p.connectionId}  ${who}  last seen ${p.lastSeenAt.toISOString()}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
