// What one client can do to a room by itself (issue 24, items 2, 7 and 11): take another user's
// connection id, outgrow its socket's attachment, pull the room's list over and over. Every test
// runs against a room of one object and a sharded room, which must behave alike.

import { idOnShard, partyFetch, SECRET, TestClient, token } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { roomSuite } from "./workers";

const SHARDS = 4;
const party = roomSuite({
  HERENOW_SHARDED_ROOMS: "stage*",
  HERENOW_SHARDS: String(SHARDS),
  HERENOW_LEAVE_GRACE_MS: "5000",
});
const user = (name: string) => ({ id: `u-${name}`, name });

describe.each([
  { kind: "a room of one object", prefix: "lobby" },
  { kind: "a sharded room", prefix: "stage" },
])("$kind", ({ prefix }) => {
  it("gives another user who claims an id in its leave grace a fresh id, and the owner keeps it (item 2)", async () => {
    const room = `${prefix}-ids`;
    // in the sharded room Ann's and Bob's sockets both go to shard 2, where Ann's id hashes too
    const pk = idOnShard(2, SHARDS, "ann-tab");
    const watcher = await party.connect(room, { user: user("watch") });
    const ann = await party.connect(room, { user: user("ann"), pk });
    await watcher.waitForUsers(["u-watch", "u-ann"]);
    const from = watcher.messages.length;
    ann.close(4001); // the hook's manual reconnect: Ann lingers for the leave grace
    await ann.waitForClose();
    const bob = await party.connect(room, { user: user("bob"), pk });
    expect(bob.snapshot.self?.connectionId).toMatch(new RegExp(`^${pk}\\.[0-9a-f]{8}$`));
    await watcher.waitForUsers(["u-watch", "u-ann", "u-bob"]);
    expect(watcher.view.user("u-ann")?.connections).toBe(1);
    // Ann comes back under her id within the grace: no event at all
    const back = await party.connect(room, { user: user("ann"), pk });
    expect(back.snapshot.self?.connectionId).toBe(pk);
    await back.waitForUsers(["u-watch", "u-ann", "u-bob"]);
    expect(watcher.joinsAndLeavesSince(from)).toEqual(["+u-bob"]);
    for (const client of [watcher, ann, bob, back] as TestClient[]) expect(client.gaps).toBe(0);
  });

  it("keeps a socket kickable whatever it sends within the protocol's limits: a long URL and 100 long follows (item 7)", async () => {
    const room = `${prefix}-big`;
    const watcher = await party.connect(room, { user: user("watch") });
    const tokenOf = await token(user("mal"));
    const mal = await TestClient.open(party.server.url(room, { token: tokenOf, pad: "p".repeat(3000), window: "5" }));
    await mal.next("presence:sync", 0);
    const ids = Array.from({ length: 100 }, (_, n) => `${n}-`.padEnd(128, "x"));
    mal.send({ type: "presence:follow", ids });
    let from = mal.messages.length;
    mal.send({ type: "presence:heartbeat" });
    await mal.next("presence:pong", from);
    await watcher.waitForUsers(["u-watch", "u-mal"]);
    // a kick with a ban closes it, and the room lists it no more
    const kicked = await partyFetch(party.server.httpUrl(room, "kick"), {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ userId: "u-mal", banSeconds: 60 }),
    });
    expect({ status: kicked.status, body: await kicked.text() }).toEqual({ status: 200, body: '{"closed":1}' });
    expect((await mal.waitForClose()).code).toBe(4003);
    await watcher.waitForUsers(["u-watch"]);
    from = watcher.messages.length;
    watcher.send({ type: "presence:heartbeat" });
    await watcher.next("presence:pong", from);
  });

  it("limits resyncs and follows per connection, and closes one that floods them with 4008 (item 11)", async () => {
    const room = `${prefix}-pull`;
    const watcher = await party.connect(room, { user: user("watch") });
    for (const [request, client] of [
      [{ type: "presence:resync" }, await party.connect(room)],
      [{ type: "presence:follow", ids: ["u-watch"] }, await party.connect(room, { user: user("fan"), window: 5 })],
    ] as const) {
      const from = client.messages.length;
      for (let n = 0; n < 100; n++) client.send(request);
      const limited = await client.waitFor(
        () => client.messages.slice(from).find((m) => m.type === "presence:error"),
        5000,
        "an error",
      );
      expect(limited).toMatchObject({ code: "rate_limited", message: expect.stringContaining(request.type) });
      expect((await client.waitForClose()).code).toBe(4008);
      // a flood costs the room a few copies of its list, not one per request
      const syncs = client.messages.slice(from).filter((m) => m.type === "presence:sync");
      expect(syncs.length).toBeLessThan(10);
    }
    await watcher.waitFor(() => watcher.snapshot.anonymous === 0 && watcher.userIds().length === 1, 5000, "alone");
  });
});
