import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

// `./server` is its own entry: server components and route handlers import it without the socket code
export default defineConfig(packageBuild({ entry: ["src/index.ts", "src/server.ts"] }));
