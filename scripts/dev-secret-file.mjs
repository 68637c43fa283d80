// The rules of the development secret file, for both of its readers: the party's `npm run dev`
// (through dev-secret.mjs) and the web app's settings (apps/web/src/env.ts), so tokens the web
// app signs verify in the party. No import.meta here: the web app's bundler takes this file as
// it is, and is given the file's path instead.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The secret saved in `file`, or a new one (48 random bytes, hex) saved there when the file is
 * missing or holds fewer than `minLength` characters. The party and the web app start together:
 * a new file is created exclusively, and whichever writes first wins.
 */
export function readOrCreateDevSecret(file, minLength) {
  const existed = existsSync(file);
  if (existed) {
    const saved = readFileSync(file, "utf8").trim();
    if (saved.length >= minLength) return saved;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString("hex");
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existed ? "w" : "wx" });
  } catch (error) {
    if (error?.code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw error;
  }
  return secret;
}
