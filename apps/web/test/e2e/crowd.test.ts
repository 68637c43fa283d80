// The demo's large-room view in Chromium: a party whose window threshold is 5 users, a
// crowd of raw WebSocket clients, and a signed-in visitor who sees the head count, follows
// someone from "Show everyone" and keeps following them after a reload.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { closeAll, haveChromium, type PartyServer, TestClient, token } from "@herenow/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo, type WebServer } from "./servers";

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
    const page = await context.newPage();
    await page.goto("/");
    await page.locator("#sign-in-name").fill("Ann");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByTestId("lobby-user").textContent()).toBe("Ann");
    await page.goto(`/rooms/${ROOM}`);
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
});
