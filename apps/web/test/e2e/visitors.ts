import { SECRET } from "@herenow/testing";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { type Demo, signInAndEnter } from "./servers";

/**
 * What the browser tests of a browser's life do with the demo: sign a
 * visitor in (a browser profile of their own) and open a room, wait for the
 * connection, find a user in the online list, count the moments a user is
 * missing from it, and ask the party who is in a room.
 *
 * @example
 * const people = visitors(() => demo, contexts);
 * const ann = await people.visitor("Ann", "lobby");
 */
export function visitors(demo: () => Demo, contexts: BrowserContext[]) {
  const connected = (page: Page) => page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
  return {
    connected,

    /** A visitor of their own (a browser profile), signed in as `name`, in the room. */
    async visitor(name: string, room: string): Promise<Page> {
      const context = await demo().browser.newContext({ baseURL: demo().web.origin });
      contexts.push(context);
      const page = await signInAndEnter(context, name, room);
      await connected(page);
      return page;
    },

    onlineUser: (page: Page, name: string) => page.locator(`[data-testid="online-user"][data-user-name="${name}"]`),

    /** Counts, in the page itself, every moment `name` is missing from its online list. */
    async watchFor(page: Page, name: string): Promise<() => Promise<number>> {
      await page.evaluate((watched) => {
        const state = { missing: 0 };
        (window as unknown as { __missing: typeof state }).__missing = state;
        const check = () => {
          if (!document.querySelector(`[data-testid="online-user"][data-user-name="${watched}"]`)) state.missing++;
        };
        new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
      }, name);
      return () => page.evaluate(() => (window as unknown as { __missing: { missing: number } }).__missing.missing);
    },

    /** The room as the party sees it. */
    async roomUsers(room: string): Promise<{ name: string; connections: number; status: string }[]> {
      const response = await fetch(`http://${demo().party.host}/parties/main/${room}`, {
        headers: { authorization: `Bearer ${SECRET}` },
      });
      return ((await response.json()) as { users: { name: string; connections: number; status: string }[] }).users;
    },
  };
}

/**
 * Ten reloads of one visitor's page while another watches: the watcher's
 * list never lacks the reloading user, and the party counts one connection.
 */
export async function tenReloads(people: ReturnType<typeof visitors>, room: string): Promise<void> {
  const ann = await people.visitor("Ann", room);
  const bo = await people.visitor("Bo", room);
  await people.onlineUser(ann, "Bo").waitFor();
  const missing = await people.watchFor(ann, "Bo");
  for (let reload = 1; reload <= 10; reload++) {
    await bo.reload();
    await people.connected(bo);
    await people.onlineUser(bo, "Ann").waitFor();
  }
  // past the away grace of the last reload (1.5 s): a reload that counted as a leave shows by now
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(await missing()).toBe(0);
  expect((await people.roomUsers(room)).find((user) => user.name === "Bo")?.connections).toBe(1);
}
