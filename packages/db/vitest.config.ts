import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// @herenow/* resolve to their src/ (the "herenow:source" export condition), so tests need no build;
// the rest as vitest resolves by default (Node's conditions, whatever the environment)
const conditions = ["herenow:source", ...defaultServerConditions.filter((condition) => condition !== "module")];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    // PGlite boots a WASM Postgres (a few seconds cold) and the CLI tests spawn processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
