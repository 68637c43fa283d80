import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { testConfig } from "../../vitest.shared.ts";

// `server-only` throws unless resolved under React's "react-server" condition, which Next sets for
// server code. Tests import the server modules directly, so they get its empty module, as Next does;
// the condition itself stays off, or React would resolve to its server build too.
// `@/` is the app's src/, as tsconfig.json's paths say (and Next reads them from there).
const alias = [
  {
    find: "server-only",
    replacement: join(dirname(createRequire(import.meta.url).resolve("server-only")), "empty.js"),
  },
  { find: /^@\/(.*)$/, replacement: join(import.meta.dirname, "src", "$1") },
];

export default testConfig(
  {
    // The settings the route handlers read through src/env.ts; the browser
    // suite passes its own to the servers it starts.
    env: {
      NODE_ENV: "test",
      HERENOW_SECRET: "route-test-secret-0123456789-abcdefghijklmnop",
      HERENOW_SESSION_SECRET: "route-test-session-secret-0123456789-abcdefgh",
      HERENOW_ADMIN_PASSWORD: "correct horse battery staple",
      HERENOW_PARTY_HOST: "127.0.0.1:1",
      DATABASE_URL: "pglite://memory",
      CRON_SECRET: "route-test-cron-secret-0123456789",
      // the real PostgreSQL that .ci/run sets as DATABASE_URL, for the few route tests that run on both
      POSTGRES_TEST_URL: /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? "")
        ? (process.env.DATABASE_URL ?? "")
        : "",
    },
    // PGlite boots a WASM Postgres in each file; the browser suite starts a party, Next and Chromium.
    testTimeout: 30_000,
    hookTimeout: 240_000,
  },
  alias,
);
