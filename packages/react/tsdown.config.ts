import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  platform: "neutral",
  // .js and .d.ts next to "type": "module", as the exports map names them
  fixedExtension: false,
  dts: true,
  // the hooks and the provider are client components: Next's App Router needs the directive
  // at the top of the bundle it imports (src/ has none, so the tests and SSR code share it)
  banner: { js: '"use client";' },
  // src/ only: the tests are type-checked by `npm run typecheck`, not built
  tsconfig: "tsconfig.build.json",
});
