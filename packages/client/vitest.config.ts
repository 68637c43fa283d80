import { testConfig } from "../../vitest.shared.ts";

export default testConfig({
  // Node, as a bot or a server runs it: `ws` is passed as the WebSocket, and nothing of a DOM is there
  environment: "node",
  // each file starts its own workerd; one at a time keeps them from starving each other
  fileParallelism: false,
  testTimeout: 30_000,
  hookTimeout: 60_000,
});
