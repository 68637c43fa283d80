// Each tarball as the registry would serve it: publint (package.json against the files
// really packed) and are-the-types-wrong (the types a TypeScript user resolves).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { describe, expect, inject, it } from "vitest";
import { kB, repoRoot, run } from "./outside";

const packed = inject("packed");

describe.each(packed)("the $name tarball", ({ name, tarball, size, unpackedSize, files }) => {
  it("passes publint, suggestions included", async () => {
    const buffer = readFileSync(tarball);
    const tarballData = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    const { messages, pkg } = await publint({ pack: { tarball: tarballData }, level: "suggestion", strict: true });
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`)).toEqual([]);
  });

  it("passes are-the-types-wrong (ESM only: no CommonJS entry is promised)", async () => {
    const attw = join(repoRoot, "node_modules", ".bin", "attw");
    // exits non-zero with the table of problems when there are any
    await run(attw, [tarball, "--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"], repoRoot);
  });

  it("ships the build, the README, the changelog and the license, and no source or tests", () => {
    console.info(`${name}: ${kB(size)} packed, ${kB(unpackedSize)} unpacked, ${files.length} files`);
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "dist/index.js",
        "dist/index.d.ts",
      ]),
    );
    expect(files.filter((file) => /^(src|test)\//.test(file) || file.endsWith(".map"))).toEqual([]);
  });
});
