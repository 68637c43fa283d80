// A fresh Vite React app outside the monorepo installs @herenow/react from its tarball,
// type-checks and builds; two pages of it, served by `vite preview` and opened in headless
// Chromium, see each other through usePresence against the party, with tokens minted by
// the packed @herenow/core's createPresenceToken in the app's own token route.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, haveChromium, PartyServer, SECRET } from "@herenow/testing";
import type { StartedServer } from "@herenow/testing/processes";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp, folderSize, kB, npmInstall, pinnedVersion, run, startPreview, stopApp, tarballOf } from "./outside";

const haveBrowser = haveChromium("the outside React app");
const packed = inject("packed");
// without the registry the app cannot install (pack.ts said why, once)
const skip = !haveBrowser || inject("registryProblem") !== null;

// the peer range @herenow/react declares, both ends
const REACT_VERSIONS = [
  { react: "19.3.1", types: "19.3.3", domTypes: "19.3.0" },
  { react: "18.3.1", types: "18.3.32", domTypes: "18.3.7" },
];

describe.skipIf(skip).each(REACT_VERSIONS)("a Vite React $react app that installs the tarballs", (versions) => {
  let dir: string;
  // the promise, not the server: if the install fails first, afterAll still has a party to stop
  let partyStarting: Promise<PartyServer> | undefined;
  let party: PartyServer;
  let preview: StartedServer | undefined;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = createApp(
      "react-app",
      {
        scripts: { build: "tsc -p tsconfig.json && vite build" },
        dependencies: {
          "@tanstack/react-query": pinnedVersion("@tanstack/react-query"),
          react: versions.react,
          "react-dom": versions.react,
        },
        devDependencies: {
          "@types/react": versions.types,
          "@types/react-dom": versions.domTypes,
          "@vitejs/plugin-react": "6.0.1",
          typescript: pinnedVersion("typescript"),
          vite: "8.3.8",
        },
      },
      // @herenow/react's own dependencies on @herenow/client and @herenow/core are the tarballs too (overrides)
      {
        "@herenow/react": tarballOf(packed, "@herenow/react"),
        "@herenow/client": tarballOf(packed, "@herenow/client"),
        "@herenow/core": tarballOf(packed, "@herenow/core"),
      },
      ["token-route.ts"],
    );
    partyStarting = PartyServer.start();
    [, party] = await Promise.all([npmInstall(dir), partyStarting]);
  });

  afterAll(() => stopApp({ browser, preview, partyStarting, dir }));

  it("type-checks against the packed declarations and builds", async () => {
    await run("npm", ["run", "build"], dir);
    const dist = join(dir, "dist");
    console.info(`outside React ${versions.react} app: vite build ${kB(folderSize(dist))} in dist/`);
    expect(existsSync(join(dist, "index.html"))).toBe(true);
  });

  it("shows two pages each other through usePresence", async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    preview = await startPreview(dir, port, SECRET);

    // playwright-core gives every launch a fresh temporary --user-data-dir of its own (and refuses one in args)
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const pageFor = async (user: { id: string; name: string }) => {
      const context = await browser.newContext();
      // the app's sign-in, as far as its token route is concerned
      await context.addCookies([{ name: "user", value: encodeURIComponent(`${user.id}:${user.name}`), url: origin }]);
      const page = await context.newPage();
      const query = new URLSearchParams({ host: party.host, room: `outside-${versions.react}` });
      await page.goto(`${origin}/?${query}`);
      return page;
    };
    const ann = await pageFor({ id: "u-ann", name: "Ann" });
    const bo = await pageFor({ id: "u-bo", name: "Bo" });

    for (const page of [ann, bo]) {
      await page.getByTestId("status").filter({ hasText: "open" }).waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="user"][data-user-name="Ann"]').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="user"][data-user-name="Bo"]').waitFor({ timeout: 15_000 });
    }
    expect(await ann.getByTestId("self").textContent()).toBe("Ann");
    expect(await bo.getByTestId("user").allTextContents()).toEqual(expect.arrayContaining(["Ann", "Bo"]));

    // Bo closes the tab: Ann sees him go (the hook sends presence:leave on pagehide)
    await bo.context().close();
    await ann.locator('[data-testid="user"][data-user-name="Bo"]').waitFor({ state: "detached", timeout: 15_000 });
    expect(await ann.getByTestId("user").allTextContents()).toEqual(["Ann"]);
  });
});
