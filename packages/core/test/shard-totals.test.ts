// A sharded room (issue 13): shards that each keep their own connections, a coordinator that adds
// up their reports, and each shard's copy of the whole room must always agree with one room that
// saw every connection itself.
import { describe, expect, it } from "vitest";
import { ManualClock, RoomMirror, RoomPresence, type ShardReport, ShardTotals, takeShardReport } from "../src/engine";
import type { UserIdentity } from "../src/index";
import { random } from "./seeded-random";

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: {} });

/** Shards with their own rooms and copies, a coordinator, and one room that sees everything as the truth. */
function shardedRoom(shards: number, clock = new ManualClock(1_000_000)) {
  const options = { clock, leaveGraceMs: 5000, maxAgeMs: 60_000, recordEvents: true };
  const local = Array.from({ length: shards }, () => new RoomPresence(options));
  const mirrors = Array.from({ length: shards }, () => new RoomMirror());
  const totals = new ShardTotals();
  const truth = new RoomPresence({ ...options, recordEvents: false });
  for (const mirror of mirrors) mirror.replace(totals.published());
  return {
    clock,
    local,
    mirrors,
    totals,
    truth,
    connect(shard: number, id: string, user: UserIdentity | null) {
      local[shard]?.connect(id, user);
      truth.connect(id, user);
    },
    leave(shard: number, id: string) {
      local[shard]?.leave(id);
      truth.leave(id);
    },
    close(shard: number, id: string) {
      local[shard]?.close(id);
      truth.close(id);
    },
    /** One round: every shard reports, the coordinator diffs, every shard's copy applies the diff. */
    round() {
      for (const [shard, room] of local.entries()) {
        room.tick();
        const report = takeShardReport(room, { full: false, at: clock.now() });
        if (report) totals.apply(shard, report);
      }
      truth.tick();
      const diff = totals.takeDiff();
      if (diff) for (const mirror of mirrors) expect(mirror.apply(diff)).toBe("applied");
      return diff;
    },
  };
}

const summary = (users: { id: string; connections: number }[]) =>
  users.map(({ id, connections }) => `${id}×${connections}`).sort();

