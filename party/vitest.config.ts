import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // each file starts its own wrangler dev; two at once is all two cores take
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
