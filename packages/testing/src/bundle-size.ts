import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** What an app's bundler leaves out of a measured package: the frameworks and partysocket are their own weight. */
export const ALWAYS_EXTERNAL = ["react", "react-dom", "react/jsx-runtime", "@tanstack/react-query", "partysocket"];

/** The budgets of issue 28: the client with the core it uses, and what the React binding adds over them. */
export const BUDGETS = { clientWithCore: 6 * 1024, reactOverClient: 1.5 * 1024 };

export interface BundleSize {
  min: number;
  gzip: number;
}

/**
 * A package's entry bundled as an app's bundler would (esbuild, minified,
 * ESM for browsers, the workspace packages' src/ through "herenow:source")
 * and gzipped at level 9; `external` stays out.
 */
export async function bundleSize(entry: string, external: readonly string[]): Promise<BundleSize> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    conditions: ["herenow:source"],
    external: [...external],
    write: false,
    logLevel: "error",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

/** The packages' entries, from the repository root. */
const entry = (path: string) => new URL(`../../../${path}`, import.meta.url).pathname;
export const ENTRIES = {
  client: entry("packages/client/src/index.ts"),
  clientServer: entry("packages/client/src/server.ts"),
  react: entry("packages/react/src/index.ts"),
};

/** The sizes the budgets are about: the client with core, and React with both, minus them. */
export async function clientAndReactSizes(): Promise<{
  clientWithCore: BundleSize;
  reactWithClient: BundleSize;
  reactOverClient: number;
}> {
  const clientWithCore = await bundleSize(ENTRIES.client, ALWAYS_EXTERNAL);
  const reactWithClient = await bundleSize(ENTRIES.react, ALWAYS_EXTERNAL);
  return { clientWithCore, reactWithClient, reactOverClient: reactWithClient.gzip - clientWithCore.gzip };
}
