// What `npm test` left running. scripts/test-all.mjs gives turbo, and so every test process and
// everything those start, an environment variable with a value of this run's own; a process
// that still carries it once turbo has ended was started by the run and never stopped.
//
// Why a marker in the environment rather than a list of the process groups tests started: it
// needs nothing from the code that starts a process (a process started any other way than
// through the harness's spawnGroup inherits it too), and it cannot mistake someone else's
// process for ours: a process id or group id is reused within minutes on a busy machine
// (pid_max is 32768 on many), a random value in a process's environment is not. The kernel
// keeps each process's environment as it was at exec in /proc/<pid>/environ, so this is
// Linux's; elsewhere the check says it cannot look and passes.
//
// Node strips this file's types when scripts/test-all.mjs imports it: node: imports only.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The environment variable that marks a test run's processes. */
export const RUN_MARKER = "HERENOW_TEST_RUN";

/** A process a test run started and left running. */
export interface Leftover {
  pid: number;
  /** Its command line. */
  command: string;
  /** Its working folder, when it can be read. */
  cwd: string | null;
  /** The TURBO_HASH in its environment: which package's test task started it (test-summary.ts's `packageOf`). */
  taskHash: string | null;
}

/**
 * The processes alive now that carry `RUN_MARKER=<marker>`, or null where there is no /proc
 * to read them from.
 *
 * @example
 * const left = findLeftovers(marker);
 * if (left?.length) killLeftovers(marker, left);
 */
export function findLeftovers(marker: string, proc = "/proc"): Leftover[] | null {
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return null;
  }
  const leftovers: Leftover[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const environment = markedEnvironment(proc, pid, marker);
    if (!environment) continue;
    leftovers.push({
      pid,
      command: readCommand(proc, pid),
      cwd: readCwd(proc, pid),
      taskHash: /(?:^|\0)TURBO_HASH=([^\0]*)/.exec(environment)?.[1] ?? null,
    });
  }
  return leftovers;
}

/**
 * SIGKILLs each leftover that still carries the marker: one that ended in the meantime may
 * have left its process id to someone else's process, which must not be killed.
 */
export function killLeftovers(marker: string, leftovers: readonly Leftover[], proc = "/proc"): void {
  for (const { pid } of leftovers) {
    if (!markedEnvironment(proc, pid, marker)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone since
    }
  }
}

/**
 * The run's leftovers once the ones already on their way out have had `graceMs` to go (a
 * workerd ends a moment after the runner that stopped it).
 */
export async function settledLeftovers(marker: string, graceMs = 3000, proc = "/proc"): Promise<Leftover[] | null> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const leftovers = findLeftovers(marker, proc);
    if (!leftovers?.length || Date.now() >= deadline) return leftovers;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One line per leftover: `pid 123 [@herenow/web] node …/next start (in /…/apps/web)`. */
export function describeLeftover(leftover: Leftover, packageName: string | null = null): string {
  const owner = packageName ? ` [${packageName}]` : "";
  const where = leftover.cwd ? ` (in ${leftover.cwd})` : "";
  return `pid ${leftover.pid}${owner} ${leftover.command.slice(0, 300)}${where}`;
}

// A process's environment (NUL-separated) if it carries the marker, else null; nothing else of
// another process's environment is looked at. One that ended, a zombie or someone else's
// (EACCES) has none to read.
function markedEnvironment(proc: string, pid: number, marker: string): string | null {
  let text: string;
  try {
    text = readFileSync(`${proc}/${pid}/environ`, "utf8");
  } catch {
    return null;
  }
  const entry = `${RUN_MARKER}=${marker}`;
  return text.startsWith(`${entry}\0`) || text.includes(`\0${entry}\0`) ? text : null;
}

function readCommand(proc: string, pid: number): string {
  try {
    return readFileSync(`${proc}/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "?";
  }
}

function readCwd(proc: string, pid: number): string | null {
  try {
    return readlinkSync(`${proc}/${pid}/cwd`);
  } catch {
    return null;
  }
}
