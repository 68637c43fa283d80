import { parseArgs } from "node:util";
import { redactDbUrl } from "../create-db";
import { migrateDown, migrateToLatest } from "../migrate";
import { type CliIo, openCliDb, processIo } from "./cli-io";

// `npm run db:migrate [-- --down]`: migrates the database the environment
// configures (DATABASE_URL, POSTGRES_URL or the embedded PGlite).

/** Runs the migrations; resolves to the exit code (1 when a migration failed, 2 for bad arguments). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let down: boolean;
  try {
    down = parseArgs({ args: argv, options: { down: { type: "boolean", default: false } } }).values.down;
  } catch (error) {
    io.err(`db:migrate: ${(error as Error).message}\nUsage: npm run db:migrate [-- --down]`);
    return 2;
  }
  // Embedded databases migrate themselves on first use; turn that off here so
  // the results below are this command's own.
  let opened: ReturnType<typeof openCliDb>;
  try {
    opened = openCliDb(io.env, { migrate: false });
  } catch (error) {
    io.err(`db:migrate: ${(error as Error).message}`);
    return 1;
  }
  const { url, db } = opened;
  try {
    io.out(`${down ? "Reverting the last migration of" : "Migrating"} ${redactDbUrl(url)}`);
    const { error, results = [] } = down ? await migrateDown(db) : await migrateToLatest(db);
    for (const r of results)
      io.out(`  ${r.status === "Success" ? "ok  " : "FAIL"} ${r.direction} ${r.migrationName} (${r.status})`);
    if (error !== undefined) {
      io.err(`Migration failed: ${redactDbUrl(error instanceof Error ? error.message : String(error))}`);
      return 1;
    }
    if (results.length === 0) io.out("  nothing to do: already up to date");
    return 0;
  } catch (error) {
    io.err(`Migration failed: ${redactDbUrl(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
