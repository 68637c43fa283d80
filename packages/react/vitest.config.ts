import { testConfig } from "../../vitest.shared.ts";

export default testConfig({
  // jsdom leaves Node's own fetch in place, which the harness uses to reach wrangler dev
  environment: "jsdom",
  setupFiles: ["test/setup.ts"],
  include: ["test/**/*.test.{ts,tsx}"],
  typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  // each file starts its own wrangler dev; one at a time keeps them from starving each other
  fileParallelism: false,
  testTimeout: 30_000,
  hookTimeout: 60_000,
});
