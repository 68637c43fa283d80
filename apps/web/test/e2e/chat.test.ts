// The demo end to end: a real `wrangler dev` of the party, the production
// build of this app under `next start`, and Debian's Chromium driven by
// playwright-core. Screenshots land in apps/web/test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  closeAll,
  freePort,
  haveChromium,
  PartyServer,
  SECRET,
  TestClient,
  token,
} from "@herenow/testing";
import { type Browser, type BrowserContext, chromium, type Page, type Request } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Demo, ensureBuild, startDemo, WebServer } from "./servers";

const artifacts = join(import.meta.dirname, "..", "..", "test-artifacts");
const ROOM = "e2e-room";
const ADMIN_PASSWORD = "e2e admin password 42";
/** The party forgives a close for this long before the user leaves (5 s by default; shorter keeps the suite quick). */
const LEAVE_GRACE_MS = 1_000;
/** The phone every page must fit (an iPhone 12 to 15's CSS viewport). */
const PHONE = { width: 390, height: 844 };

const browserTest = haveChromium("browser tests");

// Each step waits on real servers that share two cores with other suites: 30 s was too tight for the admin steps.
describe.skipIf(!browserTest)("the demo in Chromium", { timeout: 90_000 }, () => {
  let demo: Demo | undefined;
  let party: PartyServer;
  let web: WebServer;
  let browser: Browser;
  const contexts = new Map<string, BrowserContext>();
  const pages = new Map<string, Page>();

  const page = (name: string): Page => {
    const found = pages.get(name);
    if (!found) throw new Error(`no page ${name}`);
    return found;
  };

  async function open(name: string, viewport = { width: 1180, height: 760 }): Promise<Page> {
    const context = await browser.newContext({ baseURL: web.origin, viewport });
    const opened = await context.newPage();
    contexts.set(name, context);
    pages.set(name, opened);
    return opened;
  }

  async function shot(opened: Page, name: string): Promise<void> {
    // from the top, or the sticky header lands in the middle of a full-page shot
    await opened.evaluate(() => window.scrollTo(0, 0));
    await opened.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  }

  /** Fails when the page scrolls sideways, naming the elements that stick out. */
  async function expectFitsWidth(opened: Page, what: string): Promise<void> {
    const fit = await opened.evaluate(() => {
      const width = window.innerWidth;
      const outside = [...document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5)
        .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`);
      return { scrollWidth: document.documentElement.scrollWidth, width, outside };
    });
    expect(
      fit.scrollWidth,
      `${what} scrolls sideways at ${fit.width} px: ${fit.outside.join(", ")}`,
    ).toBeLessThanOrEqual(fit.width);
  }

  const onlineUser = (opened: Page, name: string) =>
    opened.locator(`[data-testid="online-user"][data-user-name="${name}"]`);
  const status = (opened: Page) => opened.getByTestId("connection-status");

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    demo = await startDemo("e2e", {
      party: { HERENOW_LEAVE_GRACE_MS: String(LEAVE_GRACE_MS) },
      web: { HERENOW_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    ({ party, web, browser } = demo);
  });

  // A failed step leaves what the pages showed and what the servers said.
  afterEach(async ({ task }) => {
    if (task.result?.state !== "fail") return;
    for (const [name, opened] of pages) {
      if (!opened.isClosed()) await shot(opened, `failed-${name}`).catch(() => undefined);
    }
    console.error(demo?.logs());
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it("two signed-in visitors see each other in the online panel within 2 s", async () => {
    // Ann signs in on the lobby and enters the room through the room form.
    const ann = await open("ann");
    await ann.goto("/");
    await ann.locator("#sign-in-name").fill("Ann");
    await ann.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => ann.getByTestId("lobby-user").textContent()).toBe("Ann");
    await ann.locator("#room-name").fill("not a room!");
    await ann.getByRole("button", { name: "Enter" }).click();
    await ann.getByText("Room name may only contain").waitFor();
    await ann.locator("#room-name").fill(ROOM);
    await ann.getByRole("button", { name: "Enter" }).click();
    await ann.waitForURL(`**/rooms/${ROOM}`);
    await ann.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await onlineUser(ann, "Ann").waitFor();

    // Bo opens the room as a guest and signs in from the composer.
    const bo = await open("bo");
    await bo.goto(`/rooms/${ROOM}`);
    await bo.getByTestId("guest-composer").waitFor();
    await bo.locator("#sign-in-name-compact").fill("Bo");
    await bo.getByRole("button", { name: "Sign in to chat" }).click();
    await bo.locator("#composer-text").waitFor();
    await bo.locator('[data-testid="connection-status"][data-status="open"]').waitFor();

    await onlineUser(ann, "Bo").waitFor({ timeout: 2_000 });
    await onlineUser(bo, "Ann").waitFor({ timeout: 2_000 });
    expect(await onlineUser(bo, "Bo").textContent()).toContain("(you)");
  });

  it("shows the other one typing, and stops after a pause", async () => {
    const ann = page("ann");
    const bo = page("bo");
    await ann.locator("#composer-text").click();
    await ann.keyboard.type("hel");
    await expect.poll(() => bo.getByTestId("typing").textContent(), { timeout: 2_000 }).toBe("Ann is typing…");
    await onlineUser(bo, "Ann").getByText("typing…").waitFor({ timeout: 2_000 });
    // no more keys: the typing state clears after about 2 s
    await expect.poll(() => bo.getByTestId("typing").textContent(), { timeout: 6_000 }).toBe("");
    await ann.locator("#composer-text").fill("");
  });

  it("delivers a message to the other, as text", async () => {
    const ann = page("ann");
    const bo = page("bo");
    const text = "Hello Bo <b>not bold</b> & <script>alert(1)</script>";
    await ann.locator("#composer-text").click();
    await ann.keyboard.type(text);
    await expect.poll(() => bo.getByTestId("typing").textContent(), { timeout: 2_000 }).toBe("Ann is typing…");
    await ann.keyboard.press("Enter");
    const received = bo.getByTestId("message").filter({ hasText: "Hello Bo" });
    await received.waitFor({ timeout: 2_000 });
    expect(await received.locator(".message-text").textContent()).toBe(text);
    expect(await received.locator(".message-author").textContent()).toBe("Ann");
    expect(await received.locator("b, script").count()).toBe(0);
    expect(await received.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    // sending ends typing at once
    await expect.poll(() => bo.getByTestId("typing").textContent(), { timeout: 1_000 }).toBe("");

    await bo.locator("#composer-text").fill("Hi Ann!");
    await bo.keyboard.press("Enter");
    await ann.getByTestId("message").filter({ hasText: "Hi Ann!" }).waitFor({ timeout: 2_000 });
  });

  it("groups one person's consecutive messages, and reads out only those that arrive live", async () => {
    const ann = page("ann");
    const bo = page("bo");
    // the list itself is not live, so a reconnect's history is never read out
    expect(await bo.getByTestId("messages").getAttribute("aria-live")).toBeNull();
    // and it takes keyboard focus, to be scrolled from the keyboard, in every browser (not only where scrollers are focusable)
    expect(await bo.getByTestId("messages").getAttribute("tabindex")).toBe("0");
    await bo.getByTestId("messages").focus();
    expect(await bo.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("messages");
    for (const text of ["First of a run", "Second of the run"]) {
      await ann.locator("#composer-text").fill(text);
      await ann.keyboard.press("Enter");
      await bo.getByTestId("message").filter({ hasText: text }).waitFor({ timeout: 2_000 });
    }
    for (const opened of [ann, bo]) {
      const first = opened.getByTestId("message").filter({ hasText: "First of a run" });
      const second = opened.getByTestId("message").filter({ hasText: "Second of the run" });
      await second.waitFor();
      expect(await first.locator(".message-author").textContent()).toBe("Ann");
      expect(await first.locator(".avatar, time").count()).toBe(2);
      expect(await second.getAttribute("data-continued")).toBe("true");
      expect(await second.locator(".message-author, .avatar, time").count()).toBe(0);
    }
    // Bo's message before Ann's run starts a run of its own
    const bos = bo.getByTestId("message").filter({ hasText: "Hi Ann!" });
    expect(await bos.getAttribute("data-continued")).toBeNull();

    await expect
      .poll(() => bo.getByTestId("message-announcer").textContent(), { timeout: 2_000 })
      .toContain("Ann: Second of the run");
    // one's own messages are not read back
    expect(await ann.getByTestId("message-announcer").textContent()).not.toContain("of the run");
    // a page opened now gets all of it as history, and reads none of it out
    const late = await open("late-reader");
    await late.goto(`/rooms/${ROOM}`);
    await late.getByTestId("message").filter({ hasText: "Second of the run" }).waitFor();
    expect(await late.getByTestId("message-announcer").textContent()).toBe("");
    await contexts.get("late-reader")?.close();
    contexts.delete("late-reader");
    pages.delete("late-reader");
    await shot(bo, "room-message-runs");
  });

  it("says a room is loading until its history comes, and shows an empty room as an invitation", async () => {
    const room = "e2e-empty-room";
    // what the server renders before any socket: loading, not an empty room
    const html = await (await fetch(`${web.origin}/rooms/${room}`)).text();
    expect(html).toContain("Loading messages…");
    expect(html).not.toContain("No messages yet");

    const context = contexts.get("ann");
    if (!context) throw new Error("no context for Ann");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: web.origin });
    const ann = await context.newPage();
    await ann.goto(`/rooms/${room}`);
    await ann.locator('[data-testid="messages"][data-loaded="true"]').waitFor();
    await ann.getByTestId("empty-room").waitFor();
    expect(await ann.getByTestId("who-is-here").textContent()).toBe("Only you are here right now.");

    const guest = await open("invited-guest");
    await guest.goto(`/rooms/${room}`);
    await guest.getByTestId("empty-room").waitFor();
    await expect
      .poll(() => ann.getByTestId("who-is-here").textContent(), { timeout: 3_000 })
      .toBe("1 guest is here with you.");
    expect(await guest.getByTestId("who-is-here").textContent()).toBe("Ann is here with you.");
    await expectFitsWidth(ann, "the empty room");
    await shot(ann, "room-empty");

    await ann.getByTestId("copy-link").click();
    await ann.getByText("Link copied").waitFor();
    expect(await ann.getByTestId("copy-link").textContent()).toBe("Copied");
    expect(await ann.evaluate(() => navigator.clipboard.readText())).toBe(`${web.origin}/rooms/${room}`);

    // without a clipboard the link is selected, ready for Ctrl+C
    await guest.evaluate(() => Object.defineProperty(navigator, "clipboard", { value: undefined }));
    await guest.getByTestId("copy-link").click();
    await guest.getByText("Press Ctrl+C").waitFor();
    const selected = await guest.evaluate(() => {
      const field = document.getElementById("room-link") as HTMLInputElement;
      return {
        focused: document.activeElement === field,
        text: field.value.slice(field.selectionStart ?? 0, field.selectionEnd ?? 0),
      };
    });
    expect(selected).toEqual({ focused: true, text: `${web.origin}/rooms/${room}` });

    // the first message ends the invitation
    await ann.locator("#composer-text").fill("Welcome!");
    await ann.keyboard.press("Enter");
    await guest.getByTestId("message").filter({ hasText: "Welcome!" }).waitFor({ timeout: 2_000 });
    expect(await guest.getByTestId("empty-room").count()).toBe(0);
    await ann.close();
    await contexts.get("invited-guest")?.close();
    contexts.delete("invited-guest");
    pages.delete("invited-guest");
  });

  it("shows one user with two tabs once, with a badge", async () => {
    const secondTab = await contexts.get("ann")?.newPage();
    if (!secondTab) throw new Error("no context for Ann");
    await secondTab.goto(`/rooms/${ROOM}`);
    await secondTab.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    const annOnBo = onlineUser(page("bo"), "Ann");
    await annOnBo.getByTestId("tabs-badge").waitFor({ timeout: 2_000 });
    expect(await annOnBo.getByTestId("tabs-badge").textContent()).toBe("2 tabs");
    expect(await page("bo").getByTestId("online-user").count()).toBe(2);
    await secondTab.close();
    await annOnBo.getByTestId("tabs-badge").waitFor({ state: "detached", timeout: LEAVE_GRACE_MS + 4_000 });
  });

  it("counts an anonymous visitor as a guest, who can read but not write", async () => {
    const guest = await open("guest", PHONE);
    await guest.goto(`/rooms/${ROOM}`);
    await guest.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await expect
      .poll(() => page("ann").getByTestId("guest-count").getAttribute("data-count"), { timeout: 2_000 })
      .toBe("1");
    expect(await page("ann").getByTestId("guest-count").textContent()).toBe("and 1 guest");
    // the history came with the connection
    await guest.getByTestId("message").filter({ hasText: "Hi Ann!" }).waitFor();
    expect(await guest.getByTestId("guest-composer").textContent()).toContain("Sign in to chat");
    await onlineUser(guest, "Ann").waitFor();
    await expectFitsWidth(guest, "the room (guest)");
    await shot(guest, "room-phone-guest");
    await shot(page("ann"), "room-desktop");
  });

  it("lists the room in the lobby with how many people are in it", async () => {
    const lobby = await open("lobby");
    await lobby.goto("/");
    const link = lobby.getByTestId("room-list").getByRole("link", { name: new RegExp(`#${ROOM}`) });
    // the lobby reads the database, which the party's webhook keeps: allow for a batch or two
    await expect.poll(() => link.locator(".room-count strong").textContent(), { timeout: 10_000 }).toBe("3");
    expect(await link.locator(".room-detail").textContent()).toBe("2 signed in, 1 guest");
    await shot(lobby, "lobby");
    await contexts.get("lobby")?.close();
    contexts.delete("lobby");
  });

  it("lets the admin kick and ban a user, whose page says so and who cannot come back", async () => {
    const admin = await open("admin");
    // no session: the admin page sends to the login, the admin API answers 401
    await admin.goto("/admin");
    await admin.waitForURL("**/admin/login");
    expect((await admin.request.get("/api/admin/rooms")).status()).toBe(401);

    await admin.locator("#admin-password").fill("wrong password");
    await admin.getByRole("button", { name: "Log in" }).click();
    await admin.getByText("That is not the password.").waitFor();
    await admin.locator("#admin-password").fill(ADMIN_PASSWORD);
    await admin.getByRole("button", { name: "Log in" }).click();
    await admin.waitForURL(/\/admin$/);

    const row = admin.locator(`[data-testid="admin-room"][data-room="${ROOM}"]`);
    await expect
      .poll(async () => (await row.count()) > 0 && (await row.getAttribute("data-users")), { timeout: 10_000 })
      .toBe("2");
    expect(await row.locator("td").nth(2).textContent()).toBe("1"); // the guest
    // the list keeps itself current and says since when; times show in full on hover
    expect(await admin.getByTestId("admin-updated").textContent()).toMatch(/^Updated (just now|\d+ s ago)$/);
    const lastActivity = row.locator("time");
    expect(await lastActivity.getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    // the server renders the time in UTC; the browser's own format (with the weekday) comes with hydration
    await expect
      .poll(() => lastActivity.getAttribute("title"), { timeout: 10_000 })
      .toMatch(/(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day/);
    await shot(admin, "admin-rooms");

    // the search finds the room by part of its name in any case, and keeps what was typed
    const search = admin.getByLabel("Find a room");
    await search.fill("E2E-R");
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL(/\/admin\?q=E2E-R$/);
    await row.waitFor();
    expect(await search.inputValue()).toBe("E2E-R");
    expect(await admin.getByTestId("admin-rooms-showing").textContent()).toBe("Showing 1 of 1 room matching “E2E-R”");
    // "_" is a character to find, not LIKE's any-one-character, which would match "e2e-room"
    await search.fill("e2e_room");
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.getByTestId("admin-rooms-empty").filter({ hasText: "No rooms match “e2e_room”." }).waitFor();
    expect(await row.count()).toBe(0);
    await admin.getByRole("link", { name: "Show all" }).click();
    await admin.waitForURL(/\/admin$/);
    await row.waitFor();

    await row.getByRole("link").click();
    await admin.waitForURL(`**/admin/rooms/${ROOM}`);
    await admin.locator('[data-testid="admin-connection"][data-user-name="Bo"]').waitFor();
    await admin.getByText("Nobody is banned from this room.").waitFor();
    await shot(admin, "admin-room");

    // a kick asks first, naming who and what; Cancel has the focus, and Escape or Cancel sends nothing
    const posts: string[] = [];
    const countPost = (request: Request) => {
      if (request.method() === "POST") posts.push(request.url());
    };
    admin.on("request", countPost);
    const focused = () => admin.evaluate(() => document.activeElement?.textContent ?? null);
    const kickQuestion = admin.getByRole("dialog", { name: `Kick Bo (1 connection) from #${ROOM}?` });
    await admin.getByTestId("kick-user-Bo").first().click();
    await kickQuestion.waitFor();
    expect(await kickQuestion.textContent()).toContain("Their pages close and they can reconnect.");
    expect(await focused()).toBe("Cancel");
    await admin.keyboard.press("Escape");
    await kickQuestion.waitFor({ state: "hidden" });
    await admin.getByTestId("kick-user-Bo").first().click();
    await kickQuestion.getByRole("button", { name: "Cancel" }).click();
    await kickQuestion.waitFor({ state: "hidden" });

    await admin.getByTestId("ban-user-Bo-choice").first().selectOption({ label: "7 days" });
    await admin.getByTestId("ban-user-Bo").first().click();
    const banQuestion = admin.getByRole("dialog", { name: `Ban Bo from #${ROOM} for 7 days?` });
    await banQuestion.waitFor();
    await shot(admin, "admin-room-confirm");
    await admin.keyboard.press("Escape");
    await banQuestion.waitFor({ state: "hidden" });
    // nothing was sent, and Bo is still here
    expect(posts).toEqual([]);
    expect(await status(page("bo")).getAttribute("data-status")).toBe("open");
    await admin.locator('[data-testid="admin-connection"][data-user-name="Bo"]').waitFor();

    await admin.getByTestId("ban-user-Bo-choice").first().selectOption({ label: "1 hour" });
    await admin.getByTestId("ban-user-Bo").first().click();
    await admin
      .getByRole("dialog", { name: `Ban Bo from #${ROOM} for 1 hour?` })
      .getByRole("button", { name: "Kick and ban" })
      .click();
    // "Removed 1 connection": the cancelled kicks had left Bo connected
    await admin.getByText("Removed 1 connection; banned for 1 hour").waitFor({ timeout: 5_000 });
    expect(posts).toHaveLength(1);
    admin.off("request", countPost);

    // a kick that comes with a ban shows the ban at once, not "Removed… Rejoin"
    const bo = page("bo");
    await bo.getByTestId("banned").waitFor({ timeout: 5_000 });
    expect(await bo.getByTestId("kicked").count()).toBe(0);
    expect(await bo.getByRole("button", { name: "Rejoin" }).count()).toBe(0);
    expect(await status(bo).getAttribute("data-status")).toBe("closed");
    // the others see Bo go; the admin's copy follows through the webhook
    await onlineUser(page("ann"), "Bo").waitFor({ state: "detached", timeout: 3_000 });
    await admin
      .locator('[data-testid="admin-connection"][data-user-name="Bo"]')
      .waitFor({ state: "detached", timeout: 10_000 });
    const ban = admin.locator('[data-testid="admin-ban"][data-user-name="Bo"]');
    await ban.waitFor();
    expect(await ban.locator("time").textContent()).toMatch(/^in (59 min|60 min|1 h)$/);

    // Bo gets no new token for this room (the party refuses the old one too), and another room is fine
    const refused = await bo.request.get(`/api/herenow/token?room=${ROOM}`);
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain("banned");
    expect((await bo.request.get("/api/herenow/token?room=another-room")).status()).toBe(200);
    // coming back, by the banner's button or by loading the page again, ends at the ban
    await bo.getByRole("button", { name: "Try again" }).click();
    await bo.getByTestId("banned").waitFor({ timeout: 20_000 });
    await bo.reload();
    await bo.getByTestId("banned").waitFor({ timeout: 5_000 });
    expect(await bo.getByTestId("banned").textContent()).toContain("You are banned from this room until");
    expect(await status(bo).getAttribute("data-status")).toBe("closed");
    await shot(bo, "room-banned");
    expect(await onlineUser(page("ann"), "Bo").count()).toBe(0);
  });

  it("lifts the ban, after which the user is back; a plain kick bans nobody", async () => {
    const admin = page("admin");
    const bo = page("bo");
    await admin.getByTestId("lift-ban-Bo").click();
    await admin.getByText("Ban lifted").waitFor({ timeout: 5_000 });
    await admin.getByText("Nobody is banned from this room.").waitFor();

    await bo.getByRole("button", { name: "Try again" }).click();
    await bo.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 10_000 });
    await onlineUser(page("ann"), "Bo").waitFor({ timeout: 3_000 });
    await admin.locator('[data-testid="admin-connection"][data-user-name="Bo"]').waitFor({ timeout: 10_000 });

    await admin.getByTestId("kick-user-Bo").first().click();
    await admin
      .getByRole("dialog", { name: `Kick Bo (1 connection) from #${ROOM}?` })
      .getByRole("button", { name: "Kick" })
      .click();
    await admin.getByText("Removed 1 connection").waitFor({ timeout: 5_000 });
    await bo.getByTestId("kicked").waitFor({ timeout: 5_000 });
    expect(await status(bo).textContent()).toBe("Removed by an administrator");
    await shot(bo, "room-kicked");
    await admin
      .locator('[data-testid="admin-connection"][data-user-name="Bo"]')
      .waitFor({ state: "detached", timeout: 10_000 });
    expect((await bo.request.get(`/api/herenow/token?room=${ROOM}`)).status()).toBe(200);
    await admin.getByText("Nobody is banned from this room.").waitFor();
    await contexts.get("bo")?.close();
    contexts.delete("bo");

    // The prune buttons work through the store and leave live rooms alone. On a machine so
    // loaded that the room's deliveries (and so its lease) fell over a minute behind, the prune
    // may take the live room's rows; the room's next delivery then sends a snapshot (a keep-alive
    // is at most half a max age away) and the room is back.
    await admin.goto("/admin");
    await admin.getByRole("button", { name: /Prune presences older than/ }).click();
    await admin.getByText(/^Pruned \d+ stale presences?$/).waitFor();
    await admin.getByRole("button", { name: "Prune empty rooms" }).click();
    await admin.getByText(/^(Pruned \d+ empty rooms?|No empty rooms)/).waitFor();
    await admin.locator(`[data-testid="admin-room"][data-room="${ROOM}"]`).waitFor({ timeout: 60_000 });
  });

  it("keeps the admin room list current without a reload, and says when it was updated", async () => {
    const admin = page("admin");
    const row = admin.locator(`[data-testid="admin-room"][data-room="${ROOM}"]`);
    await row.waitFor();
    const users = Number(await row.getAttribute("data-users"));
    // a reload would lose this
    await admin.evaluate(() => {
      (window as { stayed?: boolean }).stayed = true;
    });

    const cy = await open("cy");
    await cy.goto(`/rooms/${ROOM}`);
    await cy.locator("#sign-in-name-compact").fill("Cy");
    await cy.getByRole("button", { name: "Sign in to chat" }).click();
    await cy.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    // the party's webhook reaches the database, and the list refreshes itself
    await expect.poll(() => row.getAttribute("data-users"), { timeout: 15_000 }).toBe(String(users + 1));
    expect(await admin.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
    expect(await admin.getByTestId("admin-updated").textContent()).toMatch(/^Updated (just now|\d+ s ago)$/);

    await contexts.get("cy")?.close();
    contexts.delete("cy");
    await expect.poll(() => row.getAttribute("data-users"), { timeout: LEAVE_GRACE_MS + 15_000 }).toBe(String(users));
    expect(await admin.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
  });

  it("fits a 390 px phone: no page scrolls sideways, and nothing is cut off", async () => {
    const room = await open("phone", PHONE);
    const context = contexts.get("phone");
    if (!context) throw new Error("no phone context");

    await room.goto("/");
    const card = room.getByTestId("room-list").locator(".room-link").first();
    await card.waitFor();
    await expectFitsWidth(room, "the lobby");
    // the room cards sit in the middle, as far from the right edge as from the left
    const edges = await card.evaluate((element) => {
      const box = element.getBoundingClientRect();
      return { left: box.left, right: window.innerWidth - box.right };
    });
    expect(Math.abs(edges.left - edges.right), JSON.stringify(edges)).toBeLessThanOrEqual(1);
    await shot(room, "phone-lobby");

    // a signed-in visitor's room: the message box says what it is for on one line
    await room.goto(`/rooms/${ROOM}`);
    await room.locator("#sign-in-name-compact").fill("Dee");
    await room.getByRole("button", { name: "Sign in to chat" }).click();
    await room.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    const placeholder = await room.locator("#composer-text").evaluate((element) => {
      const box = element as HTMLTextAreaElement;
      const style = getComputedStyle(box);
      const context2d = document.createElement("canvas").getContext("2d");
      if (!context2d) throw new Error("no canvas");
      context2d.font = style.font;
      const available = box.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
      return { text: box.placeholder, width: context2d.measureText(box.placeholder).width, available };
    });
    expect(placeholder.width, JSON.stringify(placeholder)).toBeLessThanOrEqual(placeholder.available);
    await expectFitsWidth(room, "the room");
    await shot(room, "phone-room");

    const admin = await context.newPage();
    await admin.goto("/admin/login");
    await admin.locator("#admin-password").waitFor();
    await expectFitsWidth(admin, "the admin login");
    await shot(admin, "phone-admin-login");
    await admin.locator("#admin-password").fill("still the wrong password");
    await admin.getByRole("button", { name: "Log in" }).click();
    await admin.getByText("That is not the password.").waitFor();
    await expectFitsWidth(admin, "the admin login with an error");
    await shot(admin, "phone-admin-login-error");
    await admin.locator("#admin-password").fill(ADMIN_PASSWORD);
    await admin.getByRole("button", { name: "Log in" }).click();
    await admin.waitForURL(/\/admin$/);
    await admin.locator(`[data-testid="admin-room"][data-room="${ROOM}"]`).waitFor();
    await expectFitsWidth(admin, "the admin room list");
    await shot(admin, "phone-admin-rooms");

    await admin.goto(`/admin/rooms/${ROOM}`);
    await admin.locator('[data-testid="admin-connection"][data-user-name="Dee"]').waitFor({ timeout: 10_000 });
    await expectFitsWidth(admin, "the admin room page");
    // every button is on screen, without scrolling a table sideways either
    for (const button of await admin.getByTestId("admin-connections").getByRole("button").all()) {
      const box = await button.boundingBox();
      expect(
        box && box.x >= 0 && box.x + box.width <= PHONE.width,
        `${await button.textContent()}: ${JSON.stringify(box)}`,
      ).toBe(true);
    }
    await shot(admin, "phone-admin-room");

    // and with a ban listed, asked for in a dialog that fits the phone too
    await admin.getByTestId("ban-user-Dee").click();
    const banDee = admin.getByRole("dialog", { name: `Ban Dee from #${ROOM} for 1 hour?` });
    await banDee.waitFor();
    await expectFitsWidth(admin, "the admin room page asking to ban");
    await shot(admin, "phone-admin-room-confirm");
    await banDee.getByRole("button", { name: "Kick and ban" }).click();
    await admin.getByText("Removed 1 connection; banned for 1 hour").waitFor({ timeout: 5_000 });
    await room.getByTestId("banned").waitFor({ timeout: 5_000 });
    await admin.locator('[data-testid="admin-ban"][data-user-name="Dee"]').waitFor({ timeout: 10_000 });
    await expectFitsWidth(admin, "the admin room page with a ban");
    await shot(admin, "phone-admin-room-ban");
    await expectFitsWidth(room, "the room after a kick and ban");
    await shot(room, "phone-room-banned");
    await admin.getByTestId("lift-ban-Dee").click();
    await admin.getByText("Ban lifted").waitFor({ timeout: 5_000 });
    await contexts.get("phone")?.close();
    contexts.delete("phone");
  });

  it("shows a room's last 50 messages and the older ones on request, keeping the view where it was", async () => {
    const room = "e2e-long-room";
    // 11 writers of 5 messages each stay under the room's 5 messages a second per connection
    const writers = await Promise.all(
      Array.from({ length: 11 }, async (_, i) =>
        TestClient.open(party.url(room, { token: await token({ id: `u-writer-${i}`, name: `Writer ${i}` }) })),
      ),
    );
    try {
      for (const [i, writer] of writers.entries()) {
        for (let j = 0; j < 5; j++) writer.send({ type: "chat:send", text: `line ${i * 5 + j + 1}` });
      }
      const last = writers.at(-1) as TestClient;
      await last.waitFor(() => last.messages.filter((m) => m.type === "chat:message").length === 55, 10_000, "55");
      // the room numbers them in the order it took them, not ours
      const order = last.messages.filter((m) => m.type === "chat:message").map((m) => m.text as string);

      const reader = await open("long-reader");
      await reader.goto(`/rooms/${room}`);
      await reader.locator('[data-testid="messages"][data-loaded="true"]').waitFor();
      const messages = reader.getByTestId("message");
      await expect.poll(() => messages.count()).toBe(50);
      expect(await messages.first().locator(".message-text").textContent()).toBe(order[5]);

      const list = reader.getByTestId("messages");
      await list.evaluate((element) => {
        element.scrollTop = 0;
      });
      const firstShown = list.getByText(order[5] as string, { exact: true });
      const topBefore = await firstShown.evaluate((element) => element.getBoundingClientRect().top);
      await reader.getByTestId("load-older").click();
      await expect.poll(() => messages.count()).toBe(55);
      expect(await messages.first().locator(".message-text").textContent()).toBe(order[0]);
      // all of them are here now, and what was in view stayed where it was
      expect(await reader.getByTestId("load-older").count()).toBe(0);
      const topAfter = await firstShown.evaluate((element) => element.getBoundingClientRect().top);
      expect(Math.abs(topAfter - topBefore)).toBeLessThan(2);
    } finally {
      closeAll(writers);
      await contexts.get("long-reader")?.close();
      contexts.delete("long-reader");
    }
  });

  it("removes a visitor who closed the page from the others' panel", async () => {
    await contexts.get("ann")?.close();
    contexts.delete("ann");
    await onlineUser(page("guest"), "Ann").waitFor({ state: "detached", timeout: LEAVE_GRACE_MS + 4_000 });
    await shot(page("guest"), "room-phone-after-leave");
  });

  // Every step above reloads, closes, kicks or bans pages: the party's terminal must not show an
  // error block for any of it, or a newcomer cannot tell real errors from noise.
  it("left the party's terminal free of uncaught errors through every reload, close and kick", () => {
    const noise = party.log.split("\n").filter((line) => /Uncaught|Network connection lost/.test(line));
    expect(noise, noise.slice(0, 5).join("\n")).toEqual([]);
  });
});

// Parties of its own, so one can be stopped and one can run with another secret, each with a
// web app of its own in front (the app reads its party's address when it starts).
// A reconnect after a restart waits out the socket's backoff (up to 10 s) on a busy machine.
describe.skipIf(!browserTest)(
  "the demo in Chromium when the chat server is away or set up wrongly",
  { timeout: 120_000 },
  () => {
    const OTHER_SECRET = "not-the-web-apps-secret-0123456789-abcdefghijkl";
    let party: PartyServer;
    let otherSecretParty: PartyServer;
    let web: WebServer;
    let misconfiguredWeb: WebServer;
    let browser: Browser;
    let dataDir: string;
    const opened: BrowserContext[] = [];

    async function signedInRoom(site: WebServer, room: string, name: string): Promise<Page> {
      const context = await browser.newContext({ baseURL: site.origin, viewport: { width: 1180, height: 760 } });
      opened.push(context);
      const visitor = await context.newPage();
      await visitor.goto(`/rooms/${room}`);
      await visitor.locator("#sign-in-name-compact").fill(name);
      await visitor.getByRole("button", { name: "Sign in to chat" }).click();
      await visitor.locator("#composer-text").waitFor();
      return visitor;
    }

    beforeAll(async () => {
      mkdirSync(artifacts, { recursive: true });
      await ensureBuild();
      party = await PartyServer.start({ HERENOW_LEAVE_GRACE_MS: String(LEAVE_GRACE_MS) });
      otherSecretParty = await PartyServer.start({ HERENOW_SECRET: OTHER_SECRET });
      dataDir = mkdtempSync(join(tmpdir(), "herenow-web-e2e-trouble-"));
      const settings = (partyHost: string, db: string) => ({
        HERENOW_SECRET: SECRET,
        HERENOW_SESSION_SECRET: "e2e-session-secret-0123456789-abcdefghijklmnop",
        HERENOW_ADMIN: "off",
        HERENOW_PARTY_HOST: partyHost,
        DATABASE_URL: `pglite://${join(dataDir, db)}`,
        CRON_SECRET: "e2e-cron-secret-0123456789",
      });
      web = await WebServer.start(await freePort(), settings(party.host, "pglite-a"));
      misconfiguredWeb = await WebServer.start(await freePort(), settings(otherSecretParty.host, "pglite-b"));
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    });

    afterEach(async ({ task }) => {
      if (task.result?.state !== "fail") return;
      for (const [index, context] of opened.entries()) {
        for (const [tab, each] of context.pages().entries()) {
          await each.screenshot({ path: join(artifacts, `failed-trouble-${index}-${tab}.png`), fullPage: true });
        }
      }
      console.error(`--- next start log (tail) ---\n${web?.log.slice(-3000)}\n${misconfiguredWeb?.log.slice(-3000)}`);
    });

    afterAll(async () => {
      await browser?.close();
      await Promise.all([web?.stop(), misconfiguredWeb?.stop()]);
      await Promise.all([party?.dispose(), otherSecretParty?.dispose()]);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it("tells a signed-in visitor to contact the site's operator when the party has another secret, never to sign in again", async () => {
      const ann = await signedInRoom(misconfiguredWeb, "e2e-mismatch", "Ann");
      const problem = ann.locator('[data-testid="connection-problem"][data-kind="misconfigured"]');
      await problem.waitFor({ timeout: 15_000 });
      expect(await problem.textContent()).toContain("contact the site's operator");
      expect(await ann.getByTestId("problem-detail").textContent()).toMatch(/^secret_mismatch: .*HERENOW_SECRET/);
      expect(await ann.getByTestId("connection-status").textContent()).toBe("Chat unavailable");
      expect(await ann.getByText(/sign in again/i).count()).toBe(0);
      expect(await ann.getByTestId("messages-loading").textContent()).toBe(
        "Messages show here once you are connected.",
      );
      await ann.screenshot({ path: join(artifacts, "room-misconfigured.png"), fullPage: true });

      // a guest needs no token, so the same page works for one
      const context = await browser.newContext({ baseURL: misconfiguredWeb.origin });
      opened.push(context);
      const guest = await context.newPage();
      await guest.goto("/rooms/e2e-mismatch");
      await guest.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 15_000 });
      expect(await guest.getByTestId("connection-problem").count()).toBe(0);
    });

    it("marks a message typed while the party is down as sending, and shows it as sent once the party is back", async () => {
      const room = "e2e-away";
      const ann = await signedInRoom(web, room, "Ann");
      await ann.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 15_000 });
      await ann.locator('[data-testid="messages"][data-loaded="true"]').waitFor();

      await party.stop();
      await ann.locator('[data-testid="connection-status"][data-status="reconnecting"]').waitFor({ timeout: 15_000 });
      // the token route finds the party gone: the page says so and offers to retry
      const problem = ann.locator('[data-testid="connection-problem"][data-kind="unreachable"]');
      await problem.waitFor({ timeout: 20_000 });
      expect(await problem.getByRole("button", { name: "Retry now" }).count()).toBe(1);
      expect(await ann.getByText(/sign in again/i).count()).toBe(0);

      await ann.locator("#composer-text").fill("Typed while the server was away");
      await ann.keyboard.press("Enter");
      const pending = ann.getByTestId("pending-message").filter({ hasText: "Typed while the server was away" });
      await pending.waitFor();
      expect(await pending.getAttribute("data-state")).toBe("sending");
      expect(await pending.getByTestId("sending-mark").textContent()).toBe("sending…");
      await ann.screenshot({ path: join(artifacts, "room-sending-while-away.png"), fullPage: true });

      // the page keeps trying by itself (its backoff tops out at 10 s)
      await party.start();
      await ann.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 30_000 });
      const sent = ann.getByTestId("message").filter({ hasText: "Typed while the server was away" });
      await sent.waitFor({ timeout: 5_000 });
      expect(await ann.getByTestId("pending-message").count()).toBe(0);
      expect(await ann.getByTestId("connection-problem").count()).toBe(0);
      // it reached the room: a page opened now has it in the history
      const later = await signedInRoom(web, room, "Bo");
      await later.getByTestId("message").filter({ hasText: "Typed while the server was away" }).waitFor();
    });
  },
);
