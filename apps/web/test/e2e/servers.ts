import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  freePort,
  newestMtime,
  PartyServer,
  runCommand,
  SECRET,
  type StartedServer,
  startServer,
} from "@herenow/testing";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const appDir = join(import.meta.dirname, "..", "..");
const repoRoot = join(appDir, "..", "..");
const nextBin = join(repoRoot, "node_modules", ".bin", "next");

/** What the app's build never reads. */
const BUILD_SKIP = ["node_modules", ".next", "test-artifacts", "test"];

/**
 * A production build of the app, made only when the sources (the app's and
 * the workspace packages it bundles) are newer than the last one: the build
 * reads no settings, so one build serves every run.
 */
export async function ensureBuild(): Promise<"fresh" | "built"> {
  const buildId = join(appDir, ".next", "BUILD_ID");
  const sources = [
    join(appDir, "src"),
    join(appDir, "next.config.ts"),
    join(appDir, "package.json"),
    join(appDir, "tsconfig.json"),
    ...["client", "core", "db", "react"].map((name) => join(repoRoot, "packages", name, "src")),
    // bundled into the app too: the chat's wire shapes and the development secret's rules
    join(repoRoot, "party", "src", "chat-protocol.ts"),
    join(repoRoot, "scripts", "dev-secret-file.mjs"),
  ];
  const newestSource = Math.max(...sources.map((source) => newestMtime(source, BUILD_SKIP)));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSource) return "fresh";
  await runCommand(nextBin, ["build"], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  return "built";
}

/**
 * `next start` of the production build on a port, with the given settings,
 * or with `dev` `next dev`, the app's half of `npm run dev` (React's strict
 * mode, compiled on first request).
 */
export class WebServer {
  private constructor(
    readonly port: number,
    private readonly server: StartedServer,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What it has printed so far. */
  get log(): string {
    return this.server.output();
  }

  static async start(port: number, env: Record<string, string>, options: { dev?: boolean } = {}): Promise<WebServer> {
    const command = options.dev ? "dev" : "start";
    // next dev compiles the route on the first request: give it time on a busy machine
    const waitMs = options.dev ? 240_000 : 60_000;
    const server = await startServer(nextBin, [command, "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: appDir,
      // only what the app needs, so a developer's own HERENOW_* or DATABASE_URL cannot leak in
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: options.dev ? "development" : "production",
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      },
      url: `http://127.0.0.1:${port}/api/rooms`,
      timeoutMs: waitMs,
      requestTimeoutMs: waitMs / 4,
      name: `next ${command}`,
    });
    return new WebServer(port, server);
  }

  /** Stops next start and what it started: SIGTERM, and SIGKILL for whatever is left after 5 s. */
  async stop(): Promise<void> {
    if (this.server.child.exitCode !== null) return;
    await this.server.stop();
  }
}

/** The demo as a browser suite runs it: a party, the app's production build (or `next dev`) in front of it, Chromium. */
export interface Demo {
  party: PartyServer;
  web: WebServer;
  browser: Browser;
  /** The tails of both servers' output, for a failed step's report. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the demo for a browser suite named `name`: a party (under Miniflare)
 * whose webhook reaches the app, the app's production build (built first if
 * its sources changed; the build and the party start together) on an
 * embedded database of its own, and Chromium. `party` and `web` add to or
 * override the settings each gets.
 */
export async function startDemo(
  name: string,
  settings: { party?: Record<string, string>; web?: Record<string, string>; dev?: boolean } = {},
): Promise<Demo> {
  const webPort = await freePort();
  const partyStarting = PartyServer.start({
    HERENOW_WEBHOOK_URL: `http://127.0.0.1:${webPort}/api/herenow/events`,
    HERENOW_WEBHOOK_BATCH_MS: "100",
    ...settings.party,
  });
  const dataDir = mkdtempSync(join(tmpdir(), `herenow-web-${name}-`));
  let webStarted: WebServer | undefined;
  try {
    const [built, party] = await Promise.all([settings.dev ? "not needed: next dev" : ensureBuild(), partyStarting]);
    console.info(`next build: ${built}`);
    const web = await WebServer.start(
      webPort,
      {
        HERENOW_SECRET: SECRET,
        HERENOW_SESSION_SECRET: `${name}-session-secret-0123456789-abcdefghijklmnop`,
        HERENOW_PARTY_HOST: party.host,
        DATABASE_URL: `pglite://${join(dataDir, "pglite")}`,
        CRON_SECRET: `${name}-cron-secret-0123456789`,
        ...settings.web,
      },
      { dev: settings.dev ?? false },
    );
    webStarted = web;
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    return {
      party,
      web,
      browser,
      logs: () =>
        `--- next start log (tail) ---\n${web.log.slice(-4000)}\n--- party log (tail) ---\n${party.log.slice(-4000)}`,
      async stop() {
        await browser.close();
        await web.stop();
        await party.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    // what started before the step that failed stops now: the suite gets no Demo to stop
    await webStarted?.stop();
    await partyStarting.then(
      (party) => party.dispose(),
      () => undefined,
    );
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A new page of `context` that signs in as `name` in the lobby, then opens the room. */
export async function signInAndEnter(context: BrowserContext, name: string, room: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto("/");
  await page.locator("#sign-in-name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.getByTestId("lobby-user").textContent()).toBe(name);
  await page.goto(`/rooms/${room}`);
  return page;
}
