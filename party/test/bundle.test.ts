import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCommand } from "@herenow/testing";
import { afterAll, describe, expect, it } from "vitest";

const partyDir = join(import.meta.dirname, "..");
const outDir = mkdtempSync(join(tmpdir(), "herenow-bundle-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the deployable worker", () => {
  it("builds with `wrangler deploy --dry-run`, as `npx wrangler deploy` would upload it", async () => {
    // in a group of its own, killed with the esbuild it starts after 110 s: before the test times
    // out, so the failure says why and nothing outlives it
    const output = await runCommand("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir], {
      cwd: partyDir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      timeoutMs: 110_000,
    });
    expect(output).toContain("--dry-run: exiting now.");
    // the Durable Object binding the URLs depend on (/parties/main/<room>)
    expect(output).toMatch(/env\.Main \(Main\)\s+Durable Object/);
    const bundle = readFileSync(join(outDir, "server.js"));
    // the worker exports the room class the binding names, and routes with PartyServer
    expect(bundle.toString()).toMatch(/export\s*\{[^}]*\bMain\b/);
    expect(bundle.toString()).toContain("routePartykitRequest");
    const gzipped = gzipSync(bundle).byteLength;
    console.info(
      `party bundle: ${(bundle.byteLength / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped`,
    );
    // the Workers free plan takes 3 MB gzipped per worker; herenow is far below it
    expect(gzipped).toBeLessThan(3 * 1024 * 1024);
  }, 120_000);
});
