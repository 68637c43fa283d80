// `npm test`'s leftover check, against real processes: a test process that starts a group
// with spawnGroup and dies without stopping it (as a vitest worker SIGKILLed mid-test would)
// leaves it running, and the check finds it by the run's marker, and only it.
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { findLeftovers, killLeftovers, RUN_MARKER, settledLeftovers } from "../src/leftovers";
import { spawnGroup, stopGroup } from "../src/processes";
import { abandonGroup } from "./support";

describe.runIf(process.platform === "linux")("the leftover check", () => {
  const marker = `leftovers-test-${randomUUID()}`;
  afterEach(() => killLeftovers(marker, findLeftovers(marker) ?? []));

  it("finds a group a test process started with spawnGroup and never stopped, and kills it", async () => {
    const { pid } = await abandonGroup(marker, ["sleep", "300"]);
    const found = findLeftovers(marker);
    expect(found).toEqual([expect.objectContaining({ pid, command: "sleep 300", cwd: tmpdir() })]);

    killLeftovers(marker, found ?? []);
    expect(await settledLeftovers(marker)).toEqual([]);
  });

  it("does not see a process of this run that was stopped, nor anyone else's", async () => {
    const stopped = spawnGroup("sleep", ["300"], { cwd: tmpdir(), env: { ...process.env, [RUN_MARKER]: marker } });
    await stopGroup(stopped);
    // a process of another run (or none), alive all along
    const other = spawnGroup("sleep", ["300"], { cwd: tmpdir(), env: { ...process.env, [RUN_MARKER]: randomUUID() } });
    try {
      expect(await settledLeftovers(marker, 0)).toEqual([]);
    } finally {
      await stopGroup(other);
    }
  });
});
