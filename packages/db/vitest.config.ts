import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // PGlite boots a WASM Postgres (a few seconds cold) and the CLI tests spawn processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
