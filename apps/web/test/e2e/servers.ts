import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { newestMtime, runCommand } from "@herenow/testing";

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
    ...["core", "db", "react"].map((name) => join(repoRoot, "packages", name, "src")),
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

/** `next start` of the production build on a port, with the given settings. */
export class WebServer {
  log = "";
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(port: number, env: Record<string, string>): Promise<WebServer> {
    const child = spawn(nextBin, ["start", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: appDir,
      // only what the app needs, so a developer's own HERENOW_* or DATABASE_URL cannot leak in
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const server = new WebServer(port, child);
    child.stdout?.on("data", (chunk: Buffer) => {
      server.log += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      server.log += chunk.toString();
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`next start exited early (${child.exitCode}):\n${server.log}`);
      try {
        const response = await fetch(`${server.origin}/api/rooms`, { signal: AbortSignal.timeout(5_000) });
        await response.body?.cancel();
        if (response.ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await server.stop();
    throw new Error(`next start did not answer within 60 s:\n${server.log}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.pid) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    process.kill(-this.child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (this.child.exitCode === null) process.kill(-this.child.pid, "SIGKILL");
  }
}
