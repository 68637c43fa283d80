// startServer: one way to start a server and wait until it answers, for every suite and bench
// that starts one (the party, next start, vite preview, a token server).
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../src/harness";
import { findLeftovers, killLeftovers, RUN_MARKER, settledLeftovers } from "../src/leftovers";
import { startServer } from "../src/processes";

/** A Node server on `port` that prints "starting", listens after 300 ms and answers `status`. */
function server(port: number, status: number): string[] {
  const script = `console.log("starting");
setTimeout(() => require("node:http").createServer((q, s) => { s.statusCode = ${status}; s.end("hi"); }).listen(${port}, "127.0.0.1"), 300);`;
  return ["-e", script];
}

describe.runIf(process.platform === "linux")("startServer", () => {
  const marker = `start-server-test-${randomUUID()}`;
  const env = { ...process.env, [RUN_MARKER]: marker };
  afterEach(() => killLeftovers(marker, findLeftovers(marker) ?? []));

  it("resolves once the server answers, keeps its output, and stops it with its group", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const started = await startServer(process.execPath, server(port, 200), { cwd: tmpdir(), env, url });
    expect(await (await fetch(url)).text()).toBe("hi");
    expect(started.output()).toBe("starting\n");
    await started.stop();
    expect(await settledLeftovers(marker)).toEqual([]);
  });

  it("waits for a 2xx answer unless any answer will do, and gives up after timeoutMs with the output", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    await expect(
      startServer(process.execPath, server(port, 503), { cwd: tmpdir(), env, url, timeoutMs: 1500, name: "the 503" }),
    ).rejects.toThrow(/^the 503 did not answer http:\/\/127\.0\.0\.1:\d+\/ within 1\.5 s:\nstarting/);
    expect(await settledLeftovers(marker)).toEqual([]);

    const any = await startServer(process.execPath, server(port, 503), { cwd: tmpdir(), env, url, ready: "any" });
    expect((await fetch(url)).status).toBe(503);
    await any.stop();
  });

  it("fails at once, with the output, when the server exits before it answers", async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const startedAt = Date.now();
    await expect(startServer("sh", ["-c", "echo broken >&2; exit 3"], { cwd: tmpdir(), env, url })).rejects.toThrow(
      /^sh -c echo broken >&2; exit 3 exited early \(3\):\nbroken/,
    );
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(await settledLeftovers(marker)).toEqual([]);
  });
});
