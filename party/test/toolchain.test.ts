// The toolchain everything here runs on: the project's own Node 24 (the root package.json pins it
// as an optional dependency, npm puts it first on PATH for every script), every installed package
// accepting that Node (what npm's EBADENGINE warning checks), and a worker built for the runtime
// wrangler brings.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import semver from "semver";
import { describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "..", "..");
const rootManifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
  packages: Record<
    string,
    { engines?: { node?: string } | string[]; optional?: boolean; os?: string[]; cpu?: string[] }
  >;
};

/** The pinned Node package for this machine, if the project pins one here. */
const pinnedNode = platform() === "linux" ? `node-linux-${arch()}` : undefined;

describe("the toolchain", () => {
  it("runs the tests on the project's own Node 24, not on the machine's", () => {
    const pinned = pinnedNode ? rootManifest.optionalDependencies?.[pinnedNode] : undefined;
    expect(rootManifest.engines.node).toBe(">=22.12");
    if (pinned) expect(process.versions.node).toBe(pinned);
    expect(semver.satisfies(process.versions.node, rootManifest.engines.node)).toBe(true);
    expect(semver.major(process.versions.node)).toBe(24);
  });

  it("installs nothing that refuses this Node (npm's EBADENGINE)", () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // a platform package for another machine is never installed here, so npm checks nothing of it
      if (entry.os && !entry.os.includes(platform())) continue;
      if (entry.cpu && !entry.cpu.includes(arch())) continue;
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (range && !semver.satisfies(process.version, range, { includePrerelease: true })) {
        refusing.push(`${path || "(root)"} wants node ${range}`);
      }
    }
    expect(refusing).toEqual([]);
  });

  it("builds the worker for a compatibility date the runtime knows, and no more than 90 days behind it", async () => {
    const { stdout } = await promisify(execFile)("npx", ["workerd", "--version"], { cwd: repoRoot });
    const runtimeDate = stdout.match(/workerd (\d{4}-\d{2}-\d{2})/)?.[1];
    const config = readFileSync(join(repoRoot, "party", "wrangler.jsonc"), "utf8");
    const compatibilityDate = config.match(/"compatibility_date": "(\d{4}-\d{2}-\d{2})"/)?.[1];
    expect(runtimeDate, stdout).toBeDefined();
    expect(compatibilityDate).toBeDefined();
    const behind = (Date.parse(`${runtimeDate}T00:00:00Z`) - Date.parse(`${compatibilityDate}T00:00:00Z`)) / 86_400_000;
    expect(behind).toBeGreaterThanOrEqual(0);
    expect(behind).toBeLessThanOrEqual(90);
    // the fixtures, the baseline and the outside worker run on the same date as the party
    const { stdout: files } = await promisify(execFile)("git", ["ls-files", "*wrangler.jsonc"], { cwd: repoRoot });
    for (const file of files.trim().split("\n")) {
      expect(readFileSync(join(repoRoot, file), "utf8"), file).toContain(
        `"compatibility_date": "${compatibilityDate}"`,
      );
    }
  });
});
