// Issue 26: each disagreement the property test (room-model.property.test.ts) found between a
// room of one object and a coordinator with shards, shrunk into a plain case.
// Issue 26: each disagreement the property test (room-model.property.test.ts) found between a
// room of one object and a sharded room, shrunk into a plain case. Since issue 27 a room is sharded
// by person: the cases of one person's tabs on several shards (the start of a stay from the first
// tab, the newest name or state whatever shard reported it, a stay kept across a coordinator's
// restart by a later shard) cannot happen any more and went.
import { describe, expect, it } from "vitest";
import { ManualClock, RoomPresence } from "../src/engine";
import { type MemberIdentity, PresenceView } from "../src/index";
import { PersonShards } from "./person-shards";

const person = (n: number, name = `User ${n}`): MemberIdentity => ({ id: `u${n}`, name, info: {} });

/** A room sharded by person over `count` shards, whose head is the whole room (a shard has version 1 sockets). */
function sharded(count: number, clock: ManualClock, agents = false) {
  const room = new PersonShards(clock, { shards: count, headSize: 10, recentMs: 600_000, agents });
  const at = (n: number) => room.at(`c${n}`, `u${n}`);
  /** The intervals it takes a change to reach every shard's copy. */
  const quiet = () => {
    for (let k = 0; k < 3; k++) room.flush();
  };
  return { room, at, quiet };
}

const shown = (users: readonly { id: string; since: number }[]) => users.map(({ id, since }) => `${id}@${since}`);

describe("a sharded room and a room of one object", () => {
  it("start a stay that began again on its shard with nothing of the old one", () => {
    const clock = new ManualClock(1_000);
    const { room, at, quiet } = sharded(2, clock);
    at(1).connect("c1", person(1));
    at(1).setState("c1", { typing: true });
    quiet();
    clock.advance(10);
    at(1).leave("c1");
    at(1).connect("c1", person(1));
    quiet();
    expect(room.head.head()[0]).toMatchObject({ id: "u1", since: 1_010, state: {} });
    for (const shard of room.shards) expect(shard.view.presentUser("u1")).toMatchObject({ since: 1_010, state: {} });
  });

  it("put a restarted coordinator's room in join order, its own agents included", () => {
    const clock = new ManualClock(1_000);
    const { room, at, quiet } = sharded(1, clock, true);
    at(1).connect("c1", person(1));
    clock.advance(1);
    room.agents?.connect("agent:a", { id: "a", name: "Agent", info: {}, kind: "agent" }, { pinned: true });
    quiet();
    room.restartCoordinator(room.agents ?? undefined);
    quiet();
    expect(room.head.head().map((user) => user.id)).toEqual(["u1", "a"]);
    expect(room.shards[0]?.view.headIds(2)).toEqual(["u1", "a"]);
  });

  it("list users who left together in one order, by id, in the recent list of the room and its clients", () => {
    const clock = new ManualClock(1_000);
    const { room, at, quiet } = sharded(2, clock);
    const one = new RoomPresence({ clock });
    for (const target of [at(2), one]) target.connect("c2", person(2));
    for (const target of [at(1), one]) target.connect("c1", person(1));
    quiet();
    one.takeDiff();
    for (const target of [at(2), one]) target.leave("c2");
    for (const target of [at(1), one]) target.leave("c1");
    quiet();
    one.takeDiff();
    expect(room.head.recent().map((user) => user.id)).toEqual(["u1", "u2"]);
    expect(one.recent().map((user) => user.id)).toEqual(["u1", "u2"]);
    for (const shard of room.shards) expect(shard.view.recent().map((user) => user.id)).toEqual(["u1", "u2"]);
  });
});

describe("a room of one object", () => {
  it("announces a stay that began again between two diffs, with its new start, at the end of the order", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    room.connect("c1", person(1));
    room.connect("c2", person(2));
    room.takeDiff();
    const copy = sharded(2, clock);
    copy.at(1).connect("c1", person(1));
    copy.at(2).connect("c2", person(2));
    copy.quiet();
    clock.advance(10);
    for (const target of [room, copy.at(1)]) {
      target.leave("c1");
      target.connect("c1", person(1));
    }
    const diff = room.takeDiff();
    expect(diff?.updated.map((user) => [user.id, user.since])).toEqual([["u1", 1_010]]);
    expect(shown(room.snapshotUsers())).toEqual(["u2@1000", "u1@1010"]);
    // every shard's copy of a sharded room puts them where the room did
    copy.quiet();
    for (const shard of copy.room.shards) expect(shown(shard.view.snapshotUsers())).toEqual(["u2@1000", "u1@1010"]);
  });

  it("lists the newcomers of one diff in the order they arrived", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    room.connect("c1", person(1));
    clock.advance(1);
    room.connect("c2", person(2));
    clock.advance(1);
    room.leave("c1");
    room.connect("c1", person(1));
    expect(shown(room.takeDiff()?.joined ?? [])).toEqual(["u2@1001", "u1@1002"]);
  });

  it("sends no update for the same state set again", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock });
    room.connect("c1", person(1));
    room.setState("c1", { typing: false });
    room.takeDiff();
    clock.advance(100);
    room.setState("c1", { typing: false });
    expect(room.takeDiff()).toBeNull();
  });

  it("keeps the newest name of a user it restores from several connections", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock });
    const at = (id: string, joinedAt: number, name: string) => ({
      id,
      user: person(1, name),
      joinedAt,
      lastSeen: joinedAt,
      since: 1_000,
    });
    room.restore([at("c1", 1_000, "Old name"), at("c2", 1_500, "New name")]);
    expect(room.presentUser("u1")?.name).toBe("New name");
  });
});

describe("a client's view", () => {
  it("puts a user whose stay began again where the room puts them, as a late sync shows them", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    room.connect("c1", person(1));
    room.connect("c2", person(2));
    room.takeDiff();
    const sync = () =>
      ({
        type: "presence:sync",
        room: "r",
        seq: room.seq,
        self: { connectionId: "c", user: null },
        users: room.snapshotUsers(),
        anonymous: 0,
      }) as const;
    const early = new PresenceView();
    early.apply(sync());
    clock.advance(10);
    room.leave("c1");
    room.connect("c1", person(1));
    const diff = room.takeDiff();
    if (diff) expect(early.apply(diff)).toBe("applied");
    const late = new PresenceView();
    late.apply(sync());
    expect(shown(early.snapshot.users)).toEqual(shown(late.snapshot.users));
  });
});
