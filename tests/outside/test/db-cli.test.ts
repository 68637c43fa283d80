// A Node app outside the monorepo installs @herenow/db from its tarball with one driver
// (PGlite), uses the store, and runs the compiled `herenow` command: no tsx, no src/.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp, npmInstall, pinnedVersion, run, tarballOf } from "./outside";

const packed = inject("packed");

describe.skipIf(inject("registryProblem") !== null)("a Node app that installs the @herenow/db tarball", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = createApp(
      "node-app",
      { dependencies: { "@electric-sql/pglite": pinnedVersion("@electric-sql/pglite") }, devDependencies: {} },
      { "@herenow/db": tarballOf(packed, "@herenow/db"), "@herenow/core": tarballOf(packed, "@herenow/core") },
    );
    await npmInstall(dir);
    const { DATABASE_URL: _a, POSTGRES_URL: _b, ...rest } = process.env;
    env = { ...rest, DATABASE_URL: `pglite://${join(dir, "data")}` };
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs no TypeScript runner and no driver it was not asked for", () => {
    for (const name of ["tsx", "pg", "@vercel/postgres"])
      expect(existsSync(join(dir, "node_modules", name)), name).toBe(false);
  });

  it("keeps presences with the store and prunes them with the compiled herenow command", async () => {
    expect(await run("node", ["seed.mjs"], dir, env)).toContain('["Ann","Bo"]');
    const pruned = await run(join(dir, "node_modules", ".bin", "herenow"), ["prune", "--max-age", "5m"], dir, env);
    expect(pruned).toContain("Removed 1 stale presence (not seen for 5m):");
    expect(pruned).toContain("c-stale");
    expect(await run(join(dir, "node_modules", ".bin", "herenow"), ["--help"], dir, env)).toContain(
      "Usage: herenow prune",
    );
  });
});
