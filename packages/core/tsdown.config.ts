import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  platform: "neutral",
  // .js and .d.ts next to "type": "module", as the exports map names them
  fixedExtension: false,
  dts: true,
  // src/ only: the tests are type-checked by `npm run typecheck`, not built
  tsconfig: "tsconfig.build.json",
});