describe("ShardTotals and RoomMirror", () => {
  it("agree with one room that saw every connection, through 400 random rounds over 4 shards", () => {
    const room = shardedRoom(4);
    const next = random(13);
    const open: { shard: number; id: string }[] = [];
    let made = 0;
    for (let round = 0; round < 400; round++) {
      for (let step = 0; step < 5; step++) {
        const roll = next();
        if (roll < 0.5 || open.length === 0) {
          // a user may open tabs on several shards; some connections are anonymous
          const shard = Math.floor(next() * 4);
          const id = `c${made++}`;
          const user = next() < 0.2 ? null : person(Math.floor(next() * 30));
          room.connect(shard, id, user);
          open.push({ shard, id });
        } else {
          const [gone] = open.splice(Math.floor(next() * open.length), 1);
          if (!gone) continue;
          if (roll < 0.8) room.leave(gone.shard, gone.id);
          else room.close(gone.shard, gone.id); // kept present for the grace
        }
      }
      room.clock.advance(Math.floor(next() * 3000));
      room.round();
      for (const mirror of room.mirrors) {
        expect(mirror.seq).toBe(room.totals.seq);
        expect(mirror.snapshotUsers()).toEqual(room.totals.snapshotUsers());
        expect(mirror.anonymous).toBe(room.totals.anonymous);
      }
      expect(room.totals.anonymous).toBe(room.truth.anonymous);
      if (round % 50 === 49) {
        // A new tab during another tab's grace replaces the lingering one in one room; across
        // shards the lingering tab counts until its grace ends. Once graces are over they agree.
        room.clock.advance(10_000);
        room.round();
        expect(summary(room.totals.snapshotUsers())).toEqual(summary(room.truth.snapshotUsers()));
        expect(room.totals.headIds(1000).sort()).toEqual(room.truth.headIds(1000).sort());
        expect(room.totals.connectionCount).toBe(room.truth.connectionCount);
      }
    }
  });

  it("keeps a user with tabs on two shards present when one tab closes, with no leave and no join", () => {
    const room = shardedRoom(2);
    room.connect(0, "tab-a", person(1));
    room.connect(1, "tab-b", person(1));
    const first = room.round();
    expect(first?.joined.map((user) => [user.id, user.connections])).toEqual([["u1", 2]]);
    room.leave(0, "tab-a");
    const second = room.round();
    expect(second?.left).toEqual([]);
    expect(second?.joined).toEqual([]);
    expect(second?.updated.map((user) => [user.id, user.connections])).toEqual([["u1", 1]]);
    room.leave(1, "tab-b");
    expect(room.round()?.left).toEqual(["u1"]);
  });

  it("keeps the stay's start and the room's join order across shards", () => {
    const room = shardedRoom(3);
    room.connect(2, "a", person(1));
    room.round();
    room.clock.advance(1000);
    room.connect(0, "b", person(2));
    room.connect(1, "c", person(1)); // the same user on another shard: the stay goes on
    room.round();
    expect(room.totals.headIds(10)).toEqual(["u1", "u2"]);
    expect(room.totals.presentUser("u1")?.since).toBe(1_000_000);
    expect(room.mirrors[1]?.headIds(10)).toEqual(["u1", "u2"]);
  });

  it("takes the newest state of a user whatever shard set it", () => {
    const room = shardedRoom(2);
    room.connect(0, "a", person(1));
    room.connect(1, "b", person(1));
    room.round();
    room.local[0]?.setState("a", { typing: true });
    room.round();
    room.clock.advance(10);
    room.local[1]?.setState("b", { typing: false, away: true });
    room.round();
    expect(room.totals.presentUser("u1")?.state).toEqual({ typing: false, away: true });
    expect(room.mirrors[0]?.presentUser("u1")?.state).toEqual({ typing: false, away: true });
  });

  it("replaces a restarted shard's part with its full report, with a leave event for each connection it lost", () => {
    const room = shardedRoom(2);
    room.connect(0, "a", person(1));
    room.connect(0, "b", person(2));
    room.connect(1, "c", person(3));
    room.round();
    room.totals.takeEvents();
    // shard 0 restarted: only b came back
    const restarted = new RoomPresence({ clock: room.clock, recordEvents: true });
    restarted.connect("b", person(2));
    const full = takeShardReport(restarted, { full: true, at: room.clock.now() }) as ShardReport;
    room.totals.apply(0, full);
    const diff = room.totals.takeDiff();
    expect(diff?.left).toEqual(["u1"]);
    expect(room.totals.takeEvents()).toEqual([
      { type: "leave", connectionId: "a", userId: "u1", reason: "closed", at: room.clock.now() },
    ]);
    expect(summary(room.totals.snapshotUsers())).toEqual(["u2×1", "u3×1"]);
  });

  it("drops a shard that stopped answering, and a fresh copy catches up from the room's state", () => {
    const room = shardedRoom(2);
    room.connect(0, "a", person(1));
    room.connect(1, "b", person(2));
    room.connect(1, "x", null);
    room.round();
    room.totals.dropShard(1, room.clock.now());
    const diff = room.totals.takeDiff();
    expect(diff?.left).toEqual(["u2"]);
    expect(diff?.anonymous).toBe(0);
    const late = new RoomMirror();
    expect(late.apply(diff as NonNullable<typeof diff>)).toBe("gap");
    const changes = late.replace(room.totals.published());
    expect(changes?.joined.map((user) => user.id)).toEqual(["u1"]);
    expect(late.snapshotUsers()).toEqual(room.totals.snapshotUsers());
  });

  it("knows which shards have anyone from their users and anonymous counts, not only from connection events", () => {
    const totals = new ShardTotals();
    const user = {
      ...person(1),
      connections: 1,
      state: {},
      since: 5,
      stateAt: 0,
      status: "active" as const,
      activeAt: 5,
    };
    totals.apply(3, { full: false, users: [user], left: [], anonymous: 0, events: [], at: 5 });
    totals.apply(7, { full: false, users: [], left: [], anonymous: 2, events: [], at: 5 });
    expect(totals.shards().sort()).toEqual([3, 7]);
    totals.apply(3, { full: true, users: [], left: [], anonymous: 0, events: [], connections: [], at: 6 });
    expect(totals.shards()).toEqual([7]);
    expect(totals.userCount).toBe(0);
  });

  it("pages the whole room in join order from a shard's copy, with the cursors a room gives", () => {
    const room = shardedRoom(3);
    for (let n = 0; n < 25; n++) {
      room.connect(n % 3, `c${n}`, person(n));
      room.clock.advance(1);
    }
    room.round();
    const mirror = room.mirrors[2] as RoomMirror;
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = mirror.page(after, 10);
      if (!page) throw new Error("not a cursor");
      seen.push(...page.users.map((user) => user.id));
      expect(page).toEqual(room.truth.page(after, 10));
      after = page.next;
    } while (after !== null);
    expect(seen).toEqual(room.truth.headIds(100));
  });

  it("reports a gap to a copy that missed a diff, and ignores an old one", () => {
    const room = shardedRoom(1);
    room.connect(0, "a", person(1));
    const first = room.round();
    room.connect(0, "b", person(2));
    room.local[0]?.takeDiff(); // a lost report: the coordinator never hears of b
    room.connect(0, "c", person(3));
    room.round();
    const mirror = new RoomMirror();
    mirror.replace({ seq: 0, users: [], anonymous: 0 });
    expect(mirror.apply({ ...(first as NonNullable<typeof first>), seq: 2 })).toBe("gap");
    expect(room.mirrors[0]?.apply(first as NonNullable<typeof first>)).toBe("duplicate");
  });
});
