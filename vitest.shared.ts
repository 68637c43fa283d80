import { type Alias, defaultServerConditions } from "vite";
import { defineConfig, type ViteUserConfig } from "vitest/config";

/**
 * How every package's tests resolve imports: @herenow/* to their src/ (the
 * "herenow:source" export condition), so tests need no build; the rest as
 * vitest resolves by default (Node's conditions, whatever the environment).
 * For `resolve.conditions` and `ssr.resolve.conditions`.
 */
const SOURCE_CONDITIONS = ["herenow:source", ...defaultServerConditions.filter((condition) => condition !== "module")];

/**
 * A workspace's vitest config: its tests are `test/**\/*.test.ts`, resolved with
 * SOURCE_CONDITIONS; `test` adds to or overrides vitest's settings, `alias` maps imports.
 *
 * @example
 * export default testConfig({ fileParallelism: false, testTimeout: 30_000 });
 */
export function testConfig(test: NonNullable<ViteUserConfig["test"]> = {}, alias: Alias[] = []): ViteUserConfig {
  const conditions = SOURCE_CONDITIONS;
  return defineConfig({
    resolve: { conditions, alias },
    ssr: { resolve: { conditions } },
    test: { include: ["test/**/*.test.ts"], ...test },
  });
}
