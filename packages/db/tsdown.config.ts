import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

export default defineConfig(
  packageBuild({
    // the library, and the `herenow` command that bin/herenow.mjs runs once published
    entry: ["src/index.ts", "src/cli/herenow.ts"],
    platform: "node",
  }),
);
