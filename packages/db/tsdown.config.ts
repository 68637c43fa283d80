import { defineConfig } from "tsdown";

export default defineConfig({
  // the library, and the `herenow` command that bin/herenow.mjs runs once published
  entry: ["src/index.ts", "src/cli/herenow.ts"],
  format: "esm",
  platform: "node",
  fixedExtension: false,
  dts: true,
  // src/ only: the tests are type-checked by `npm run typecheck`, not built
  tsconfig: "tsconfig.build.json",
});
