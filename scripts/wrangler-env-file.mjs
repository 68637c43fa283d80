// The settings `wrangler dev` gives the worker, written to a file it reads with `--env-file`
// instead of `--var NAME:value` arguments: a process's command line is readable by every user
// of the machine (ps, /proc/<pid>/cmdline), and HERENOW_SECRET signs every token.
// Used by the party's `npm run dev` (party/scripts/dev.mjs) and the test harness's `wrangler dev`.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes `vars` as a dotenv file only its owner can read, for `wrangler dev --env-file <file>`.
 * Values are single-quoted, which dotenv takes literally; a value holding a quote, a `$` (which
 * wrangler's variable expansion would rewrite) or a line break is refused rather than mangled.
 */
export function writeWranglerEnvFile(file, vars) {
  const lines = Object.entries(vars).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${name}: not a variable name wrangler reads`);
    if (/['$\r\n]/.test(value)) throw new Error(`${name}: a value for wrangler dev may not hold ', $ or a line break`);
    return `${name}='${value}'\n`;
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lines.join(""), { mode: 0o600 });
  // the mode above applies only to a new file
  chmodSync(file, 0o600);
}
