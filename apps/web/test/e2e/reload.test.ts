// A browser's life in the online list (protocol 1.2, "Liveness and leaving"), in the production
// build with the party's default graces: a reload is invisible to the others (the hook comes
// back under its connection id within the away grace of the browser's 1001), a closed tab is
// gone for them within 2 s, and a duplicated tab never disturbs the first.
import { haveChromium, SECRET } from "@herenow/testing";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Demo, signInAndEnter, startDemo } from "./servers";

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

  /** A visitor of their own (a browser profile), signed in as `name`, in the room. */
  async function visitor(name: string, room = ROOM): Promise<Page> {
    const context = await demo.browser.newContext({ baseURL: demo.web.origin });
    contexts.push(context);
    const page = await signInAndEnter(context, name, room);
    await connected(page);
    return page;
  }

  const connected = (page: Page) => page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
  const onlineUser = (page: Page, name: string) =>
    page.locator(`[data-testid="online-user"][data-user-name="${name}"]`);

  /** Counts, in the page itself, every moment `name` is missing from its online list. */
  async function watchFor(page: Page, name: string): Promise<() => Promise<number>> {
    await page.evaluate((watched) => {
      const state = { missing: 0 };
      (window as unknown as { __missing: typeof state }).__missing = state;
      const check = () => {
        if (!document.querySelector(`[data-testid="online-user"][data-user-name="${watched}"]`)) state.missing++;
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    }, name);
    return () => page.evaluate(() => (window as unknown as { __missing: { missing: number } }).__missing.missing);
  }

  /** The room as the party sees it. */
  async function roomUsers(room = ROOM): Promise<{ name: string; connections: number }[]> {
    const response = await fetch(`http://${demo.party.host}/parties/main/${room}`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    return ((await response.json()) as { users: { name: string; connections: number }[] }).users;
  }

  it("ten reloads: the other page never stops showing the user", async () => {
    const ann = await visitor("Ann");
    const bo = await visitor("Bo");
    await onlineUser(ann, "Bo").waitFor();
    const missing = await watchFor(ann, "Bo");
    for (let reload = 1; reload <= 10; reload++) {
      await bo.reload();
      await connected(bo);
      await onlineUser(bo, "Ann").waitFor();
    }
    // past the away grace of the last reload (1.5 s): a reload that counted as a leave shows by now
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await missing()).toBe(0);
    expect((await roomUsers()).find((user) => user.name === "Bo")?.connections).toBe(1);
  });

  it("a closed tab is gone for the others within 2 s", async () => {
    const ann = await visitor("Ann", `${ROOM}-closed`);
    const bo = await visitor("Bo", `${ROOM}-closed`);
    await onlineUser(ann, "Bo").waitFor();
    await bo.close();
    // the away grace (1.5 s) and the diff on its way
    await onlineUser(ann, "Bo").waitFor({ state: "detached", timeout: 2_000 });
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
});
