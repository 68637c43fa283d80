import { defineConfig } from "vitest/config";
import { SOURCE_CONDITIONS } from "../../vitest.shared.ts";

const conditions = SOURCE_CONDITIONS;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    // each file of test/rooms starts its own local Workers runtime; two at once is all two cores take
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
