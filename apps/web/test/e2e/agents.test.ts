// Members without a socket in the browser (issue 29, item 1): an agent put over the room's HTTP
// API appears in a visitor's online list within 1 s, marked as an assistant, and leaves it within
// 1 s after its TTL ends; the room's "Invite the assistant" button brings the demo's own.
import { haveChromium, SECRET } from "@herenow/testing";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "./servers";
import { visitors } from "./visitors";

const ROOM = "agent-room";
const browserTest = haveChromium("browser tests");

/** Records, in the page, when (ms since the epoch) a user named `name` first shows in the online list and when it goes. */
async function watchTimes(
  page: Page,
  name: string,
): Promise<() => Promise<{ shown: number | null; gone: number | null }>> {
  await page.evaluate((watched) => {
    const times: { shown: number | null; gone: number | null } = { shown: null, gone: null };
    (window as unknown as { __times: typeof times }).__times = times;
    const check = () => {
      const listed = document.querySelector(`[data-testid="online-user"][data-user-name="${watched}"]`) !== null;
      if (listed && times.shown === null) times.shown = Date.now();
      if (!listed && times.shown !== null && times.gone === null) times.gone = Date.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    check();
  }, name);
  return () =>
    page.evaluate(() => (window as unknown as { __times: { shown: number | null; gone: number | null } }).__times);
}

describe.skipIf(!browserTest)("agent members in Chromium", { timeout: 120_000 }, () => {
  let demo: Demo;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    demo = await startDemo("agents", { web: { HERENOW_ADMIN: "off" } });
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(demo?.logs());
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await demo?.stop();
  });

  const { visitor, onlineUser } = visitors(() => demo, contexts);
  const member = (room: string, userId: string, init: RequestInit) =>
    fetch(`http://${demo.party.host}/parties/main/${room}/members/${userId}`, {
      ...init,
      headers: { authorization: `Bearer ${SECRET}` },
    });

  it("shows an agent put over HTTP within 1 s, as an assistant, and drops it within 1 s after its TTL", async () => {
    const ann = await visitor("Ann", ROOM);
    const times = await watchTimes(ann, "Helper bot");
    const putAt = Date.now();
    const put = await member(ROOM, "helper-bot", {
      method: "PUT",
      body: JSON.stringify({ name: "Helper bot", status: "idle", ttlSeconds: 2 }),
    });
    expect(put.status).toBe(201);
    const { expiresAt } = (await put.json()) as { expiresAt: number };
    const row = onlineUser(ann, "Helper bot");
    await row.waitFor({ timeout: 1_000 });
    // an assistant, never "away" (it has no page to leave) and no tabs badge
    expect(await row.getAttribute("data-kind")).toBe("agent");
    expect(await row.getByTestId("agent-badge").textContent()).toBe("assistant");
    expect(await row.getByTestId("away-note").count()).toBe(0);
    expect(await row.getByTestId("tabs-badge").count()).toBe(0);
    await row.waitFor({ state: "detached", timeout: expiresAt - Date.now() + 1_000 });
    const { shown, gone } = await times();
    if (shown === null || gone === null) throw new Error("the page never recorded the agent's row coming and going");
    const appearMs = shown - putAt;
    const leaveMs = gone - expiresAt;
    console.info(`agent member: shown ${appearMs} ms after the PUT was sent, gone ${leaveMs} ms after its TTL ended`);
    expect(appearMs).toBeLessThan(1_000);
    // not before its TTL ended, and within a second after
    expect(leaveMs).toBeGreaterThanOrEqual(0);
    expect(leaveMs).toBeLessThan(1_000);
  });

  it("brings the demo's assistant with the room's button", async () => {
    const bo = await visitor("Bo", `${ROOM}-button`);
    await bo.getByTestId("invite-assistant").click();
    const row = onlineUser(bo, "Assistant");
    await row.waitFor({ timeout: 5_000 });
    expect(await row.getByTestId("agent-badge").textContent()).toBe("assistant");
    await expect.poll(() => bo.getByRole("status").filter({ hasText: "assistant is here" }).count()).toBe(1);
    expect((await member(`${ROOM}-button`, "assistant", { method: "DELETE" })).status).toBe(200);
    await row.waitFor({ state: "detached", timeout: 2_000 });
  });
});
