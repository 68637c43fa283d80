import { defineConfig } from "vitest/config";
import { SOURCE_CONDITIONS } from "../../vitest.shared.ts";

const conditions = SOURCE_CONDITIONS;

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
