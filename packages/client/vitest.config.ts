import { defineConfig } from "vitest/config";
import { SOURCE_CONDITIONS } from "../../vitest.shared.ts";

const conditions = SOURCE_CONDITIONS;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // Node, as a bot or a server runs it: `ws` is passed as the WebSocket, and nothing of a DOM is there
    environment: "node",
    include: ["test/**/*.test.ts"],
    // each file starts its own workerd; one at a time keeps them from starving each other
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
