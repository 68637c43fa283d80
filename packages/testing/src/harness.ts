import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PresenceSnapshot, PresenceView } from "@herenow/core";
import { shardOf } from "@herenow/core/engine";
import { SignJWT } from "jose";
import { describe, it } from "vitest";
import WebSocket from "ws";
import { writeWranglerEnvFile } from "../../../scripts/wrangler-env-file.mjs";
import { onCI } from "./ci";
import { newestMtime, runCommand, startServer, stopGroup } from "./processes";
import { PromptCloseWebSocket } from "./prompt-close-ws";

export { onCI } from "./ci";

export {
  type Finished,
  killGroup,
  newestMtime,
  runCommand,
  runToEnd,
  type ServeOptions,
  type SpawnOptions,
  type StartedServer,
  spawnGroup,
  startServer,
  stopGroup,
} from "./processes";

export { PromptCloseWebSocket };

export const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
// the repository's deployable worker, found by the layout (packages/testing/src → party/),
// not through an export of the party package: the party does not ship its tests' tools
const partyDir = join(import.meta.dirname, "..", "..", "..", "party");

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A command, its arguments and its environment. */
type Command = [string, string[], NodeJS.ProcessEnv];

/** How the party runs: the built bundle under Miniflare (one workerd), or `wrangler dev` as `npm run dev` does. */
export type PartyRuntime = "miniflare" | "wrangler";

/**
 * A real local Workers runtime running this project's worker on a free port,
 * offline, with its storage in a temporary folder so a restart keeps it.
 *
 * By default the bundle that `wrangler deploy` would upload runs under
 * Miniflare's API: one workerd, as in production. `wrangler dev` puts a
 * second workerd in front that relays every frame, and that relay holds about
 * one request in a hundred for 5 s after a refused POST (measured: up to 3 in
 * 160 there, none in 480 under Miniflare alone), which made tests flaky for a
 * reason that is the dev server's, not the room's. `runtime: "wrangler"` runs
 * `wrangler dev` itself (the dev command's own test uses it).
 */
export class PartyServer {
  readonly persistDir = mkdtempSync(join(tmpdir(), "herenow-party-"));
  /** The settings `wrangler dev` reads (`--env-file`), beside the storage folder. */
  private readonly envFile = `${this.persistDir}.env`;
  private child: ChildProcess | null = null;
  log = "";

  constructor(
    readonly port: number,
    readonly vars: Record<string, string>,
    /** The worker project to run, a folder with a wrangler.jsonc (default: this repository's party). */
    readonly projectDir = partyDir,
    readonly runtime: PartyRuntime = "miniflare",
  ) {}

  static async start(
    vars: Record<string, string> = {},
    projectDir = partyDir,
    runtime: PartyRuntime = "miniflare",
  ): Promise<PartyServer> {
    const server = new PartyServer(await freePort(), { HERENOW_SECRET: SECRET, ...vars }, projectDir, runtime);
    await server.start();
    return server;
  }

  /** The process id of the server's process group (node or wrangler, and workerd), for measurements. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  url(room: string, query: Record<string, string> = {}): string {
    const params = new URLSearchParams(query).toString();
    return `ws://${this.host}/parties/main/${room}${params ? `?${params}` : ""}`;
  }

  httpUrl(room: string, action = ""): string {
    return `http://${this.host}/parties/main/${room}${action ? `/${action}` : ""}`;
  }

  async start(): Promise<void> {
    const [command, args, env] =
      this.runtime === "wrangler" ? this.wranglerDevCommand() : await this.miniflareCommand();
    const server = await startServer(command, args, {
      cwd: this.projectDir,
      env,
      // a path no room answers: the worker is up without waking (or creating) any room
      url: `http://${this.host}/ready`,
      ready: "any",
      timeoutMs: 60_000,
      name: `the party (${this.runtime})`,
      onOutput: (chunk) => {
        this.log += chunk;
      },
    });
    this.child = server.child;
  }

  private wranglerDevCommand(): Command {
    const args = ["wrangler", "dev", "--config", join(this.projectDir, "wrangler.jsonc")];
    args.push("--port", String(this.port), "--ip", "127.0.0.1");
    args.push("--persist-to", this.persistDir, "--show-interactive-dev-session=false", "--inspector-port", "0");
    // in a file, as `npm run dev` does: `--var` would put the secret on the command line
    writeWranglerEnvFile(this.envFile, this.vars);
    args.push("--env-file", this.envFile);
    // as `npm run dev` does (party/scripts/dev.mjs): no attempt to fetch `Request.cf` offline
    return ["npx", args, { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env }];
  }

  private async miniflareCommand(): Promise<Command> {
    const bundleDir = await buildBundle(this.projectDir);
    const config = readWranglerConfig(this.projectDir);
    const options = {
      mainModule: `${config.main.replace(/^.*\//, "").replace(/\.ts$/, "")}.js`,
      modulesRoot: bundleDir,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
      port: this.port,
      persistDir: this.persistDir,
      durableObjects: config.durable_objects.bindings.map((b) => ({ name: b.name, className: b.class_name })),
      vars: { ...config.vars, ...this.vars },
    };
    const runner = join(import.meta.dirname, "miniflare-runner.mjs");
    return [process.execPath, [runner, JSON.stringify(options)], process.env];
  }

  /**
   * Stops the server: the whole process group, node (or npx and wrangler) and workerd, with
   * `signal` and, whatever is left after 5 s, SIGKILL. `SIGKILL` kills workerd too, as a crash would.
   */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await stopGroup(child, signal);
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.persistDir, { recursive: true, force: true });
    rmSync(this.envFile, { force: true });
  }
}

