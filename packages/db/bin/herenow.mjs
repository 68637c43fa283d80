#!/usr/bin/env node
// `herenow`: published, it runs the compiled dist/cli/herenow.js. In the repository (src/
// present, the tarball has none) it runs the TypeScript through tsx, a devDependency, so
// the command and its tests never run a stale build.
import { existsSync } from "node:fs";

const { main } = existsSync(new URL("../src/cli/herenow.ts", import.meta.url))
  ? await (await import("tsx/esm/api")).tsImport("../src/cli/herenow.ts", import.meta.url)
  : await import("../dist/cli/herenow.js");
process.exitCode = await main(process.argv.slice(2));
