import { partyFetch, refusal, SECRET, token, until } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { roomSuite } from "./workers";

const party = roomSuite({ HERENOW_LEAVE_GRACE_MS: "5000" });
const connect = (room: string, user?: { id: string; name: string }, pk?: string) => party.connect(room, { user, pk });

const auth = { authorization: `Bearer ${SECRET}` };
const ann = { id: "u-ann", name: "Ann" };
const bo = { id: "u-bo", name: "Bo" };

describe("room HTTP API", () => {
  it("refuses requests without the bearer secret with 401", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: SECRET }];
    for (const headers of attempts) {
      const get = await partyFetch(party.server.httpUrl("api"), { headers });
      expect(get.status).toBe(401);
      const kick = await partyFetch(party.server.httpUrl("api", "kick"), {
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
    const response = await partyFetch(party.server.httpUrl("api"), { headers: auth });
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
    const response = await partyFetch(party.server.httpUrl("kick", "kick"), {
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
    const response = await partyFetch(party.server.httpUrl("kick-one", "kick"), {
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
    const bad = await partyFetch(party.server.httpUrl("api", "kick"), { method: "POST", headers: auth, body: "{" });
    expect(bad.status).toBe(400);
    const wrong = await partyFetch(party.server.httpUrl("api", "kick"), {
      method: "POST",
      headers: auth,
      body: '{"user":1}',
    });
    expect(wrong.status).toBe(400);
    const missing = await partyFetch(party.server.httpUrl("api", "explode"), { headers: auth });
    expect(missing.status).toBe(404);
    const method = await partyFetch(party.server.httpUrl("api"), { method: "DELETE", headers: auth });
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
    const response = await partyFetch(party.server.httpUrl("hijack"), { headers: auth });
    expect((await response.json()).users).toMatchObject([{ id: "u-ann", connections: 1 }]);
  });
});

describe("bans", () => {
  const kick = (room: string, body: unknown) =>
    fetch(party.server.httpUrl(room, "kick"), { method: "POST", headers: auth, body: JSON.stringify(body) });

  it("keeps a kicked and banned user out with 403 until the ban is lifted", async () => {
    const watcher = await connect("ban", bo);
    const ann1 = await connect("ban", ann);
    await watcher.waitForUsers(["u-bo", "u-ann"]);
    const response = await kick("ban", { userId: "u-ann", banSeconds: 3600 });
    expect(await response.json()).toEqual({ closed: 1 });
    expect((await ann1.waitForClose()).code).toBe(4003);
    await watcher.waitForUsers(["u-bo"], 1000);

    // a fresh token does not help: the ban is on the user, before the upgrade
    const refused = await refusal(party.server.url("ban", { token: await token(ann) }));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/banned from this room until \d{4}-/);
    // other rooms and other users are not affected
    await connect("ban-elsewhere", ann);
    await connect("ban", { id: "u-cy", name: "Cy" });

    const listed = (await (await partyFetch(party.server.httpUrl("ban", "bans"), { headers: auth })).json()) as {
      bans: { userId: string; until: number }[];
    };
    expect(listed.bans.map((b) => b.userId)).toEqual(["u-ann"]);
    expect(listed.bans[0]?.until).toBeGreaterThan(Date.now() + 3500_000);

    const unban = () =>
      fetch(party.server.httpUrl("ban", "unban"), { method: "POST", headers: auth, body: '{"userId":"u-ann"}' });
    expect(await (await unban()).json()).toEqual({ unbanned: true });
    expect(await (await unban()).json()).toEqual({ unbanned: false });
    await connect("ban", ann);
    await watcher.waitForUsers(["u-bo", "u-cy", "u-ann"]);
  });

  it("lets a ban end by itself", async () => {
    await connect("ban-short", ann);
    await kick("ban-short", { userId: "u-ann", banSeconds: 1 });
    expect((await refusal(party.server.url("ban-short", { token: await token(ann) }))).status).toBe(403);
    await until(async () => {
      const { status } = await refusal(party.server.url("ban-short", { token: await token(ann) })).catch(() => ({
        status: 101,
      }));
      return status === 101 ? null : `still refused with ${status}`;
    }, 5000);
  });

  it("answers bad ban requests with 400 and wrong methods with 405", async () => {
    for (const body of [
      { userId: "u-ann", banSeconds: 0 },
      { userId: "u-ann", banSeconds: 31_536_001 },
      { userId: "u-ann", banSeconds: 1.5 },
      { connectionId: "c-1", banSeconds: 60 },
    ]) {
      expect((await kick("ban-bad", body)).status).toBe(400);
    }
    const unban = await partyFetch(party.server.httpUrl("ban-bad", "unban"), {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    expect(unban.status).toBe(400);
    expect((await partyFetch(party.server.httpUrl("ban-bad", "bans"), { method: "POST", headers: auth })).status).toBe(
      405,
    );
    expect((await partyFetch(party.server.httpUrl("ban-bad", "unban"), { headers: auth })).status).toBe(405);
    expect((await partyFetch(party.server.httpUrl("ban-bad", "bans"))).status).toBe(401);
  });
});
