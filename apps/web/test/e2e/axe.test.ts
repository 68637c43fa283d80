// Every page of the demo through axe-core's WCAG 2.1 A and AA rules, in light and
// dark and at desktop and phone size: a real `wrangler dev` party, the production
// build under `next start`, and Debian's Chromium. A violation fails with what axe
// found, where, and how to fix it; a screenshot of the page lands in apps/web/test-artifacts/.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { haveChromium } from "@herenow/testing";
import type { AxeResults } from "axe-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo, type WebServer } from "./servers";

const ROOM = "axe-room";
const ADMIN_PASSWORD = "axe admin password 42";
const artifacts = join(import.meta.dirname, "..", "..", "test-artifacts");
/**
 * axe's own bundle, evaluated in each page through the DevTools protocol: the pages' CSP
 * refuses an inline script (`addScriptTag`), and axe must see them as visitors do, under it.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core"), "utf8");
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const VARIANTS = [
  { name: "light desktop", colorScheme: "light", viewport: { width: 1180, height: 760 } },
  { name: "dark desktop", colorScheme: "dark", viewport: { width: 1180, height: 760 } },
  { name: "light phone", colorScheme: "light", viewport: { width: 390, height: 844 } },
  { name: "dark phone", colorScheme: "dark", viewport: { width: 390, height: 844 } },
] as const;

type Variant = (typeof VARIANTS)[number];

const browserTest = haveChromium("the accessibility (axe) browser test");

/** One line per violation and per element, so a failure says what to fix and where. */
function describeViolations(results: AxeResults): string[] {
  return results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact ?? "no impact"}): ${violation.help}\n` +
        `  at ${node.target.join(" ")}\n  ${node.html.slice(0, 200)}\n` +
        `  ${(node.failureSummary ?? "").replaceAll("\n", "\n  ")}\n  ${violation.helpUrl}`,
    ),
  );
}

// a first page load can take 20 s on a busy two-core machine
describe.skipIf(!browserTest)("every page passes axe (WCAG 2.1 A and AA)", { timeout: 60_000 }, () => {
  let demo: Demo | undefined;
  let web: WebServer;
  let browser: Browser;
  /** Bo stays in the room the whole run, so every room page has someone else in it and a message from them. */
  let other: BrowserContext;
  const opened: { name: string; page: Page }[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    demo = await startDemo("axe", { web: { HERENOW_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    ({ web, browser } = demo);

    other = await browser.newContext({ baseURL: web.origin });
    const bo = await other.newPage();
    await bo.goto(`/rooms/${ROOM}`);
    await signInHere(bo, "Bo");
    await bo.locator("#composer-text").fill("Hello from Bo");
    await bo.keyboard.press("Enter");
    await bo.getByTestId("message").filter({ hasText: "Hello from Bo" }).waitFor();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(demo?.logs());
  });

  afterAll(async () => {
    await other?.close();
    await demo?.stop();
  });

  /** Signs in from the room's guest composer, and waits for the connection as that user. */
  async function signInHere(page: Page, name: string): Promise<void> {
    await page.locator("#sign-in-name-compact").fill(name);
    await page.getByRole("button", { name: "Sign in to chat" }).click();
    await page.locator("#composer-text").waitFor();
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
  }

  /** Runs axe on the page as it is now and fails with every violation it reports. */
  async function expectNoViolations(page: Page, what: string): Promise<void> {
    await page.evaluate(AXE_SOURCE);
    const results = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
      WCAG_AA,
    );
    const file = `axe-${what.replaceAll(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`;
    await page.screenshot({ path: join(artifacts, file), fullPage: true });
    const found = describeViolations(results);
    expect(found, `${what}: ${found.length} axe violation(s) (screenshot ${file}):\n\n${found.join("\n\n")}`).toEqual(
      [],
    );
    // axe ran its rules: an empty page or a failed injection would pass nothing
    expect(results.passes.length).toBeGreaterThan(0);
  }

  describe.each(VARIANTS)("$name", (variant: Variant) => {
    let guest: BrowserContext;
    let member: BrowserContext;
    let admin: BrowserContext;
    const newContext = () =>
      browser.newContext({ baseURL: web.origin, colorScheme: variant.colorScheme, viewport: variant.viewport });

    beforeAll(async () => {
      [guest, member, admin] = await Promise.all([newContext(), newContext(), newContext()]);
    });

    afterAll(async () => {
      await Promise.all([guest?.close(), member?.close(), admin?.close()]);
      opened.length = 0;
    });

    async function page(context: BrowserContext, name: string): Promise<Page> {
      const found = opened.find((entry) => entry.name === name);
      if (found) return found.page;
      const created = await context.newPage();
      opened.push({ name, page: created });
      return created;
    }

    it("the lobby, as a guest", async () => {
      const lobby = await page(guest, "guest");
      await lobby.goto("/");
      await lobby
        .getByTestId("room-list")
        .getByRole("link", { name: new RegExp(`#${ROOM}`) })
        .waitFor();
      await expectNoViolations(lobby, `lobby guest ${variant.name}`);
    });

    it("a room, as a guest", async () => {
      const room = await page(guest, "guest");
      await room.goto(`/rooms/${ROOM}`);
      await room.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
      await room.getByTestId("message").filter({ hasText: "Hello from Bo" }).waitFor();
      await room.getByTestId("guest-composer").waitFor();
      await expectNoViolations(room, `room guest ${variant.name}`);
    });

    it("a room, signed in, with someone else there and a message sent", async () => {
      const room = await page(member, "member");
      await room.goto(`/rooms/${ROOM}`);
      await signInHere(room, `Ann ${variant.name}`);
      await room.locator('[data-testid="online-user"][data-user-name="Bo"]').waitFor();
      const text = `Hi Bo, from ${variant.name}`;
      await room.locator("#composer-text").fill(text);
      await room.keyboard.press("Enter");
      await room.getByTestId("message").filter({ hasText: text }).waitFor();
      // a half-typed message too, so the send button is enabled and the placeholder gone
      await room.locator("#composer-text").fill("and another");
      await expectNoViolations(room, `room signed in ${variant.name}`);
    });

    it("the lobby, signed in", async () => {
      const lobby = await page(member, "member");
      await lobby.goto("/");
      await lobby.getByTestId("lobby-user").waitFor();
      await expectNoViolations(lobby, `lobby signed in ${variant.name}`);
    });

    it("the not-found pages", async () => {
      const missing = await page(guest, "guest");
      await missing.goto("/no-such-page");
      await missing.getByRole("heading", { name: "Nothing here" }).waitFor();
      await expectNoViolations(missing, `not found ${variant.name}`);
      await missing.goto("/rooms/not%20a%20room!");
      await missing.getByRole("heading", { name: "That is not a room name" }).waitFor();
      await expectNoViolations(missing, `room not found ${variant.name}`);
    });

    it("the admin login, and its wrong-password message", async () => {
      const login = await page(admin, "admin");
      await login.goto("/admin/login");
      await login.locator("#admin-password").waitFor();
      await expectNoViolations(login, `admin login ${variant.name}`);
      await login.locator("#admin-password").fill("not the password");
      await login.getByRole("button", { name: "Log in" }).click();
      await login.getByText("That is not the password.").waitFor();
      await expectNoViolations(login, `admin login error ${variant.name}`);
    });

    it("the admin room list", async () => {
      const rooms = await page(admin, "admin");
      await rooms.locator("#admin-password").fill(ADMIN_PASSWORD);
      await rooms.getByRole("button", { name: "Log in" }).click();
      await rooms.waitForURL(/\/admin$/);
      await rooms.locator(`[data-testid="admin-room"][data-room="${ROOM}"]`).waitFor();
      // the online chart drawn, so axe sees the page as an admin does
      await rooms.locator('[data-testid="online-chart"][data-drawn]').waitFor();
      await expectNoViolations(rooms, `admin rooms ${variant.name}`);
    });

    it("a room's admin page", async () => {
      const room = await page(admin, "admin");
      await room.goto(`/admin/rooms/${ROOM}`);
      await room.locator('[data-testid="admin-connection"][data-user-name="Bo"]').waitFor();
      await room.locator('[data-testid="online-chart"][data-drawn]').waitFor();
      await expectNoViolations(room, `admin room ${variant.name}`);
    });
  });
});

declare global {
  interface Window {
    axe: typeof import("axe-core");
  }
}
