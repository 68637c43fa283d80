import { BUDGETS, bundleSize, clientAndReactSizes, ENTRIES } from "@herenow/testing/bundle-size";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("what @herenow/client costs an app", () => {
  it("is at most 6 KiB minified and gzipped with the core it uses (partysocket is its own weight)", async () => {
    const { clientWithCore } = await clientAndReactSizes();
    console.info(`@herenow/client + core: ${clientWithCore.min} B minified, ${clientWithCore.gzip} B min+gzip`);
    expect(clientWithCore.gzip).toBeLessThanOrEqual(BUDGETS.clientWithCore);
  });

  it("keeps every byte of the socket code out of @herenow/client/server", async () => {
    const result = await build({
      entryPoints: [ENTRIES.clientServer],
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["herenow:source"],
      write: false,
      metafile: true,
      absWorkingDir: new URL("../../..", import.meta.url).pathname,
      logLevel: "error",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes("partysocket"))).toBe(false);
    expect(inputs.filter((path) => path.includes("packages/client/"))).toEqual(["packages/client/src/server.ts"]);
    expect((await bundleSize(ENTRIES.clientServer, [])).gzip).toBeLessThan(1024);
  });
});
