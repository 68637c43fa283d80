// The reload test again under `next dev`, the app's half of `npm run dev`, with the party
// settings `npm run dev` gives its party (a longer away grace: pages under `next dev` come back
// more slowly; scripts/dev-party-settings.mjs says why). React's strict mode runs every effect
// twice, and the hook must still come back under its connection id within the away grace, so
// the other page never stops showing the user.
import { haveChromium } from "@herenow/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, it } from "vitest";
import { DEV_PARTY_SETTINGS } from "../../../../scripts/dev-party-settings.mjs";
import { type Demo, startDemo } from "./servers";
import { tenReloads, visitors } from "./visitors";

const browserTest = haveChromium("browser tests");

describe.skipIf(!browserTest)("reloads under next dev in Chromium", { timeout: 300_000 }, () => {
  let demo: Demo;
  const contexts: BrowserContext[] = [];
  const people = visitors(() => demo, contexts);

  beforeAll(async () => {
    demo = await startDemo("reload-dev", {
      dev: true,
      party: { ...DEV_PARTY_SETTINGS },
      web: { HERENOW_ADMIN: "off" },
    });
  }, 300_000);
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(demo?.logs());
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it("ten reloads: the other page never stops showing the user", async () => {
    await tenReloads(people, "reload-dev-room");
  });
});
