import { testConfig } from "../../vitest.shared.ts";

export default testConfig({
  // builds and packs the published packages once, for every file
  globalSetup: ["test/pack.ts"],
  // each app installs from the registry and builds; two cores take one at a time
  fileParallelism: false,
  testTimeout: 60_000,
  hookTimeout: 300_000,
});
