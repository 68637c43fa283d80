// Global setup: `npm pack` of the four published packages into one temporary folder (each
// package's `prepack` builds it with tsdown first), shared with every test file.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { type Packed, PUBLISHED, repoRoot } from "./outside";

const exec = promisify(execFile);

declare module "vitest" {
  export interface ProvidedContext {
    packed: Packed[];
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "herenow-tarballs-"));
  const packed: Packed[] = [];
  for (const name of PUBLISHED) {
    const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: join(repoRoot, "packages", name),
      maxBuffer: 16 * 1024 * 1024,
    });
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
