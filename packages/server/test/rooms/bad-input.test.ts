import type { TestClient } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { roomSuite } from "./workers";

const party = roomSuite();
const connect = (room: string, user = { id: "u-ann", name: "Ann" }) => party.connect(room, { user });

/** Sends a frame, expects the given error code, then checks the connection still works. */
async function expectError(client: TestClient, frame: string | Buffer, code: string) {
  const from = client.messages.length;
  client.ws.send(frame);
  const error = await client.next("presence:error", from);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  const afterError = client.messages.length;
  client.send({ type: "presence:heartbeat" });
  await client.next("presence:pong", afterError);
  expect(client.closeEvent).toBeNull();
}

describe("bad input gets the protocol's answer and the connection keeps working", () => {
  it.each([
    ["not JSON", "{oops", "invalid_message"],
    ["a JSON number", "42", "invalid_message"],
    ["a JSON array", "[]", "invalid_message"],
    ["an object without type", '{"hello":1}', "invalid_message"],
    ["an unknown presence type", '{"type":"presence:teleport"}', "invalid_message"],
    ["state of the wrong type", '{"type":"presence:state","state":"typing"}', "invalid_message"],
    ["an application type nobody handles", '{"type":"game:move"}', "invalid_message"],
    ["a 70 KiB message", JSON.stringify({ type: "chat:send", text: "x".repeat(70 * 1024) }), "message_too_large"],
    [
      "a 3 KiB state",
      JSON.stringify({ type: "presence:state", state: { blob: "x".repeat(3 * 1024) } }),
      "state_too_large",
    ],
  ])("%s", async (_what, frame, code) => {
    const client = await connect("bad-input");
    await expectError(client, frame, code);
  });

  it("a binary frame", async () => {
    const client = await connect("bad-binary");
    await expectError(client, Buffer.from([0, 1, 2, 3]), "invalid_message");
  });

  it("state from an anonymous connection", async () => {
    const client = await party.connect("bad-anon");
    await expectError(client, JSON.stringify({ type: "presence:state", state: { x: 1 } }), "invalid_message");
  });
});

describe("state floods", () => {
  it("applies 20 a second, answers the rest rate_limited, and converges on the newest state", async () => {
    const flooder = await connect("flood", { id: "u-flood", name: "Flo" });
    const watcher = await connect("flood", { id: "u-watch", name: "Wat" });
    await watcher.waitForUsers(["u-flood", "u-watch"]);
    const from = flooder.messages.length;
    for (let i = 0; i < 40; i++) flooder.send({ type: "presence:state", state: { n: i } });
    await flooder.waitFor(
      () => flooder.messages.slice(from).filter((m) => m.type === "presence:error").length >= 15,
      3000,
      "rate_limited errors",
    );
    const errors = flooder.messages.slice(from).filter((m) => m.type === "presence:error");
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(["rate_limited"]));
    // the held last state is applied when the second ends
    await watcher.waitFor(() => watcher.snapshot.users.find((u) => u.id === "u-flood")?.state.n === 39, 3000, "n=39");
    expect(watcher.gaps).toBe(0);
  });
});

describe("rate limits are not abuse", () => {
  it("keeps a connection open through 60 state and 60 status changes in a second: rate_limited never counts toward 4008", async () => {
    const eager = await connect("eager", { id: "u-eager", name: "Eve" });
    const watcher = await connect("eager", { id: "u-watch", name: "Wat" });
    await watcher.waitForUsers(["u-eager", "u-watch"]);
    const from = eager.messages.length;
    for (let i = 0; i < 60; i++) {
      eager.send({ type: "presence:state", state: { n: i } });
      eager.send({ type: "presence:status", status: i % 2 === 0 ? "hidden" : "idle" });
    }
    const limited = () => eager.messages.slice(from).filter((m) => m.type === "presence:error").length;
    await eager.waitFor(() => limited() >= 80, 5000, "80 rate_limited answers");
    await watcher.waitFor(
      () => {
        const user = watcher.snapshot.users.find((u) => u.id === "u-eager");
        return user?.state.n === 59 && user.status === "idle";
      },
      5000,
      "the newest state and status",
    );
    expect(eager.closeEvent).toBeNull();
    eager.send({ type: "presence:heartbeat" });
    await eager.next("presence:pong", from);
  });
});

describe("sustained abuse", () => {
  it("closes a connection with 4008 after more than 20 errors a minute", async () => {
    const client = await connect("abuse");
    for (let i = 0; i < 21; i++) client.send("nope");
    const closed = await client.waitForClose();
    expect(closed.code).toBe(4008);
    expect(client.messages.filter((m) => m.type === "presence:error")).toHaveLength(21);
  });

  it("does not close a connection with 20 errors", async () => {
    const client = await connect("abuse-ok");
    for (let i = 0; i < 20; i++) client.send("nope");
    await client.waitFor(() => client.messages.filter((m) => m.type === "presence:error").length === 20);
    const from = client.messages.length;
    client.send('"heartbeat"');
    await client.next("presence:pong", from);
    expect(client.closeEvent).toBeNull();
  });
});
