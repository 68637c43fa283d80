// Global setup: whether the outside apps can install from the npm registry, then `npm pack`
// of the published packages into one temporary folder (each package's `prepack` builds
// it with tsdown first), shared with every test file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCI } from "@herenow/testing/ci";
import { runToEnd } from "@herenow/testing/processes";
import type { TestProject } from "vitest/node";
import { npmRegistryProblem, type Packed, PUBLISHED, repoRoot } from "./outside";

declare module "vitest" {
  export interface ProvidedContext {
    packed: Packed[];
    /** Why the apps that install from the npm registry skip, or null when they run. */
    registryProblem: string | null;
  }
}

export default async function setup(project: TestProject) {
  // said once, here, in one line; on CI the apps must run, as the PostgreSQL and browser tests must
  const registryProblem = await npmRegistryProblem();
  if (registryProblem) {
    const message = `the outside apps cannot install from the npm registry: ${registryProblem}`;
    if (onCI()) throw new Error(`${message}; CI must run them`);
    console.warn(`${message}; skipping them`);
  }
  project.provide("registryProblem", registryProblem);

  const dir = mkdtempSync(join(tmpdir(), "herenow-tarballs-"));
  const packed: Packed[] = [];
  for (const name of PUBLISHED) {
    const { code, stdout, output } = await runToEnd("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: join(repoRoot, "packages", name),
    });
    if (code !== 0) throw new Error(`npm pack failed (${code}) in packages/${name}:\n${output}`);
    // the prepack build logs to stdout too: the JSON report is the last thing printed
    const [report] = JSON.parse(stdout.slice(stdout.lastIndexOf("\n[\n") + 1)) as {
      name: string;
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[];
    if (!report) throw new Error(`npm pack printed no report for packages/${name}:\n${stdout}`);
    packed.push({
      name: report.name,
      tarball: join(dir, report.filename),
      size: report.size,
      unpackedSize: report.unpackedSize,
      files: report.files.map((file) => file.path),
    });
  }
  project.provide("packed", packed);
  return () => rmSync(dir, { recursive: true, force: true });
}
