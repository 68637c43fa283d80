import { describe, expect, it } from "vitest";
import { SECRET } from "./harness";
import { partySuite } from "./suite";

const party = partySuite({ HERENOW_LEAVE_GRACE_MS: "5000" });
const connect = (room: string, user?: { id: string; name: string }, pk?: string) => party.connect(room, { user, pk });

const auth = { authorization: `Bearer ${SECRET}` };
const ann = { id: "u-ann", name: "Ann" };
const bo = { id: "u-bo", name: "Bo" };

describe("room HTTP API", () => {
  it("refuses requests without the bearer secret with 401", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: SECRET }];
    for (const headers of attempts) {
      const get = await fetch(party.server.httpUrl("api"), { headers });
      expect(get.status).toBe(401);
      const kick = await fetch(party.server.httpUrl("api", "kick"), {
        method: "POST",
        headers,
        body: JSON.stringify({ userId: "u-ann" }),
      });
      expect(kick.status).toBe(401);
    }
  });

  it("answers GET with the room's snapshot", async () => {
    await connect("api", ann);
    await connect("api", ann);
    await connect("api");
    const response = await fetch(party.server.httpUrl("api"), { headers: auth });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      room: "api",
      users: [{ id: "u-ann", name: "Ann", connections: 2 }],
      anonymous: 1,
      connections: 3,
    });
    expect(typeof body.seq).toBe("number");
  });

  it("kicks a user's connections with 4003 and tells the others at once", async () => {
    const watcher = await connect("kick", bo);
    const a1 = await connect("kick", ann);
    const a2 = await connect("kick", ann);
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const response = await fetch(party.server.httpUrl("kick", "kick"), {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ userId: "u-ann" }),
    });
    expect(await response.json()).toEqual({ closed: 2 });
    expect((await a1.waitForClose()).code).toBe(4003);
    expect((await a2.waitForClose()).code).toBe(4003);
    // no leave grace for a kick
    await watcher.waitForUsers(["u-bo"], 1000);
  });

  it("kicks one connection by id", async () => {
    const a1 = await connect("kick-one", ann, "tab-1");
    const a2 = await connect("kick-one", ann, "tab-2");
    await a2.waitFor(() => a2.snapshot.users[0]?.connections === 2);
    const response = await fetch(party.server.httpUrl("kick-one", "kick"), {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ connectionId: "tab-1" }),
    });
    expect(await response.json()).toEqual({ closed: 1 });
    expect((await a1.waitForClose()).code).toBe(4003);
    await a2.waitFor(() => a2.snapshot.users[0]?.connections === 1);
    expect(a2.closeEvent).toBeNull();
  });

  it("answers bad kick bodies with 400 and unknown paths with 404", async () => {
    const bad = await fetch(party.server.httpUrl("api", "kick"), { method: "POST", headers: auth, body: "{" });
    expect(bad.status).toBe(400);
    const wrong = await fetch(party.server.httpUrl("api", "kick"), {
      method: "POST",
      headers: auth,
      body: '{"user":1}',
    });
    expect(wrong.status).toBe(400);
    const missing = await fetch(party.server.httpUrl("api", "explode"), { headers: auth });
    expect(missing.status).toBe(404);
    const method = await fetch(party.server.httpUrl("api"), { method: "DELETE", headers: auth });
    expect(method.status).toBe(405);
  });
});

describe("connection id collisions", () => {
  it("gives a second live socket claiming the same _pk an id of its own and leaves the first alone", async () => {
    const first = await connect("hijack", ann, "shared-id");
    const intruder = await connect("hijack", bo, "shared-id");
    const intruderSync = intruder.messages.find((m) => m.type === "presence:sync");
    expect(intruderSync.self.connectionId).not.toBe("shared-id");
    await first.waitForUsers(["u-ann", "u-bo"]);
    // the intruder leaving must not take the first connection with it
    intruder.send({ type: "presence:leave" });
    await intruder.waitForClose();
    await first.waitForUsers(["u-ann"]);
    expect(first.closeEvent).toBeNull();
    const from = first.messages.length;
    first.send({ type: "presence:heartbeat" });
    await first.next("presence:pong", from);
    // and kicking by the shared id reaches only the original
    const response = await fetch(party.server.httpUrl("hijack"), { headers: auth });
    expect((await response.json()).users).toMatchObject([{ id: "u-ann", connections: 1 }]);
  });
});
