// Presence outside React, from the tarballs (issue 28, item 4): a Vite project outside the
// monorepo with a Vue 3 page (a ten-line composable around @herenow/client) and a Svelte 5 page
// (a readable store around it), and a Node bot on `ws`. It installs under npm 11 with no install
// scripts, type-checks and builds; then, against one `wrangler dev` of the party, the two pages
// in Chromium see each other, and both see the bot join, set its state and leave.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, haveChromium, PartyServer, SECRET, token } from "@herenow/testing";
import { runToEnd, type StartedServer } from "@herenow/testing/processes";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createApp,
  folderSize,
  kB,
  npmInstall,
  pinnedVersion,
  run,
  startPreview,
  stopApp,
  tarballOf,
  userNpmEnv,
} from "./outside";

const haveBrowser = haveChromium("the outside Vue and Svelte apps");
const packed = inject("packed");
const skip = !haveBrowser || inject("registryProblem") !== null;
const ROOM = "frameworks";

describe.skipIf(skip)("a Vue 3 page, a Svelte 5 page and a Node bot on @herenow/client", () => {
  let dir: string;
  let partyStarting: Promise<PartyServer> | undefined;
  let party: PartyServer;
  let preview: StartedServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = createApp(
      "frameworks",
      {
        scripts: { build: "tsc -p tsconfig.json && vite build" },
        dependencies: { svelte: "5.60.1", vue: "3.5.47", ws: pinnedVersion("ws") },
        devDependencies: {
          "@sveltejs/vite-plugin-svelte": "7.3.3",
          "@types/node": pinnedVersion("@types/node"),
          "@types/ws": pinnedVersion("@types/ws"),
          "@vitejs/plugin-vue": "6.1.1",
          typescript: pinnedVersion("typescript"),
          vite: "8.3.8",
        },
      },
      { "@herenow/client": tarballOf(packed, "@herenow/client"), "@herenow/core": tarballOf(packed, "@herenow/core") },
      ["token-route.ts"],
    );
    // one `wrangler dev` of the party for the pages and the bot alike
    partyStarting = PartyServer.start({}, undefined, "wrangler");
    [, party] = await Promise.all([npmInstall(dir), partyStarting]);
  });

  afterAll(() => stopApp({ browser, preview, partyStarting, dir }));

  it("installs under npm 11 with no package that has an install script", async () => {
    const { stdout } = await runToEnd("npm", ["--version"], { cwd: dir, env: userNpmEnv() });
    expect(stdout.trim()).toMatch(/^11\./);
    const scripted: string[] = [];
    for (const entry of readdirSync(join(dir, "node_modules"), { recursive: true, withFileTypes: true })) {
      if (entry.name !== "package.json" || !entry.isFile()) continue;
      const pkg = JSON.parse(readFileSync(join(entry.parentPath, entry.name), "utf8"));
      const scripts = pkg.scripts ?? {};
      if (pkg.name && (scripts.preinstall || scripts.install || scripts.postinstall)) scripted.push(pkg.name);
    }
    expect(scripted).toEqual([]);
  });

  it("type-checks the composable, the store and the bot against the packed declarations, and builds both pages", async () => {
    await run("npm", ["run", "build"], dir);
    const dist = join(dir, "dist");
    console.info(`outside Vue and Svelte pages: vite build ${kB(folderSize(dist))} in dist/`);
    expect(existsSync(join(dist, "vue.html"))).toBe(true);
    expect(existsSync(join(dist, "svelte.html"))).toBe(true);
  });

  it("shows the Vue page and the Svelte page each other, and both the bot joining, setting its state and leaving", async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    preview = await startPreview(dir, port, SECRET, "/vue.html");
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const open = async (page: string, user: { id: string; name: string }) => {
      const context = await (browser as Browser).newContext();
      await context.addCookies([{ name: "user", value: encodeURIComponent(`${user.id}:${user.name}`), url: origin }]);
      const tab = await context.newPage();
      await tab.goto(`${origin}/${page}.html?${new URLSearchParams({ host: party.host, room: ROOM })}`);
      return tab;
    };
    const user = (page: Page, name: string) => page.locator(`[data-testid="user"][data-user-name="${name}"]`);
    const vue = await open("vue", { id: "u-vue", name: "Vee" });
    const svelte = await open("svelte", { id: "u-svelte", name: "Sven" });
    for (const page of [vue, svelte]) {
      await page.getByTestId("status").filter({ hasText: "open" }).waitFor({ timeout: 15_000 });
      await user(page, "Vee").waitFor({ timeout: 15_000 });
      await user(page, "Sven").waitFor({ timeout: 15_000 });
    }
    // the Vue page's own state reaches the Svelte page
    await svelte.locator('[data-user-name="Vee"][data-via="vue"]').waitFor({ timeout: 15_000 });

    const bot = runToEnd("node", ["bot.ts", party.host, ROOM, await token({ id: "u-bot", name: "Bot" }), "4000"], {
      cwd: dir,
      env: userNpmEnv(),
      timeoutMs: 30_000,
    });
    for (const page of [vue, svelte]) {
      await page.locator('[data-user-name="Bot"][data-via="bot"]').waitFor({ timeout: 15_000 });
    }
    const { code, stdout } = await bot;
    expect(code).toBe(0);
    expect(stdout).toContain('"status":"open"');
    expect(stdout).toMatch(/"users":\["Vee","Sven","Bot"\]/);
    // it left on purpose: gone at once, not after the room's grace
    for (const page of [vue, svelte]) await user(page, "Bot").waitFor({ state: "detached", timeout: 3_000 });
  });
});
