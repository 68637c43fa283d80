#!/usr/bin/env node
// Measures what @herenow/react adds to an app: packages/react/src/index.ts bundled with
// esbuild, minified and gzipped. React, React Query and partysocket are the app's (or
// their own) weight and stay external; @herenow/core is measured both ways.
// Run: node bench/react-bundle-size.mjs   (budget: 6 KiB gzipped for the package's own code)
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const entry = new URL("../packages/react/src/index.ts", import.meta.url).pathname;
const BUDGET = 6 * 1024;
const always = ["react", "react-dom", "react/jsx-runtime", "@tanstack/react-query", "partysocket"];

async function measure(external) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    // the workspace packages export their src/ under this condition (dist/ needs a build)
    conditions: ["herenow:source"],
    external,
    write: false,
    logLevel: "error",
  });
  const code = result.outputFiles[0].contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

const rows = [
  ["@herenow/react alone (core external)", await measure([...always, "@herenow/core"])],
  ["@herenow/react + the core it uses", await measure(always)],
];
const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
console.log("| bundle | minified | min + gzip | budget |");
console.log("| --- | ---: | ---: | --- |");
for (const [name, size] of rows) {
  console.log(`| ${name} | ${kib(size.min)} | ${kib(size.gzip)} | ${size.gzip <= BUDGET ? "ok" : "OVER"} (6 KiB) |`);
}
console.log(`\nexternal: ${always.join(", ")}`);
if (rows.some(([, size]) => size.gzip > BUDGET)) process.exitCode = 1;
