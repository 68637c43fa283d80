// The app's security headers and limits on the real thing: the production build under
// `next start` behind its own proxy, a party, Debian's Chromium. Every page must carry a
// Content-Security-Policy with a fresh nonce and still work under it (hydrated, the room's
// socket open, a message sent and received, the admin's login); a script injected into
// a page must not run. The server's own socket address keys the admin login limit, and
// the webhook receiver answers an unsigned post without reading its body.
import { request as httpRequest } from "node:http";
import { haveChromium } from "@herenow/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_LOGIN_LIMITS } from "@/server/login-limit";
import { type Demo, startDemo, type WebServer } from "./servers";

const ADMIN_PASSWORD = "security admin password 42";
const browserTest = haveChromium("the security headers browser test");

describe.skipIf(!browserTest)("security headers and limits on the running app", { timeout: 90_000 }, () => {
  let demo: Demo | undefined;
  let web: WebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** What Chromium reported about the policy, per page opened. */
  const violations: string[] = [];

  beforeAll(async () => {
    demo = await startDemo("security", { web: { HERENOW_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    ({ web, browser } = demo);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(demo?.logs());
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await demo?.stop();
  });

  async function open(): Promise<Page> {
    const context = await browser.newContext({ baseURL: web.origin });
    contexts.push(context);
    const page = await context.newPage();
    // Chromium reports each blocked script, style or connection on the console
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  /** Goes to a page, checks its headers, and waits until React has hydrated it (its scripts ran). */
  async function visit(page: Page, path: string, status = 200): Promise<string> {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(status);
    const headers = (await response?.allHeaders()) ?? {};
    const policy = headers["content-security-policy"] ?? "";
    expect(policy, `${path}: Content-Security-Policy`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
    const scripts = policy.split(";").find((directive) => directive.trim().startsWith("script-src")) ?? "";
    expect(scripts).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    expect(policy).toContain(`connect-src 'self' ws://${demo?.party.host} http://${demo?.party.host};`);
    expect(headers["cross-origin-opener-policy"], path).toBe("same-origin");
    expect(headers["permissions-policy"], path).toContain("camera=()");
    await hydrated(page);
    return policy;
  }

  /** Waits until React has hydrated the page: its scripts ran. */
  async function hydrated(page: Page): Promise<void> {
    await page.waitForFunction(() =>
      Object.keys(document.querySelector("main") ?? {}).some((key) => key.startsWith("__reactFiber$")),
    );
  }

  it("gives every page a policy with a fresh nonce, under which every page works", async () => {
    const visitor = await open();
    const first = await visit(visitor, "/");
    expect(await visit(visitor, "/")).not.toBe(first);
    await visit(visitor, "/no-such-page", 404);
    await visit(visitor, "/admin/login");

    // a guest reads the room over the party's socket; signed in, a message goes round
    await visit(visitor, "/rooms/csp-room");
    await visitor.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await visitor.locator("#sign-in-name-compact").fill("Ann");
    await visitor.getByRole("button", { name: "Sign in to chat" }).click();
    await visitor.locator("#composer-text").waitFor();
    await visitor.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await visitor.locator("#composer-text").fill("under the policy");
    await visitor.keyboard.press("Enter");
    await visitor.getByTestId("message").filter({ hasText: "under the policy" }).waitFor();

    const admin = await open();
    await visit(admin, "/admin/login");
    await admin.locator("#admin-password").fill(ADMIN_PASSWORD);
    await admin.getByRole("button", { name: "Log in" }).click();
    await admin.waitForURL(/\/admin$/);
    await visit(admin, "/admin");
    await admin.locator('[data-testid="admin-room"][data-room="csp-room"]').waitFor({ timeout: 15_000 });
    await visit(admin, "/admin/rooms/csp-room");

    // the API answers JSON with no content allowed at all
    const api = await fetch(`${web.origin}/api/rooms`);
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(violations).toEqual([]);
  });

  it("does not run a script injected into a page, and the page's own scripts still do", async () => {
    const page = await open();
    await page.route("**/rooms/injected-room", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace("</body>", "<script>window.__injected = true</script></body>");
      await route.fulfill({ response, body: html });
    });
    await page.goto("/rooms/injected-room");
    // the page's own scripts ran (its socket would not open here, since Chromium files a
    // document that Playwright fulfilled under the public address space, not the local one)
    await hydrated(page);
    expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined();
    expect(violations.some((violation) => /inline script/i.test(violation))).toBe(true);
  });

  it("answers an unsigned webhook post with 401 before it reads the body", async () => {
    // a body that never ends: a receiver that read before it checked would still be waiting for it
    const url = new URL("/api/herenow/events", web.origin);
    const status = await new Promise<number>((resolve, reject) => {
      const post = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" } });
      post.on("response", (response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
        post.destroy();
      });
      post.on("error", reject);
      post.write("x".repeat(64 * 1024));
    });
    expect(status).toBe(401);
  });

  // last: it leaves this address waiting before its next admin login
  it("keys the admin login limit by the socket's address, not by X-Forwarded-For", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= ADMIN_LOGIN_LIMITS.freeTries; attempt++) {
      const response = await fetch(`${web.origin}/api/admin/session`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: web.origin,
          "x-forwarded-for": `198.18.0.${attempt}`,
          "x-real-ip": `198.18.1.${attempt}`,
          "x-herenow-socket-address": `198.18.2.${attempt}`,
        },
        body: JSON.stringify({ intent: "login", password: "a wrong guess" }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array.from({ length: ADMIN_LOGIN_LIMITS.freeTries }, () => 401), 429]);
  });
});
