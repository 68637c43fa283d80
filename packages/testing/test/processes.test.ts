// Every process a test starts through the harness stops with its whole group: when it ends,
// when it runs too long, and when the test process is told to end (vitest ends each file's
// worker with SIGTERM, and a worker's "exit" never comes then).
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { findLeftovers, killLeftovers, RUN_MARKER, settledLeftovers } from "../src/leftovers";
import { runCommand } from "../src/processes";
import { groupOfRunningTestProcess } from "./support";

describe.runIf(process.platform === "linux")("a process group started by the harness", () => {
  const marker = `processes-test-${randomUUID()}`;
  const env = { ...process.env, [RUN_MARKER]: marker };
  afterEach(() => killLeftovers(marker, findLeftovers(marker) ?? []));

  it("is stopped, with what it started, when the test process gets vitest's SIGTERM", async () => {
    const worker = await groupOfRunningTestProcess(marker, ["sh", "-c", "sleep 300 & sleep 300"]);
    // the worker, the shell and its two sleeps
    expect((await settledLeftovers(marker, 0))?.length).toBe(4);
    worker.kill("SIGTERM");
    // and the worker still dies of it
    expect(await worker.ended).toBe("SIGTERM");
    expect(await settledLeftovers(marker)).toEqual([]);
  });

  it("is killed when it runs past runCommand's timeout, and the error says so", async () => {
    const hint = "npm can hang retrying a registry";
    await expect(
      runCommand("sh", ["-c", "echo waiting; sleep 300 & sleep 300"], { cwd: tmpdir(), env, timeoutMs: 500, hint }),
    ).rejects.toThrow(
      /^sh -c .* did not finish within 0\.5 s and was killed; npm can hang retrying a registry:\nwaiting/,
    );
    expect(await settledLeftovers(marker)).toEqual([]);
  });

  it("is stopped when its command succeeds, with what the command left in the background", async () => {
    expect(await runCommand("sh", ["-c", "sleep 300 & echo done"], { cwd: tmpdir(), env })).toBe("done\n");
    expect(await settledLeftovers(marker)).toEqual([]);
  });

  it("says what failed and where, with its output", async () => {
    await expect(runCommand("sh", ["-c", "echo broken >&2; exit 3"], { cwd: tmpdir(), env })).rejects.toThrow(
      `sh -c echo broken >&2; exit 3 (in ${tmpdir()}) failed (3):\nbroken`,
    );
  });
});
