import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PresenceSnapshot, PresenceView } from "@herenow/core";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { PromptCloseWebSocket } from "./prompt-close-ws";

export { PromptCloseWebSocket };

export const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const partyDir = join(import.meta.dirname, "..");

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

const running = new Set<ChildProcess>();
// a test that times out or a run that is cut short must not leave servers behind
process.once("exit", () => {
  for (const child of running) if (child.pid && child.exitCode === null) killGroup(child.pid, "SIGKILL");
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * A real `wrangler dev` running this project's worker on a free port, offline,
 * with its storage in a temporary folder so a restart keeps it (`--persist-to`).
 */
export class PartyServer {
  readonly persistDir = mkdtempSync(join(tmpdir(), "herenow-party-"));
  private child: ChildProcess | null = null;
  log = "";

  constructor(
    readonly port: number,
    readonly vars: Record<string, string>,
    /** The worker project to run, a folder with a wrangler.jsonc (default: this repository's party). */
    readonly projectDir = partyDir,
  ) {}

  static async start(vars: Record<string, string> = {}, projectDir = partyDir): Promise<PartyServer> {
    const server = new PartyServer(await freePort(), { HERENOW_SECRET: SECRET, ...vars }, projectDir);
    await server.start();
    return server;
  }

  /** The process id of the server's process group (npx, wrangler and its workerd), for measurements. */
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
    const args = ["wrangler", "dev", "--port", String(this.port), "--ip", "127.0.0.1"];
    args.push("--persist-to", this.persistDir, "--show-interactive-dev-session=false", "--inspector-port", "0");
    for (const [name, value] of Object.entries(this.vars)) args.push("--var", `${name}:${value}`);
    const child = spawn("npx", args, { cwd: this.projectDir, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.child = child;
    running.add(child);
    child.once("exit", () => running.delete(child));
    child.stdout?.on("data", (chunk: Buffer) => {
      this.log += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.log += chunk.toString();
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${this.log}`);
      try {
        // a path no room answers: the worker is up without waking (or creating) any room
        const response = await fetch(`http://${this.host}/ready`, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`wrangler dev did not start within 60 s:\n${this.log}`);
  }

  /** Stops the server; `SIGKILL` kills workerd too, as a crash would. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // the whole process group: npx, wrangler and its workerd
    if (child.pid) killGroup(child.pid, signal);
    await Promise.race([exited, sleep(5000)]);
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.persistDir, { recursive: true, force: true });
  }
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
      if (message.type === "presence:sync" || message.type === "presence:diff") {
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
      ws.once("unexpected-response", (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
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

  waitForUsers(ids: string[], timeoutMs = 5000): Promise<true> {
    const want = [...ids].sort().join(",");
    return this.waitFor(() => [...this.userIds()].sort().join(",") === want, timeoutMs, `users [${want}]`);
  }

  waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return this.waitFor(() => this.closeEvent, timeoutMs, "close");
  }

  close(): void {
    this.ws.close();
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
