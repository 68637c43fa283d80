// A room spread over shard objects (issue 13 part 2): rooms named "big*" spread their sockets over
// 3 shards by connection id; the room's own object coordinates and refuses sockets itself, so a
// passing test is one whose sockets all went to shards. The room must behave as one room.

import { connectionIdOnShard, partyFetch, SECRET, type TestClient } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { roomSuite, snapshotOf } from "./workers";

const SHARDS = 3;
const party = roomSuite({
  HERENOW_SHARDED_ROOMS: "big*",
  HERENOW_SHARDS: String(SHARDS),
  HERENOW_WINDOW_THRESHOLD: "4",
  HERENOW_LEAVE_GRACE_MS: "1500",
});
const user = (name: string) => ({ id: `u-${name}`, name });

const idOn = (shard: number, prefix: string) => connectionIdOnShard(shard, SHARDS, prefix);

const auth = { authorization: `Bearer ${SECRET}` };

describe("a sharded room", () => {
  it("shows everyone on every shard as one room, with one user for tabs on two shards", async () => {
    const room = "big-one";
    const clients: TestClient[] = [];
    for (let n = 0; n < 6; n++) {
      clients.push(await party.connect(room, { user: user(`m${n}`), pk: idOn(n % SHARDS, `m${n}`) }));
    }
    const ann0 = await party.connect(room, { user: user("ann"), pk: idOn(0, "ann") });
    const ann1 = await party.connect(room, { user: user("ann"), pk: idOn(1, "ann") });
    const anon = await party.connect(room, { pk: idOn(2, "anon") });
    for (const client of [...clients, ann0, ann1, anon]) {
      await client.waitFor(
        () => client.snapshot.count === 7 && client.snapshot.anonymous === 1,
        5000,
        "7 users, 1 anonymous",
      );
    }
    // a v1 client (no window asked for) holds the whole list, from whatever shard it is on
    expect(clients[2]?.userIds().sort()).toEqual(["u-ann", "u-m0", "u-m1", "u-m2", "u-m3", "u-m4", "u-m5"]);
    expect(clients[2]?.view.user("u-ann")?.connections).toBe(2);
    expect(ann0.snapshot.self?.user?.id).toBe("u-ann");

    // the HTTP API at the room's own name answers for all shards
    const snapshot = await snapshotOf(party.server, room);
    expect(snapshot).toMatchObject({ room, anonymous: 1, connections: 9 });
    expect(snapshot.users.map((u: { id: string }) => u.id).sort()).toContain("u-ann");

    // ann closes the tab on shard 0: still present, one connection, no leave anywhere
    const watcher = clients[1] as TestClient;
    const from = watcher.messages.length;
    ann0.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.view.user("u-ann")?.connections === 1, 5000, "ann down to one tab");
    const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
    expect(diffs.flatMap((d) => d.left)).toEqual([]);
    expect(watcher.gaps).toBe(0);

    // and the last tab: ann leaves everywhere
    ann1.send({ type: "presence:leave" });
    for (const client of clients) await client.waitFor(() => !client.view.user("u-ann"), 5000, "ann gone");
  });

  it("keeps a user who closed without a goodbye for the grace, across shards, and a reload on another shard is no leave", async () => {
    const room = "big-grace";
    const watcher = await party.connect(room, { user: user("watch"), pk: idOn(0, "w") });
    const bo = await party.connect(room, { user: user("bo"), pk: idOn(1, "bo") });
    await watcher.waitForUsers(["u-watch", "u-bo"]);
    const from = watcher.messages.length;
    bo.terminate(); // vanished: the grace keeps Bo
    const back = await party.connect(room, { user: user("bo"), pk: idOn(2, "bo-again") });
    await back.waitForUsers(["u-watch", "u-bo"]);
    // after the grace on Bo's old shard only the new tab remains
    await watcher.waitFor(
      () => watcher.view.user("u-bo")?.connections === 1 && watcher.messages.length > from,
      8000,
      "bo's old tab gone",
    );
    const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
    expect(diffs.flatMap((d) => d.left)).toEqual([]);
    expect(diffs.flatMap((d) => d.joined)).toEqual([]);
  });

  it("gives windowed clients on every shard their window, exact counts and pages of everyone", async () => {
    const room = "big-windows";
    const crowd: TestClient[] = [];
    for (let n = 0; n < 9; n++)
      crowd.push(await party.connect(room, { user: user(`c${n}`), pk: idOn(n % SHARDS, `c${n}`) }));
    const reader = await party.connect(room, { user: user("reader"), pk: idOn(2, "reader"), window: 2 });
    await reader.waitFor(() => reader.snapshot.count === 10 && reader.snapshot.window !== null, 5000, "windowed, 10");
    expect(reader.userIds()).toEqual(["u-c0", "u-c1", "u-reader"]);
    reader.send({ type: "presence:follow", ids: ["u-c7"] });
    await reader.waitFor(() => reader.userIds().includes("u-c7"), 5000, "c7 followed");
    // c7 is on another shard: its state still reaches its follower
    crowd[7]?.send({ type: "presence:state", state: { hand: "raised" } });
    await reader.waitFor(() => reader.view.user("u-c7")?.state.hand === "raised", 5000, "c7's state");
    // the first of the window leaves on shard 0: c2 moves in
    crowd[0]?.send({ type: "presence:leave" });
    await reader.waitFor(() => reader.userIds().join() === "u-c1,u-c2,u-c7,u-reader", 5000, "c2 moves in");
    const from = reader.messages.length;
    reader.send({ type: "presence:list", limit: 20 });
    const page = await reader.next("presence:page", from);
    expect(page.users.map((u: { id: string }) => u.id)).toEqual([
      "u-c1",
      "u-c2",
      "u-c3",
      "u-c4",
      "u-c5",
      "u-c6",
      "u-c7",
      "u-c8",
      "u-reader",
    ]);
    expect(page).toMatchObject({ next: null, count: 9 });
  });

  it("kicks a user off every shard through the room's API, bans them, and the ban holds on every shard", async () => {
    const room = "big-kick";
    const watcher = await party.connect(room, { user: user("watch"), pk: idOn(0, "w") });
    const tabs = [
      await party.connect(room, { user: user("troll"), pk: idOn(1, "t1") }),
      await party.connect(room, { user: user("troll"), pk: idOn(2, "t2") }),
    ];
    await watcher.waitForUsers(["u-watch", "u-troll"]);
    const response = await partyFetch(party.server.httpUrl(room, "kick"), {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ userId: "u-troll", banSeconds: 60 }),
    });
    expect(await response.json()).toEqual({ closed: 2 });
    for (const tab of tabs) expect((await tab.waitForClose()).code).toBe(4003);
    await watcher.waitForUsers(["u-watch"]);
    for (const shard of [0, 1, 2]) {
      await expect(party.connect(room, { user: user("troll"), pk: idOn(shard, "again") })).rejects.toThrow(/HTTP 403/);
    }
  });

  it("converges to the truth after the party crashes mid-room: no ghost on any shard, windows and counts exact", async () => {
    const room = "big-crash";
    const before: TestClient[] = [];
    for (let n = 0; n < 12; n++) {
      before.push(await party.connect(room, { user: user(`k${n}`), pk: idOn(n % SHARDS, `k${n}`), window: 3 }));
    }
    for (const client of before) await client.waitFor(() => client.snapshot.count === 12, 5000, "12 before the crash");
    await party.server.stop("SIGKILL");
    await Promise.all(before.map((client) => client.waitForClose(10_000)));
    await party.server.start();
    // half come back, each to the shard its id lands on; the other half vanished with the crash
    const after: TestClient[] = [];
    for (let n = 0; n < 12; n += 2) {
      after.push(await party.connect(room, { user: user(`k${n}`), pk: idOn(n % SHARDS, `k${n}`), window: 3 }));
    }
    const back = ["u-k0", "u-k2", "u-k4", "u-k6", "u-k8", "u-k10"];
    for (const client of after) {
      await client.waitFor(
        () => client.snapshot.count === 6 && client.userIds().every((id) => back.includes(id)),
        10_000,
        "6 users, all of them back",
      );
    }
    const snapshot = await snapshotOf(party.server, room);
    expect(snapshot.users.map((u: { id: string }) => u.id).sort()).toEqual([...back].sort());
    expect(snapshot.connections).toBe(6);
  });

  it("refuses to reach a shard of a room that is not sharded, or one past the room's count", async () => {
    for (const name of ["lobby~0", "big-x~3", "big-x~01"]) {
      await expect(party.connect(name, { user: user("x") })).rejects.toThrow(/HTTP 400/);
    }
    const response = await partyFetch(party.server.httpUrl("big-x~0"), { headers: auth });
    expect(response.status).toBe(400);
  });
});
