import { testConfig } from "../vitest.shared.ts";

export default testConfig({
  // each file starts its own wrangler dev; two at once is all two cores take
  fileParallelism: false,
  testTimeout: 30_000,
  hookTimeout: 60_000,
});
