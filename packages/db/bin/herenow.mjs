#!/usr/bin/env node
// `herenow`: published, it runs the compiled dist/cli/herenow.js. In the repository (src/
// present, the tarball has none) it runs the TypeScript through tsx, a devDependency, so
// the command and its tests never run a stale build; the workspace packages it imports
// (@herenow/core) are then resolved to their source too, as the "herenow:source" export
// condition does for the tests and the demo, since a fresh clone has no dist/.
import { existsSync } from "node:fs";
import { register } from "node:module";

async function load() {
  if (!existsSync(new URL("../src/cli/herenow.ts", import.meta.url))) {
    return import("../dist/cli/herenow.js");
  }
  const sourceCondition = `export async function resolve(specifier, context, next) {
    return next(specifier, { ...context, conditions: [...context.conditions, "herenow:source"] });
  }`;
  register(`data:text/javascript,${encodeURIComponent(sourceCondition)}`);
  const { tsImport } = await import("tsx/esm/api");
  return tsImport("../src/cli/herenow.ts", import.meta.url);
}

const { main } = await load();
process.exitCode = await main(process.argv.slice(2));
