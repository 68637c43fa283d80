import { testConfig } from "../../vitest.shared.ts";

// each file of test/rooms starts its own local Workers runtime; two at once is all two cores take
export default testConfig({ fileParallelism: false, testTimeout: 30_000, hookTimeout: 60_000 });
