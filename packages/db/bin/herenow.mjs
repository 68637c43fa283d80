#!/usr/bin/env node
// The CLI is TypeScript like the rest of the package; Node 20 cannot strip
// types, so tsx loads it.
import { tsImport } from "tsx/esm/api";

const { main } = await tsImport("../src/cli/herenow.ts", import.meta.url);
process.exitCode = await main(process.argv.slice(2));
