// `npm run dev` for the party: `wrangler dev` on port 1999, offline, with the shared
// development secret and the demo web app's webhook, unless the environment already sets them.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DEV_PARTY_SETTINGS } from "../../scripts/dev-party-settings.mjs";
import { devSecret, repoRoot } from "../../scripts/dev-secret.mjs";
import { writeWranglerEnvFile } from "../../scripts/wrangler-env-file.mjs";

const port = process.env.PARTY_PORT ?? "1999";
const vars = {
  ...DEV_PARTY_SETTINGS,
  HERENOW_SECRET: devSecret(),
  HERENOW_WEBHOOK_URL: process.env.HERENOW_WEBHOOK_URL ?? "http://127.0.0.1:3000/api/herenow/events",
};
for (const name of ["HERENOW_MAX_AGE_MS", "HERENOW_LEAVE_GRACE_MS", "HERENOW_AWAY_GRACE_MS", "HERENOW_ANONYMOUS"]) {
  if (process.env[name]) vars[name] = process.env[name];
}
const args = ["wrangler", "dev", "--port", port, "--ip", "127.0.0.1", "--persist-to", "../.data/wrangler"];
args.push("--show-interactive-dev-session=false");
// in a file, not `--var` arguments that anyone on the machine can read on the command line;
// wrangler then reads no party/.dev.vars (that file is for `cd party && npx wrangler dev`)
const envFile = join(repoRoot, ".data", "party-dev.env");
writeWranglerEnvFile(envFile, vars);
args.push("--env-file", envFile);
// offline, wrangler would try to fetch the `Request.cf` placeholder at every start and print a
// stack trace twice; the built-in placeholder is what it falls back to anyway
const env = { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env };
const child = spawn("npx", args, { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
