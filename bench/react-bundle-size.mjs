#!/usr/bin/env node
// Measures what @herenow/client and @herenow/react add to an app: each package's src/index.ts
// bundled with esbuild, minified and gzipped (packages/testing/src/bundle-size.ts, the same
// measurement the packages' tests hold to the budgets in `npm test`). React, React Query and
// partysocket are the app's (or their own) weight and stay external; @herenow/core is measured
// both ways.
// Run: node bench/react-bundle-size.mjs
//   budgets: @herenow/client + the core it uses ≤ 6 KiB; @herenow/react ≤ 1.5 KiB over them
import {
  ALWAYS_EXTERNAL,
  BUDGETS,
  bundleSize,
  clientAndReactSizes,
  ENTRIES,
} from "../packages/testing/src/bundle-size.ts";

const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
const { clientWithCore, reactWithClient, reactOverClient } = await clientAndReactSizes();
const rows = [
  [
    "@herenow/client alone (core external)",
    await bundleSize(ENTRIES.client, [...ALWAYS_EXTERNAL, "@herenow/core"]),
    "",
  ],
  [
    "@herenow/client + the core it uses",
    clientWithCore,
    clientWithCore.gzip <= BUDGETS.clientWithCore ? "ok (6 KiB)" : "OVER (6 KiB)",
  ],
  [
    "@herenow/react alone (client and core external)",
    await bundleSize(ENTRIES.react, [...ALWAYS_EXTERNAL, "@herenow/core", "@herenow/client"]),
    "",
  ],
  ["@herenow/react + client + core", reactWithClient, ""],
  ["@herenow/client/server + the core it uses", await bundleSize(ENTRIES.clientServer, ALWAYS_EXTERNAL), ""],
];
console.log("| bundle | minified | min + gzip | budget |");
console.log("| --- | ---: | ---: | --- |");
for (const [name, size, budget] of rows) console.log(`| ${name} | ${kib(size.min)} | ${kib(size.gzip)} | ${budget} |`);
const over = reactOverClient <= BUDGETS.reactOverClient ? "ok" : "OVER";
console.log(`| @herenow/react over client + core | | ${kib(reactOverClient)} | ${over} (1.5 KiB) |`);
console.log(`\nexternal: ${ALWAYS_EXTERNAL.join(", ")}`);
if (clientWithCore.gzip > BUDGETS.clientWithCore || reactOverClient > BUDGETS.reactOverClient) process.exitCode = 1;
