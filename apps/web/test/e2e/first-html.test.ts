// The room page's first HTML (issue 28, item 3): the server reads who is in the room and renders
// them, the page's hook starts from that read, and nothing flashes empty or mismatches when the
// browser hydrates it.
import { haveChromium, TestClient, token } from "@herenow/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "./servers";
import { visitors } from "./visitors";

const ROOM = "first-html";
const browserTest = haveChromium("browser tests");

describe.skipIf(!browserTest)("who is here, in the room page's first HTML", { timeout: 120_000 }, () => {
  let demo: Demo;
  let olive: TestClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    demo = await startDemo("first-html", { web: { HERENOW_ADMIN: "off" } });
    olive = await TestClient.open(demo.party.url(ROOM, { token: await token({ id: "u-olive", name: "Olive" }) }));
    await olive.waitForUsers(["u-olive"]);
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(demo?.logs());
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    olive?.close();
    await demo?.stop();
  });

  it("names the person in the room in the HTML the server sends, before any script runs", async () => {
    const response = await fetch(`${demo.web.origin}/rooms/${ROOM}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('data-testid="online-user"');
    expect(html).toContain('data-user-name="Olive"');
    // and only the person there: a room nobody is in renders nobody
    const empty = await (await fetch(`${demo.web.origin}/rooms/${ROOM}-empty`)).text();
    expect(empty).not.toContain('data-testid="online-user"');
  });

  it("in Chromium never shows the list without them and hydrates without a mismatch", async () => {
    const { visitor, onlineUser } = visitors(() => demo, contexts);
    const context = await demo.browser.newContext({ baseURL: demo.web.origin });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    // from the first parsed element on: count every moment the list lacks Olive
    await page.addInitScript(() => {
      const state = { missing: 0, checks: 0 };
      (window as unknown as { __olive: typeof state }).__olive = state;
      const check = () => {
        if (!document.querySelector('[data-testid="online"]')) return;
        state.checks++;
        if (!document.querySelector('[data-testid="online-user"][data-user-name="Olive"]')) state.missing++;
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await page.goto(`/rooms/${ROOM}`);
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await onlineUser(page, "Olive").waitFor();
    const seen = await page.evaluate(
      () => (window as unknown as { __olive: { missing: number; checks: number } }).__olive,
    );
    expect(seen.checks).toBeGreaterThan(0);
    expect(seen.missing).toBe(0);
    expect(problems.filter((text) => /hydrat|did not match|server rendered/i.test(text))).toEqual([]);
    // a signed-in visitor sees her too, with no mismatch either
    const ann = await visitor("Ann", ROOM);
    await onlineUser(ann, "Olive").waitFor();
  });
});
