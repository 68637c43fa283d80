// The demo's large-room view in Chromium: a party whose window threshold is 5 users, a
// crowd of raw WebSocket clients, and a signed-in visitor who sees the head count, follows
// someone from "Show everyone" and keeps following them after a reload.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { closeAll, haveChromium, type PartyServer, TestClient, token } from "@herenow/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, signInAndEnter, startDemo, type WebServer } from "./servers";

const ROOM = "stage-e2e";
const artifacts = join(import.meta.dirname, "..", "..", "test-artifacts");

const browserTest = haveChromium("the large-room browser test");

describe.skipIf(!browserTest)("a large room in Chromium", () => {
  let demo: Demo | undefined;
  let party: PartyServer;
  let web: WebServer;
  let browser: Browser;
  const crowd: TestClient[] = [];

  beforeAll(async () => {
    demo = await startDemo("crowd", {
      party: { HERENOW_WINDOW_THRESHOLD: "5" },
      web: { HERENOW_ADMIN: "off" },
    });
    ({ party, web, browser } = demo);
    for (let n = 1; n <= 8; n++) {
      const url = party.url(ROOM, { token: await token({ id: `u-crowd-${n}`, name: `Crowd ${n}` }), window: "1" });
      crowd.push(await TestClient.open(url));
    }
  });

  afterAll(async () => {
    closeAll(crowd);
    await demo?.stop();
  });

  it("shows the head count, pages through everyone and keeps a follow across a reload", async () => {
    const context = await browser.newContext({ baseURL: web.origin, viewport: { width: 1180, height: 760 } });
    const page = await signInAndEnter(context, "Ann", ROOM);
    const headCount = page.getByTestId("head-count");
    await expect.poll(() => headCount.getAttribute("data-count"), { timeout: 10_000 }).toBe("9");
    expect(await page.getByTestId("online").getAttribute("data-crowd")).toBe("true");

    await page.getByTestId("show-everyone").click();
    const everyone = page.getByTestId("everyone-user");
    await expect.poll(() => everyone.count(), { timeout: 5_000 }).toBe(9);
    await everyone.filter({ hasText: "Crowd 7" }).getByRole("button", { name: "Follow" }).click();
    const followed = page.locator('[data-testid="online-user"][data-user-name="Crowd 7"]');
    await followed.getByRole("button", { name: "Following" }).waitFor({ timeout: 5_000 });

    // the crowd grows: the head count follows, without a reload
    crowd.push(await TestClient.open(party.url(ROOM, { token: await token({ id: "u-late", name: "Late" }) })));
    await expect.poll(() => headCount.getAttribute("data-count"), { timeout: 5_000 }).toBe("10");

    // the follow outlives a reload
    await page.reload();
    await followed.getByRole("button", { name: "Following" }).waitFor({ timeout: 10_000 });
    await page.getByTestId("show-everyone").click();
    await expect.poll(() => everyone.count(), { timeout: 5_000 }).toBe(10);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "crowd.png"), fullPage: true });
    await context.close();
  });

  it("on a phone, shows the count and a few faces, the lists one tap away, and the composer in reach", async () => {
    // 40 or so here: a list of 40 names used to push the chat far below a phone's screen
    for (let n = 9; n <= 38; n++) {
      const url = party.url(ROOM, { token: await token({ id: `u-crowd-${n}`, name: `Crowd ${n}` }), window: "1" });
      crowd.push(await TestClient.open(url));
    }
    const phone = { width: 390, height: 844 };
    const context = await browser.newContext({ baseURL: web.origin, viewport: phone, isMobile: true, hasTouch: true });
    const page = await signInAndEnter(context, "Bea", ROOM);
    await expect
      .poll(() => page.getByTestId("head-count").textContent(), { timeout: 10_000 })
      .toBe(String(crowd.length + 1));

    // folded: the count, a few faces, no names, and the composer on the first screen
    const fold = page.getByTestId("online-fold");
    expect(await fold.getAttribute("aria-expanded")).toBe("false");
    expect(await fold.locator(".avatar").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("online-user").first().isVisible()).toBe(false);
    const composer = page.getByRole("textbox", { name: "Message" });
    const folded = await composer.boundingBox();
    expect(folded && folded.y + folded.height).toBeLessThanOrEqual(phone.height);

    // one tap: the names, scrolling inside the panel, so the composer stays within a screen more
    await fold.tap();
    await page.getByTestId("online-user").first().waitFor({ state: "visible" });
    expect(await fold.getAttribute("aria-expanded")).toBe("true");
    const open = await composer.boundingBox();
    expect(open && open.y + open.height).toBeLessThanOrEqual(2 * phone.height);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "crowd-phone.png"), fullPage: true });
    await context.close();
  }, 60_000);
});
