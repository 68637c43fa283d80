// Issue 26: each disagreement the property test (room-model.property.test.ts) found between a
// room of one object and a coordinator with shards, shrunk into a plain case.
import { describe, expect, it } from "vitest";
import { ManualClock, RoomMirror, RoomPresence, type ShardReport, ShardTotals, takeShardReport } from "../src/engine";
import { type MemberIdentity, PresenceView } from "../src/index";

const person = (n: number, name = `User ${n}`): MemberIdentity => ({ id: `u${n}`, name, info: {} });

/** A coordinator and `count` shards; `round()` ends one diff interval everywhere. */
function sharded(count: number, clock: ManualClock) {
  const shards = Array.from({ length: count }, () => new RoomPresence({ clock, recordEvents: true }));
  let totals = new ShardTotals({ clock });
  return {
    shards,
    get totals() {
      return totals;
    },
    round() {
      for (const [index, room] of shards.entries()) {
        room.tick();
        const report = takeShardReport(room, { full: false, at: clock.now() });
        if (report) totals.apply(index, report);
      }
      return totals.takeDiff();
    },
    /** The coordinator lost everything but its diff number; `first` reports before the shards. */
    restart(first?: ShardReport) {
      totals = new ShardTotals({ clock, seq: totals.seq });
      if (first) totals.seed(-1, first);
      for (const [index, room] of shards.entries()) {
        const report = takeShardReport(room, { full: true, at: clock.now() });
        if (report) totals.apply(index, report);
      }
      return totals.takeDiff();
    },
  };
}

const shown = (users: readonly { id: string; since: number }[]) => users.map(({ id, since }) => `${id}@${since}`);

describe("a sharded room and a room of one object", () => {
  it("date a stay from its first connection, though another shard reports first", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(2, clock);
    room.shards[1]?.connect("c1", person(1));
    clock.advance(1);
    room.shards[0]?.connect("c2", person(1));
    room.round();
    expect(room.totals.presentUser("u1")?.since).toBe(1_000);
  });

  it("show the newest name, whatever order the shards' reports came in", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(2, clock);
    room.shards[1]?.connect("c1", person(1, "Old name"));
    clock.advance(1);
    room.shards[0]?.connect("c2", person(1, "New name"));
    room.round();
    expect(room.totals.presentUser("u1")?.name).toBe("New name");
  });

  it("keep the state and the last active moment a tab brought, after that tab went", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(2, clock);
    room.shards[0]?.connect("c1", person(1));
    room.shards[1]?.connect("c2", person(1));
    room.shards[1]?.setStatus("c2", "idle");
    room.shards[0]?.setState("c1", { typing: true });
    room.round();
    clock.advance(100);
    room.shards[0]?.leave("c1");
    room.round();
    expect(room.totals.presentUser("u1")).toMatchObject({ state: { typing: true }, status: "idle", activeAt: 1_100 });
  });

  it("keep a stay's start when a later shard reports alone after the first one's tab went", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(2, clock);
    room.shards[0]?.connect("c1", person(1));
    clock.advance(1);
    room.shards[1]?.connect("c2", person(1));
    room.round();
    room.restart();
    room.shards[0]?.leave("c1");
    room.round();
    room.shards[1]?.setState("c2", { typing: true });
    room.round();
    expect(room.totals.presentUser("u1")?.since).toBe(1_000);
  });

  it("start a stay that began again on the only shard with nothing of the old one", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(1, clock);
    room.shards[0]?.connect("c1", person(1));
    room.shards[0]?.setState("c1", { typing: true });
    room.round();
    clock.advance(10);
    room.shards[0]?.leave("c1");
    room.shards[0]?.connect("c1", person(1));
    room.round();
    expect(room.totals.presentUser("u1")).toMatchObject({ since: 1_010, state: {} });
  });

  it("put a restarted coordinator's room in join order, its own agents included", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(1, clock);
    room.shards[0]?.connect("c1", person(1));
    clock.advance(1);
    const agents = new RoomPresence({ clock, recordEvents: true });
    agents.connect("agent:a", { id: "a", name: "Agent", info: {}, kind: "agent" }, { pinned: true });
    room.restart(takeShardReport(agents, { full: true, at: clock.now() }) ?? undefined);
    expect(room.totals.headIds(2)).toEqual(["u1", "a"]);
  });

  it("list users who left together in one order, by id, in the recent list of the room and its clients", () => {
    const clock = new ManualClock(1_000);
    const room = sharded(2, clock);
    const one = new RoomPresence({ clock });
    for (const target of [room.shards[1], one]) target?.connect("c2", person(2));
    for (const target of [room.shards[0], one]) target?.connect("c1", person(1));
    room.round();
    one.takeDiff();
    for (const target of [room.shards[1], one]) target?.leave("c2");
    for (const target of [room.shards[0], one]) target?.leave("c1");
    room.round();
    one.takeDiff();
    expect(room.totals.recent().map((user) => user.id)).toEqual(["u1", "u2"]);
    expect(one.recent().map((user) => user.id)).toEqual(["u1", "u2"]);
  });
});

describe("a room of one object", () => {
  it("announces a stay that began again between two diffs, with its new start, at the end of the order", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    room.connect("c1", person(1));
    room.connect("c2", person(2));
    room.takeDiff();
    const mirror = new RoomMirror({ clock });
    mirror.replace({ seq: room.seq, users: room.snapshotUsers(), anonymous: 0 });
    clock.advance(10);
    room.leave("c1");
    room.connect("c1", person(1));
    const diff = room.takeDiff();
    expect(diff?.updated.map((user) => [user.id, user.since])).toEqual([["u1", 1_010]]);
    expect(shown(room.snapshotUsers())).toEqual(["u2@1000", "u1@1010"]);
    // a shard's copy puts them where the room did
    if (diff) expect(mirror.apply(diff)).toBe("applied");
    expect(shown(mirror.snapshotUsers())).toEqual(["u2@1000", "u1@1010"]);
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
