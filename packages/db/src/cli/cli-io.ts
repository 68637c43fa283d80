import { createDb, resolveDbUrl } from "../create-db";

/** Where a CLI writes, and what it reads from its environment: passed in so the commands stay testable. */
export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The real process's streams and environment. */
export const processIo: CliIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Opens the database the environment configures. A relative pglite path is
 * resolved against INIT_CWD, the directory `npm run` was started from,
 * rather than the package directory npm switches into.
 */
export function openCliDb(env: CliIo["env"], options: { migrate?: boolean } = {}) {
  const url = resolveDbUrl(env);
  const db = createDb({ url, cwd: env.INIT_CWD || process.cwd(), ...options });
  return { url, db };
}
