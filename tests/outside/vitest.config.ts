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
    // builds and packs the four packages once, for every file
    globalSetup: ["test/pack.ts"],
    // each app installs from the registry and builds; two cores take one at a time
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
