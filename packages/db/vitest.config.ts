import { testConfig } from "../../vitest.shared.ts";

// PGlite boots a WASM Postgres (a few seconds cold) and the CLI tests spawn processes.
export default testConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
