// The development secret shared by the party and the web app.
// `npm run dev` calls this: with no HERENOW_SECRET in the environment it makes
// one (48 random bytes, hex) in .data/dev-secret at the repository root and
// reuses it on every later start, so tokens signed by the web app verify in
// the party. Production never reads this file: set HERENOW_SECRET instead.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readOrCreateDevSecret } from "./dev-secret-file.mjs";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const devSecretFile = join(repoRoot, ".data", "dev-secret");
/** The shortest secret the party and the web app accept (core's LIMITS.minSecretBytes). */
const MIN_SECRET_LENGTH = 32;

/** HERENOW_SECRET from the environment, else the shared development secret (created on first use). */
export function devSecret() {
  return process.env.HERENOW_SECRET || readOrCreateDevSecret(devSecretFile, MIN_SECRET_LENGTH);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(devSecret());
