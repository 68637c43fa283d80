import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RUN_MARKER } from "./leftovers.ts";

/**
 * Newest modification time of the files under a path (or of the file),
 * skipping folders named in `skip` (dependencies, build output, tests):
 * what decides whether a cached build is older than its sources.
 */
export function newestMtime(path: string, skip: readonly string[]): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (skip.includes(entry)) continue;
    newest = Math.max(newest, newestMtime(join(path, entry), skip));
  }
  return newest;
}

/** Where and how a process runs. */
export interface SpawnOptions {
  cwd: string;
  /** Its whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

// Every group spawnGroup started whose leader has not exited: what the last resort below stops.
const running = new Set<ChildProcess>();

function stopRunning(): void {
  for (const child of running) if (child.pid) killGroup(child.pid, "SIGKILL");
  running.clear();
}

// The last resort, for a test that timed out or a run cut short: every group still running is
// killed when this process ends. Vitest ends each file's worker with SIGTERM, and Node's "exit"
// never comes then: handling "exit" alone is how a Miniflare runner and its workerd outlived a
// run. After the kill the signal is raised again if no one else listens for it, so the process
// still dies of it; where someone does (vitest, in its main process), that listener decides.
process.once("exit", stopRunning);
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.once(signal, () => {
    stopRunning();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

/**
 * Starts a process in a process group of its own (`detached`), so that stopping the group
 * stops everything it starts too (npx → wrangler → workerd, npm → its scripts), and this
 * process stops the group if it ends or is told to end first. The process carries
 * `npm test`'s run marker (and turbo's task hash) even when `env` is a fresh environment, so
 * the run's leftover check (leftovers.ts) sees it, and whose it is, if nothing stops it.
 *
 * @example
 * const preview = spawnGroup("npx", ["vite", "preview"], { cwd: dir });
 * try { ... } finally { await stopGroup(preview); }
 */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const env = { ...(options.env ?? process.env) };
  for (const name of [RUN_MARKER, "TURBO_HASH"]) {
    if (env[name] === undefined && process.env[name] !== undefined) env[name] = process.env[name];
  }
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Sends a signal to a whole process group (a no-op when the group is gone). */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops a group started with spawnGroup: `signal` to the whole group, up to `graceMs` for its
 * leader to exit, then SIGKILL to whatever of the group is left (a workerd whose parent
 * exited, a child an npm script left in the background). Resolves once the leader has exited.
 * Call it while the leader runs or the moment it has exited: a group whose processes have all
 * ended gives its id back, and a busy machine hands it to someone else within minutes.
 *
 * @example
 * await stopGroup(server, "SIGTERM");
 */
export async function stopGroup(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
  graceMs = 5000,
): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(pid, signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }
  killGroup(pid, "SIGKILL");
  await exited;
}

/** How a command that ran to its end ended. */
export interface Finished {
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came. */
  output: string;
  /** Whether it ran past `timeoutMs` and was killed. */
  timedOut: boolean;
}

/**
 * Runs a command to its end, whatever its exit code, in a group of its own that is stopped
 * when it ends (what it left in the background too) or, with `timeoutMs`, when it has run
 * that long.
 *
 * @example
 * const { code, stderr } = await runToEnd(process.execPath, ["server.js"], { cwd, timeoutMs: 30_000 });
 */
export function runToEnd(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number },
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, options);
    const finished: Finished = { code: null, stdout: "", stderr: "", output: "", timedOut: false };
    child.stdout?.on("data", (chunk: Buffer) => {
      finished.stdout += chunk.toString();
      finished.output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      finished.stderr += chunk.toString();
      finished.output += chunk.toString();
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            finished.timedOut = true;
            if (child.pid) killGroup(child.pid, "SIGKILL");
          }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // the output is complete at "close", once every pipe is closed; a process the command left
    // in the background would hold them open for ever, so its group is killed at "exit"
    child.once("exit", (code) => {
      clearTimeout(timer);
      finished.code = code;
      if (child.pid) killGroup(child.pid, "SIGKILL");
    });
    child.once("close", () => resolve(finished));
  });
}

/**
 * Runs a command to completion and resolves to its output (stdout and stderr); rejects with
 * the output when it fails or, with `timeoutMs`, when it runs that long (it is killed with
 * its process group then, and `hint` says what may hold it).
 *
 * @example
 * await runCommand("npx", ["wrangler", "deploy", "--dry-run"], { cwd: projectDir, timeoutMs: 120_000 });
 */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number; hint?: string },
): Promise<string> {
  const { code, output, timedOut } = await runToEnd(command, args, options);
  const what = `${command} ${args.join(" ")} (in ${options.cwd})`;
  if (timedOut) {
    const hint = options.hint ? `; ${options.hint}` : "";
    throw new Error(`${what} did not finish within ${options.timeoutMs! / 1000} s and was killed${hint}:\n${output}`);
  }
  if (code !== 0) throw new Error(`${what} failed (${code ?? "killed by a signal"}):\n${output}`);
  return output;
}

/** A server started with startServer: its process group, and what it has printed so far. */
export interface StartedServer {
  readonly child: ChildProcess;
  /** stdout and stderr as they came. */
  output(): string;
  /** Stops its group (see stopGroup). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** When a server that is starting counts as up. */
export interface ServeOptions extends SpawnOptions {
  /** What is asked until it answers. */
  url: string;
  /** "ok": an answer with a 2xx status; "any": any answer at all (default "ok"). */
  ready?: "ok" | "any";
  /** How long it may take to answer (default 30 s). */
  timeoutMs?: number;
  /** How long one request may take (default 1 s; a server that compiles on first request needs more). */
  requestTimeoutMs?: number;
  /** What it is, for its errors (default: the command line). */
  name?: string;
  /** Each piece of output as it comes, for a caller that keeps a log across restarts. */
  onOutput?: (chunk: string) => void;
}

/**
 * Starts a server in a process group of its own (spawnGroup) and resolves once `url` answers.
 * If the server exits first, or has not answered within `timeoutMs`, its group is stopped and
 * the error carries its output.
 *
 * @example
 * const preview = await startServer("npx", ["vite", "preview", "--port", "4173"], { cwd: dir, url: "http://127.0.0.1:4173" });
 * try { ... } finally { await preview.stop(); }
 */
export async function startServer(
  command: string,
  args: readonly string[],
  options: ServeOptions,
): Promise<StartedServer> {
  const child = spawnGroup(command, args, options);
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk.toString());
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const server: StartedServer = { child, output: () => output, stop: (signal) => stopGroup(child, signal) };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const what = options.name ?? `${command} ${args.join(" ")}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      // what it started (a workerd) may outlive it
      await server.stop();
      throw new Error(`${what} exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    try {
      const response = await fetch(options.url, { signal: AbortSignal.timeout(options.requestTimeoutMs ?? 1000) });
      await response.body?.cancel();
      if (response.ok || options.ready === "any") return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`${what} did not answer ${options.url} within ${timeoutMs / 1000} s:\n${output}`);
}
