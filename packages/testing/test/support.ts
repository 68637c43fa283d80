import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RUN_MARKER } from "../src/leftovers";

const processesModule = pathToFileURL(join(import.meta.dirname, "..", "src", "processes.ts")).href;

/** A test process of its own (Node, with the harness's processes.ts), in a run marked `marker`. */
export interface TestProcess {
  /** The process id of the group it started. */
  pid: number;
  /** Resolves with the signal that ended the test process. */
  ended: Promise<NodeJS.Signals | null>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts a Node process that starts `command` with spawnGroup and then, if `abandon`, dies of
 * SIGKILL without stopping it, as a test worker killed mid-test would; otherwise it waits.
 */
function testProcess(marker: string, command: readonly string[], abandon: boolean): Promise<TestProcess> {
  const script = `
    const { spawnGroup } = await import(${JSON.stringify(processesModule)});
    const [command, ...args] = ${JSON.stringify(command)};
    const child = spawnGroup(command, args, { cwd: ${JSON.stringify(tmpdir())} });
    console.log(child.pid);
    ${abandon ? 'process.kill(process.pid, "SIGKILL");' : "setInterval(() => {}, 1000);"}
  `;
  const worker = spawn(process.execPath, ["--input-type=module", "--eval", script], {
    env: { ...process.env, [RUN_MARKER]: marker },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ended = new Promise<NodeJS.Signals | null>((resolve) =>
    worker.once("exit", (_code, signal) => resolve(signal)),
  );
  return new Promise((resolve, reject) => {
    worker.stdout.once("data", (chunk: Buffer) => {
      resolve({ pid: Number(chunk.toString().trim()), ended, kill: (signal) => worker.kill(signal) });
    });
    worker.once("error", reject);
    ended.then((signal) => reject(new Error(`the test process ended (${signal}) before starting its group`)));
  });
}

/** A group `command` started with spawnGroup by a test process that then died without stopping it. */
export async function abandonGroup(marker: string, command: readonly string[]): Promise<{ pid: number }> {
  const started = await testProcess(marker, command, true);
  await started.ended;
  return { pid: started.pid };
}

/** A group `command` started with spawnGroup by a test process that is still running. */
export function groupOfRunningTestProcess(marker: string, command: readonly string[]): Promise<TestProcess> {
  return testProcess(marker, command, false);
}
