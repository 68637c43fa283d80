import { defineConfig } from "vitest/config";
import { SOURCE_CONDITIONS } from "../../vitest.shared.ts";

const conditions = SOURCE_CONDITIONS;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    // builds and packs the published packages once, for every file
    globalSetup: ["test/pack.ts"],
    // each app installs from the registry and builds; two cores take one at a time
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
