// A browser's life in the online list (protocol 1.2, "Liveness and leaving"), in the production
// build with the party's default graces: a reload is invisible to the others (the hook comes
// back under its connection id within the away grace of the browser's 1001), a closed tab is
// gone for them within 2 s, a duplicated tab never disturbs the first, and a hidden tab whose
// timers stop stays listed, dimmed as away, past the room's max age.
import { haveChromium } from "@herenow/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "./servers";
import { tenReloads, visitors } from "./visitors";

const ROOM = "reload-room";
const browserTest = haveChromium("browser tests");

describe.skipIf(!browserTest)("reloads, closed tabs and duplicated tabs in Chromium", { timeout: 120_000 }, () => {
  let demo: Demo;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    demo = await startDemo("reload", { web: { HERENOW_ADMIN: "off" } });
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(demo?.logs());
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await demo?.stop();
  });

  const people = visitors(() => demo, contexts);
  const { visitor, connected, onlineUser, watchFor, roomUsers } = people;

  it("ten reloads: the other page never stops showing the user", async () => {
    await tenReloads(people, ROOM);
  });

  it("a closed tab is gone for the others within 2 s", async () => {
    const ann = await visitor("Ann", `${ROOM}-closed`);
    const bo = await visitor("Bo", `${ROOM}-closed`);
    await onlineUser(ann, "Bo").waitFor();
    await bo.close();
    // the away grace (1.5 s) and the diff on its way
    await onlineUser(ann, "Bo").waitFor({ state: "detached", timeout: 2_000 });
    // and the panel says who just went, rather than nothing (protocol 1.2's recently left)
    const left = ann.locator('[data-testid="left-user"][data-user-name="Bo"]');
    await expect.poll(() => left.textContent()).toMatch(/^Bo left (just now|\d+ s ago)$/);
  });

  it("a duplicated tab gets its own connection and never disturbs the first", async () => {
    const ann = await visitor("Ann", `${ROOM}-dup`);
    const bo = await visitor("Bo", `${ROOM}-dup`);
    await onlineUser(ann, "Bo").waitFor();
    const missing = await watchFor(ann, "Bo");
    // a tab opened from the page starts with a copy of its sessionStorage, as a duplicated tab does
    const [copy] = await Promise.all([
      bo.context().waitForEvent("page"),
      bo.evaluate(() => window.open(window.location.href)),
    ]);
    if (!copy) throw new Error("no duplicated tab");
    await connected(copy);
    await expect
      .poll(async () => (await roomUsers(`${ROOM}-dup`)).find((u) => u.name === "Bo")?.connections, { timeout: 10_000 })
      .toBe(2);
    await expect.poll(() => bo.getByTestId("connection-status").getAttribute("data-status")).toBe("open");
    // the duplicate reloads under its own id, and closes: the first tab holds Bo throughout
    await copy.reload();
    await connected(copy);
    await copy.close();
    // after the duplicate's away grace (1.5 s)
    await expect
      .poll(async () => (await roomUsers(`${ROOM}-dup`)).find((u) => u.name === "Bo")?.connections, { timeout: 10_000 })
      .toBe(1);
    expect(await missing()).toBe(0);
    expect(await bo.getByTestId("connection-status").getAttribute("data-status")).toBe("open");
  });

  it("a hidden tab whose timers stop stays listed, dimmed as away, past the default max age (60 s)", async () => {
    const ann = await visitor("Ann", `${ROOM}-hidden`);
    const bo = await visitor("Bo", `${ROOM}-hidden`);
    await onlineUser(ann, "Bo").waitFor();
    const missing = await watchFor(ann, "Bo");
    // headless Chromium never hides a page: the page is told it is hidden, as the browser would
    await bo.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await expect.poll(() => onlineUser(ann, "Bo").getAttribute("data-status")).toBe("hidden");
    await expect.poll(() => onlineUser(ann, "Bo").getByTestId("away-note").textContent()).toBe("away");
    // then its timers stop altogether (worse than Chromium's once a minute for hidden pages): no
    // heartbeat for longer than the max age, and the room keeps it for the hidden max age (180 s)
    const cdp = await bo.context().newCDPSession(bo);
    await cdp.send("Emulation.setVirtualTimePolicy", { policy: "pause" });
    await new Promise((resolve) => setTimeout(resolve, 75_000));
    expect(await missing()).toBe(0);
    expect(await onlineUser(ann, "Bo").getAttribute("data-status")).toBe("hidden");
    expect((await roomUsers(`${ROOM}-hidden`)).find((user) => user.name === "Bo")).toBeDefined();
  }, 150_000);
});
