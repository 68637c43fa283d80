// A room spread over shard objects (issue 13 part 2, issue 27): rooms named "big*" spread their
// sockets over 3 shards, a signed-in one to its user's shard and an anonymous one by connection
// id; the room's own object coordinates and refuses sockets itself, so a passing test is one whose
// sockets all went to shards. The room must behave as one room.

import { shardOf } from "@herenow/core/engine";
import { idOnShard, partyFetch, SECRET, type TestClient } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { roomSuite, snapshotOf } from "./workers";

const SHARDS = 3;
const party = roomSuite({
  HERENOW_SHARDED_ROOMS: "big*",
  HERENOW_SHARDS: String(SHARDS),
  HERENOW_WINDOW_THRESHOLD: "4",
  HERENOW_LEAVE_GRACE_MS: "5000",
});
const user = (name: string) => ({ id: `u-${name}`, name });
/** A user whose sockets all go to `shard`. */
const userOn = (shard: number, name: string) => ({ id: idOnShard(shard, SHARDS, `u-${name}`), name });

const idOn = (shard: number, prefix: string) => idOnShard(shard, SHARDS, prefix);
const ids = (users: { id: string }[]) => users.map((u) => u.id);

const auth = { authorization: `Bearer ${SECRET}` };

describe("a sharded room", () => {
  it("shows everyone on every shard as one room, and a person's tabs meet on their own shard whatever their ids", async () => {
    const room = "big-one";
    const members = Array.from({ length: 6 }, (_, n) => userOn(n % SHARDS, `m${n}`));
    const clients: TestClient[] = [];
    for (const member of members) clients.push(await party.connect(room, { user: member }));
    const ann = userOn(2, "ann");
    // two tabs whose ids hash to shards 0 and 1: both go to Ann's shard, 2, under ids of that shard
    const ann0 = await party.connect(room, { user: ann, pk: idOn(0, "ann") });
    const ann1 = await party.connect(room, { user: ann, pk: idOn(1, "ann") });
    for (const tab of [ann0, ann1]) {
      const id = tab.snapshot.self?.connectionId as string;
      expect(id).toMatch(/^ann-\d+\.[0-9a-f]{8}$/);
      expect(shardOf(id, SHARDS)).toBe(2);
    }
    // an anonymous socket goes by its id, which it keeps
    const anon = await party.connect(room, { pk: idOn(1, "anon") });
    expect(anon.snapshot.self?.connectionId).toBe(idOn(1, "anon"));
    for (const client of [...clients, ann0, ann1, anon]) {
      await client.waitFor(
        () => client.snapshot.count === 7 && client.snapshot.anonymous === 1,
        5000,
        "7 users, 1 anonymous",
      );
    }
    // a v1 client (no window asked for) holds the whole list, from whatever shard it is on
    expect(clients[2]?.userIds().sort()).toEqual(ids([...members, ann]).sort());
    expect(clients[2]?.view.user(ann.id)?.connections).toBe(2);
    expect(ann0.snapshot.self?.user?.id).toBe(ann.id);

    // the HTTP API at the room's own name answers for all shards
    const snapshot = await snapshotOf(party.server, room);
    expect(snapshot).toMatchObject({ room, anonymous: 1, connections: 9 });
    expect(snapshot.users.map((u: { id: string }) => u.id).sort()).toContain(ann.id);

    // ann closes one tab: still present, one connection, no leave anywhere
    const watcher = clients[1] as TestClient;
    const from = watcher.messages.length;
    ann0.send({ type: "presence:leave" });
    await watcher.waitFor(() => watcher.view.user(ann.id)?.connections === 1, 5000, "ann down to one tab");
    const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
    expect(diffs.flatMap((d) => d.left)).toEqual([]);
    expect(watcher.gaps).toBe(0);

    // and the last tab: ann leaves everywhere
    ann1.send({ type: "presence:leave" });
    for (const client of clients) await client.waitFor(() => !client.view.user(ann.id), 5000, "ann gone");
  });

  it("keeps a user who closed without a goodbye for the grace; a reload takes its place at once under any id, as in one object", async () => {
    const room = "big-grace";
    const watcher = await party.connect(room, { user: userOn(0, "watch") });
    const bo = userOn(1, "bo");
    // the tab's id hashes to shard 0: on Bo's shard it is renamed, the same way every time
    const first = await party.connect(room, { user: bo, pk: idOn(0, "bo") });
    const firstId = first.snapshot.self?.connectionId as string;
    expect(shardOf(firstId, SHARDS)).toBe(1);
    await watcher.waitForUsers([watcher.snapshot.self?.user?.id as string, bo.id]);
    const from = watcher.messages.length;
    first.terminate(); // vanished: the grace keeps Bo
    // a reload under the same `_pk` takes its grace back under the same id
    const again = await party.connect(room, { user: bo, pk: idOn(0, "bo") });
    expect(again.snapshot.self?.connectionId).toBe(firstId);
    again.terminate();
    // a reload under an id of another shard still meets the lingering tab on Bo's shard, and replaces it
    const back = await party.connect(room, { user: bo, pk: idOn(2, "bo-again") });
    expect(back.view.user(bo.id)?.connections).toBe(1);
    back.send({ type: "presence:state", state: { back: true } });
    await watcher.waitFor(() => watcher.view.user(bo.id)?.state.back === true, 5000, "bo's state after the reload");
    const diffs = watcher.messages.slice(from).filter((m) => m.type === "presence:diff");
    expect(diffs.flatMap((d) => d.left)).toEqual([]);
    expect(diffs.flatMap((d) => d.joined)).toEqual([]);
    // never two connections: the lingering tab was replaced, not counted until its grace ended
    expect(diffs.flatMap((d) => d.updated).filter((u) => u.id === bo.id && u.connections !== 1)).toEqual([]);
  });

  it("gives windowed clients on every shard their window, exact counts and pages of everyone", async () => {
    const room = "big-windows";
    const people = Array.from({ length: 9 }, (_, n) => userOn(n % SHARDS, `c${n}`));
    const crowd: TestClient[] = [];
    for (const person of people) crowd.push(await party.connect(room, { user: person }));
    const readerUser = userOn(2, "reader");
    const reader = await party.connect(room, { user: readerUser, window: 2 });
    await reader.waitFor(() => reader.snapshot.count === 10 && reader.snapshot.window !== null, 5000, "windowed, 10");
    const [c0, c1, c2, , , , , c7] = ids(people);
    expect(reader.userIds()).toEqual([c0, c1, readerUser.id]);
    reader.send({ type: "presence:follow", ids: [c7] });
    await reader.waitFor(() => reader.userIds().includes(c7 as string), 5000, "c7 followed");
    // c7 is on another shard (1): its state still reaches its follower
    crowd[7]?.send({ type: "presence:state", state: { hand: "raised" } });
    await reader.waitFor(() => reader.view.user(c7 as string)?.state.hand === "raised", 5000, "c7's state");
    // the first of the window leaves on shard 0: c2 moves in
    crowd[0]?.send({ type: "presence:leave" });
    await reader.waitFor(() => reader.userIds().join() === [c1, c2, c7, readerUser.id].join(), 5000, "c2 moves in");
    const from = reader.messages.length;
    reader.send({ type: "presence:list", limit: 20 });
    const page = await reader.next("presence:page", from);
    expect(page.users.map((u: { id: string }) => u.id)).toEqual([...ids(people).slice(1), readerUser.id]);
    expect(page).toMatchObject({ next: null, count: 9 });
  });

  it("shows windows, follows, counts and pages of more people than any object lists, as one object would (issue 27, item 2)", async () => {
    // the threshold is 4 and every client asks for a window of 2: the coordinator's head holds 4
    // people, each shard its own people and the ones its sockets follow, and nobody the whole room
    const room = "big-heads";
    const people = Array.from({ length: 12 }, (_, n) => userOn(n % SHARDS, `h${n}`));
    const crowd: TestClient[] = [];
    for (const person of people) crowd.push(await party.connect(room, { user: person, window: 2 }));
    const all = ids(people);
    for (const [n, client] of crowd.entries()) {
      const want = [...new Set([all[0], all[1], all[n]])];
      await client.waitFor(
        () => client.snapshot.count === 12 && client.userIds().join() === want.join(),
        5000,
        `${all[n]}'s window of 12`,
      );
    }
    // the last one follows the tenth, on another shard and far out of the head: its state follows
    const last = crowd[11] as TestClient;
    last.send({ type: "presence:follow", ids: [all[9]] });
    await last.waitFor(() => last.userIds().includes(all[9] as string), 5000, "the tenth followed");
    crowd[9]?.send({ type: "presence:state", state: { hand: "raised" } });
    await last.waitFor(() => last.view.user(all[9] as string)?.state.hand === "raised", 5000, "the tenth's state");
    // the first two leave: the third and fourth move into every window (the spares were at hand)
    crowd[0]?.send({ type: "presence:leave" });
    crowd[1]?.send({ type: "presence:leave" });
    const reader = crowd[5] as TestClient;
    await reader.waitFor(
      () => reader.snapshot.count === 10 && reader.userIds().join() === [all[2], all[3], all[5]].join(),
      5000,
      "the third and fourth move in",
    );
    // a newcomer with a window larger than the head gets its exact first 6
    const wide = await party.connect(room, { user: userOn(1, "wide"), window: 6 });
    const wideSync = await wide.next("presence:sync", 0);
    expect(wideSync.count).toBe(11);
    expect(wideSync.users.map((u: { id: string }) => u.id).slice(0, 6)).toEqual(all.slice(2, 8));
    // a page of everyone, gathered from the shards
    const from = reader.messages.length;
    reader.send({ type: "presence:list", limit: 50 });
    const page = await reader.next("presence:page", from);
    expect(page.users.map((u: { id: string }) => u.id)).toEqual([...all.slice(2), wide.snapshot.self?.user?.id]);
    // a version 1 client makes the head the whole room: it lists all 12 present
    const whole = await party.connect(room, { user: userOn(2, "whole") });
    const wholeSync = await whole.next("presence:sync", 0);
    expect(wholeSync.users.map((u: { id: string }) => u.id).sort()).toEqual(
      [...all.slice(2), wide.snapshot.self?.user?.id, whole.snapshot.self?.user?.id].sort(),
    );
  });

  it("kicks a user off their shard through the room's API, bans them, and the ban holds whatever id they come back with", async () => {
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

  it("refuses a signed-in socket that reaches a shard other than its user's by the shard's name (400), not its own", async () => {
    const room = "big-direct";
    const ann = userOn(1, "ann");
    for (const shard of [0, 2]) {
      await expect(party.connect(`${room}~${shard}`, { user: ann })).rejects.toThrow(
        /HTTP 400.*go to shard 1 of room big-direct/s,
      );
    }
    const direct = await party.connect(`${room}~1`, { user: ann });
    expect(direct.snapshot.self?.user?.id).toBe(ann.id);
    // an anonymous socket may reach any shard: it gets an id of that shard's
    const anon = await party.connect(`${room}~2`, { pk: idOn(0, "anon") });
    expect(shardOf(anon.snapshot.self?.connectionId as string, SHARDS)).toBe(2);
  });

  it("converges to the truth after the party crashes mid-room: no ghost on any shard, windows and counts exact", async () => {
    const room = "big-crash";
    const before: TestClient[] = [];
    const people = Array.from({ length: 12 }, (_, n) => userOn(n % SHARDS, `k${n}`));
    for (const person of people) before.push(await party.connect(room, { user: person, window: 3 }));
    for (const client of before) await client.waitFor(() => client.snapshot.count === 12, 5000, "12 before the crash");
    await party.server.stop("SIGKILL");
    await Promise.all(before.map((client) => client.waitForClose(10_000)));
    await party.server.start();
    // half come back, each to their own shard; the other half vanished with the crash
    const after: TestClient[] = [];
    const back = ids(people.filter((_, n) => n % 2 === 0));
    for (const person of people.filter((_, n) => n % 2 === 0)) {
      after.push(await party.connect(room, { user: person, window: 3 }));
    }
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