/**
 * An id (`<prefix>-<n>`, the first such) that a room of `shards` shards places on shard `shard`:
 * a user's id (their sockets all go there) or an anonymous socket's connection id.
 */
export function idOnShard(shard: number, shards: number, prefix: string): string {
  for (let n = 0; ; n++) if (shardOf(`${prefix}-${n}`, shards) === shard) return `${prefix}-${n}`;
}

/**
 * A connection id (`<prefix>-<n>`) that a room of `shards` shards keeps as it is for a socket of
 * this user: one that hashes to the user's own shard, where their sockets go.
 */
export function idOfUsersShard(userId: string, shards: number, prefix: string): string {
  return idOnShard(shardOf(userId, shards), shards, prefix);
}

/** Signs a token the way the web app does; override any claim to forge bad ones. */
export async function token(
  user: { id: string; name: string; info?: Record<string, unknown> },
  options: { secret?: string; expiresIn?: string | number; rooms?: string[]; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const signed = await new SignJWT({
    name: user.name,
    ...(user.info ? { info: user.info } : {}),
    ...(options.rooms ? { rooms: options.rooms } : {}),
    ...options.claims,
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.id)
    .setExpirationTime(options.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
  return signed;
}

// biome-ignore lint/suspicious/noExplicitAny: test messages are whatever the server sent
export type Message = any;

/**
 * A raw `ws` client that records every frame and keeps a `PresenceView`
 * of the room, so tests can wait for a condition instead of sleeping.
 */
export class TestClient {
  readonly messages: Message[] = [];
  readonly view = new PresenceView();
  closeEvent: { code: number; reason: string } | null = null;
  gaps = 0;
  private listeners = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      let message: Message;
      try {
        message = JSON.parse(text);
      } catch {
        message = { type: "?", raw: text };
      }
      if (message.type === "presence:sync" || message.type === "presence:diff" || message.type === "presence:count") {
        if (this.view.apply(message) === "gap") this.gaps++;
      }
      this.messages.push(message);
      this.notify();
    });
    ws.on("close", (code, reason) => {
      this.closeEvent = { code, reason: reason.toString() };
      this.notify();
    });
  }

  static open(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new PromptCloseWebSocket(url);
      const client = new TestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => {
        // the body says why (a refusal's message, or the runtime's own error page)
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => reject(new Error(`refused with HTTP ${res.statusCode}: ${body.trim().slice(0, 2000)}`)));
        res.on("error", () => reject(new Error(`refused with HTTP ${res.statusCode}`)));
      });
    });
  }

  get snapshot(): PresenceSnapshot {
    return this.view.snapshot;
  }

  userIds(): string[] {
    return this.view.snapshot.users.map((user) => user.id);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Resolves once `check` holds, re-checking after every frame; rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 5000, what = "condition"): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value) {
          this.listeners.delete(attempt);
          clearTimeout(timer);
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(attempt);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      this.listeners.add(attempt);
      attempt();
    });
  }

  /** The next message of a type that arrives after `from` (index into `messages`). */
  next(type: string, from = this.messages.length, timeoutMs = 5000): Promise<Message> {
    return this.waitFor(() => this.messages.slice(from).find((m) => m.type === type), timeoutMs, type);
  }

  /**
   * Every join (`+id`) and leave (`-id`) the room announced since message number `from` (take
   * `client.messages.length` before the step): a reload the others must not see leaves none.
   */
  joinsAndLeavesSince(from: number): string[] {
    return this.messages
      .slice(from)
      .filter((message) => message.type === "presence:diff")
      .flatMap((diff) => [
        ...(diff.joined as { id: string }[]).map((user) => `+${user.id}`),
        ...(diff.left as string[]).map((id) => `-${id}`),
      ]);
  }

  waitForUsers(ids: string[], timeoutMs = 5000): Promise<true> {
    const want = [...ids].sort().join(",");
    return this.waitFor(() => [...this.userIds()].sort().join(",") === want, timeoutMs, `users [${want}]`);
  }

  waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return this.waitFor(() => this.closeEvent, timeoutMs, "close");
  }

  /** Closes with a code, as a browser does (1001 when its page goes away); none gives the server 1005. */
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  /** Drops the TCP connection without a close frame, as a vanished laptop would. */
  terminate(): void {
    this.ws.terminate();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Opens a socket expecting a refusal before the upgrade; resolves to its status and body. */
export function refusal(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => {
      ws.close();
      reject(new Error("the connection was accepted"));
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once("error", () => undefined);
  });
}

