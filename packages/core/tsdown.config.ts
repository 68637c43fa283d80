import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

// `./engine` is its own entry: the room model herenow's server runs, kept out of the public root
export default defineConfig(packageBuild({ entry: ["src/index.ts", "src/engine.ts"] }));
