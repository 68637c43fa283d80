// @vitest-environment node
import { BUDGETS, clientAndReactSizes } from "@herenow/testing/bundle-size";
import { describe, expect, it } from "vitest";

describe("what @herenow/react costs an app", () => {
  it("adds at most 1.5 KiB minified and gzipped over @herenow/client and core", async () => {
    const { reactWithClient, reactOverClient } = await clientAndReactSizes();
    console.info(
      `@herenow/react + client + core: ${reactWithClient.gzip} B min+gzip, ${reactOverClient} B over the client`,
    );
    expect(reactOverClient).toBeLessThanOrEqual(BUDGETS.reactOverClient);
  });
});