/**
 * How long a test waits for a copy (the database, a client's view) to catch
 * up: a deadline for an outcome, not a claim about speed (bench/ measures
 * that), so it is generous enough for a shared machine under heavy load,
 * where a room's retries after a 503 alone can take tens of seconds.
 */
export const CONVERGE_MS = 60_000;

/** Polls until `check` answers `null` (all is well), or fails with its last complaint or error. */
export async function until(check: () => string | null | Promise<string | null>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let problem: string | null = "not checked yet";
  while (Date.now() - started < timeoutMs) {
    try {
      problem = await check();
    } catch (error) {
      // a poll that fails (a keep-alive socket the dev server's proxy just dropped) is polled again
      problem = `the check threw: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (problem === null) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${problem}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Tears down a list of clients without caring how they are. */
export function closeAll(clients: TestClient[]): void {
  for (const client of clients) {
    if (client.ws.readyState === WebSocket.OPEN || client.ws.readyState === WebSocket.CONNECTING) client.terminate();
  }
}

/**
 * `fetch` for the party's HTTP API. A GET that stalls is asked again: wrangler dev's relay
 * holds about one request in a hundred for 5 s after a refused POST (measured: 1–3 of 160
 * there, 0 of 480 with the same bundle under Miniflare alone), which is the dev server's,
 * not the room's. Other methods are sent once, since a retried kick would count twice.
 */
export async function partyFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? "GET").toUpperCase();
  if (method !== "GET") return fetch(url, init);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(2500) });
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || error.name !== "TimeoutError") throw error;
    }
  }
}

export interface WranglerConfig {
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  vars?: Record<string, string>;
}

/** The project's wrangler.jsonc (whole-line `//` comments are the only JSONC it uses). */
export function readWranglerConfig(projectDir: string): WranglerConfig {
  const text = readFileSync(join(projectDir, "wrangler.jsonc"), "utf8");
  return JSON.parse(
    text
      .split("\n")
      .filter((line) => !line.trim().startsWith("//"))
      .join("\n"),
  ) as WranglerConfig;
}

/**
 * The bundle `wrangler deploy` would upload, built with `--dry-run` into the project's
 * `.wrangler/test-bundle` and built again only when the worker's or the packages' sources
 * are newer than it.
 */
/** What the bundle's sources never include. */
const BUNDLE_SKIP = ["node_modules", ".wrangler", "dist", "test"];

async function buildBundle(projectDir: string): Promise<string> {
  const bundleDir = join(projectDir, ".wrangler", "test-bundle");
  const repoRoot = join(partyDir, "..");
  // a fixture worker may import the party's own sources (the chat's), so those count too
  const sources = [
    projectDir,
    ...["packages/core/src", "packages/server/src", "party/src"].map((dir) => join(repoRoot, dir)),
  ];
  const built = existsSync(bundleDir) ? statSync(bundleDir).mtimeMs : 0;
  if (built > Math.max(...sources.map((source) => newestMtime(source, BUNDLE_SKIP)))) return bundleDir;
  const staging = `${bundleDir}-${process.pid}`;
  await runCommand(
    "npx",
    ["wrangler", "deploy", "--config", join(projectDir, "wrangler.jsonc"), "--dry-run", "--outdir", staging],
    { cwd: projectDir, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  rmSync(bundleDir, { recursive: true, force: true });
  renameSync(staging, bundleDir);
  return bundleDir;
}

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * What Chromium needs to run headless as root in a container, without phoning
 * home. No --user-data-dir: playwright-core gives every launch a fresh
 * temporary one of its own (and refuses one here).
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * Whether Chromium is installed. When it is not, a test run by hand skips
 * `what` with a message, and on CI (onCI) a failing test says so: CI
 * must run the browser tests. Call it at the top of a test file.
 */
export function haveChromium(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `${what} skipped: ${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  if (onCI()) {
    describe(what, () => {
      it("needs Chromium on CI", () => {
        throw new Error(`${message}; CI must run it`);
      });
    });
  } else {
    console.warn(message);
  }
  return false;
}
