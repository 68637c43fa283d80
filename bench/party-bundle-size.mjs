#!/usr/bin/env node
// Measures the worker bundles as `npx wrangler deploy` would upload them: built with
// `wrangler deploy --dry-run` (no account needed; not minified, wrangler's default), then
// gzipped. The Workers free plan takes 3 MB gzipped per worker.
// Run: npm run size:party -w @herenow/bench
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const here = import.meta.dirname;
const workers = [
  ["herenow party (party/)", join(here, "..", "party")],
  ["baseline (bench/baseline-party)", join(here, "baseline-party")],
];
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log("| worker | server.js | gzipped | free plan limit |");
console.log("| --- | ---: | ---: | --- |");
for (const [name, dir] of workers) {
  const out = mkdtempSync(join(tmpdir(), "herenow-bundle-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const bundle = readFileSync(join(out, "server.js"));
    const gzipped = gzipSync(bundle).byteLength;
    console.log(
      `| ${name} | ${kib(bundle.byteLength)} | ${kib(gzipped)} | ${gzipped < 3 * 2 ** 20 ? "ok" : "OVER"} (3 MB) |`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
