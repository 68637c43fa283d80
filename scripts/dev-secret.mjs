// The development secret shared by the party and the web app.
// `npm run dev` calls this: with no HERENOW_SECRET in the environment it makes
// one (48 random bytes, hex) in .data/dev-secret at the repository root and
// reuses it on every later start, so tokens signed by the web app verify in
// the party. Production never reads this file: set HERENOW_SECRET instead.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const devSecretFile = join(repoRoot, ".data", "dev-secret");

/** HERENOW_SECRET from the environment, else the shared development secret (created on first use). */
export function devSecret() {
  if (process.env.HERENOW_SECRET) return process.env.HERENOW_SECRET;
  if (existsSync(devSecretFile)) {
    const saved = readFileSync(devSecretFile, "utf8").trim();
    if (saved.length >= 32) return saved;
  }
  mkdirSync(dirname(devSecretFile), { recursive: true });
  const secret = randomBytes(48).toString("hex");
  try {
    // "wx": the party and the web app start together; whichever writes first wins
    writeFileSync(devSecretFile, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    return readFileSync(devSecretFile, "utf8").trim();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(devSecret());
