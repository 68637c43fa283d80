import type { UserConfig } from "tsdown";

/**
 * How every published package builds: ESM JavaScript and declarations from
 * src/index.ts, `.js`/`.d.ts` beside `"type": "module"` as the exports maps
 * name them, from tsconfig.build.json (src/ only: the tests are type-checked
 * by `npm run typecheck`, not built). A package's config adds what is its own.
 */
export function packageBuild(own: UserConfig = {}): UserConfig {
  return {
    entry: ["src/index.ts"],
    format: "esm",
    platform: "neutral",
    fixedExtension: false,
    dts: true,
    tsconfig: "tsconfig.build.json",
    ...own,
  };
}
