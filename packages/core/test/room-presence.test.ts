import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock, RoomPresence } from "../src/engine";
import type { UserIdentity } from "../src/index";

const ann: UserIdentity = { id: "u1", name: "Ann", info: {} };
const bo: UserIdentity = { id: "u2", name: "Bo", info: { colour: "teal" } };

describe("RoomPresence", () => {
  let clock: ManualClock;
  let room: RoomPresence;

  beforeEach(() => {
    clock = new ManualClock(1_000_000);
    room = new RoomPresence({ clock, maxAgeMs: 60_000, leaveGraceMs: 5_000, recordEvents: true });
  });

  it("lists a user with several tabs once, counting the tabs", () => {
    room.connect("c1", ann);
    room.connect("c2", ann);
    room.connect("c3", bo);
    const users = room.snapshotUsers();
    expect(users.map((u) => [u.id, u.connections])).toEqual([
      ["u1", 2],
      ["u2", 1],
    ]);
    const diff = room.takeDiff();
    expect(diff?.joined.map((u) => u.id)).toEqual(["u1", "u2"]);
    expect(diff?.joined[0]?.connections).toBe(2);
    expect(diff?.updated).toEqual([]);
  });

  it("counts anonymous connections without listing them", () => {
    room.connect("a1", null);
    room.connect("a2", null);
    room.connect("c1", ann);
    expect(room.anonymous).toBe(2);
    expect(room.snapshotUsers()).toHaveLength(1);
    expect(room.takeDiff()).toMatchObject({ anonymous: 2, joined: [{ id: "u1" }] });
    room.close("a1");
    expect(room.anonymous).toBe(1);
    expect(room.takeDiff()).toEqual({ type: "presence:diff", seq: 2, joined: [], updated: [], left: [], anonymous: 1 });
  });

  it("sends a state change as updated, never as a leave and a join", () => {
    room.connect("c1", ann);
    room.takeDiff();
    expect(room.setState("c1", { typing: true })).toBe("applied");
    const diff = room.takeDiff();
    expect(diff?.joined).toEqual([]);
    expect(diff?.left).toEqual([]);
    expect(diff?.updated).toEqual([expect.objectContaining({ id: "u1", state: { typing: true }, connections: 1 })]);
  });

  it("puts a user who joins and leaves between two diffs in neither list", () => {
    room.connect("c0", bo);
    room.takeDiff();
    room.connect("c1", ann);
    room.leave("c1");
    expect(room.takeDiff()).toBeNull();
    room.connect("a1", null);
    room.leave("a1");
    expect(room.takeDiff()).toBeNull();
  });

  it("reports a user who leaves and comes back between two diffs as updated", () => {
    room.connect("c1", ann);
    room.takeDiff();
    room.leave("c1");
    room.connect("c2", ann);
    room.setState("c2", { typing: false });
    const diff = room.takeDiff();
    expect(diff?.joined).toEqual([]);
    expect(diff?.left).toEqual([]);
    expect(diff?.updated.map((u) => u.id)).toEqual(["u1"]);
  });

  it("keeps a user present through the grace when the same connection reconnects", () => {
    room.connect("c1", ann);
    room.takeDiff();
    expect(room.close("c1")).toMatchObject({ id: "c1", lingerUntil: clock.now() + 5_000 });
    clock.advance(2_000);
    expect(room.takeDiff()).toBeNull();
    expect(room.connect("c1", ann)).toEqual({ reclaimed: true, adopted: null });
    clock.advance(10_000);
    room.tick();
    expect(room.takeDiff()).toBeNull();
    expect(room.snapshotUsers()).toMatchObject([{ id: "u1", connections: 1 }]);
  });

  it("lets a reload under a new connection id replace the lingering one without events", () => {
    room.connect("c1", ann);
    room.takeDiff();
    room.close("c1");
    clock.advance(1_000);
    expect(room.connect("c2", ann)).toEqual({ reclaimed: false, adopted: "c1" });
    clock.advance(10_000);
    expect(room.tick().expired).toEqual([]);
    expect(room.takeDiff()).toBeNull();
    expect(room.snapshotUsers()).toMatchObject([{ id: "u1", connections: 1 }]);
  });

  it("makes a close without reconnect a leave when the grace ends", () => {
    room.connect("c1", ann);
    room.takeDiff();
    room.close("c1");
    clock.advance(4_999);
    expect(room.tick().expired).toEqual([]);
    expect(room.nextDue()).toBe(clock.now() + 1);
    clock.advance(1);
    expect(room.tick().expired).toEqual(["c1"]);
    expect(room.takeDiff()).toMatchObject({ left: ["u1"], joined: [], updated: [] });
  });

  it("gives a 1001 close (a reload, a closed tab) the away grace: a reload within it is no event", () => {
    room.connect("c1", ann);
    room.takeDiff();
    expect(room.awayGraceMs).toBe(1_500);
    expect(room.close("c1", "away")).toMatchObject({ id: "c1", lingerUntil: clock.now() + 1_500 });
    clock.advance(800);
    expect(room.tick().expired).toEqual([]);
    expect(room.connect("c1", ann)).toEqual({ reclaimed: true, adopted: null });
    clock.advance(10_000);
    room.tick();
    expect(room.takeDiff()).toBeNull();
  });

  it("makes a closed tab a leave when its away grace ends, long before the leave grace", () => {
    room.connect("c1", ann);
    room.takeDiff();
    room.close("c1", "away");
    expect(room.nextDue()).toBe(clock.now() + 1_500);
    clock.advance(1_500);
    expect(room.tick().expired).toEqual(["c1"]);
    expect(room.takeDiff()).toMatchObject({ left: ["u1"] });
  });

  it("ends each grace on time when short and long ones are mixed", () => {
    room.connect("lost", ann);
    room.connect("away", bo);
    room.takeDiff();
    room.close("lost");
    clock.advance(1_000);
    room.close("away", "away");
    // the away grace started later but ends first (2.5 s against 5 s)
    expect(room.nextDue()).toBe(clock.now() + 1_500);
    clock.advance(1_500);
    expect(room.tick().expired).toEqual(["away"]);
    expect(room.nextDue()).toBe(clock.now() + 2_500);
    clock.advance(2_500);
    expect(room.tick().expired).toEqual(["lost"]);
  });

  it("never lets the away grace outlast the leave grace", () => {
    const short = new RoomPresence({ clock, leaveGraceMs: 1_000, awayGraceMs: 3_000 });
    expect(short.awayGraceMs).toBe(1_000);
    short.connect("c1", ann);
    expect(short.close("c1", "away")?.lingerUntil).toBe(clock.now() + 1_000);
  });

  it("prunes nobody the runtime saw beating, once told when (noteSeen), and keeps last-seen order", () => {
    room.connect("beating", ann);
    room.connect("silent", bo);
    room.connect("talking", { id: "u3", name: "Cy", info: {} });
    room.takeDiff();
    clock.advance(50_000);
    room.touch("talking");
    clock.advance(10_001);
    // as far as the room saw, both beating and silent are overdue
    expect(room.overdue()).toEqual(["beating", "silent"]);
    // the runtime answered beating's bare heartbeat 5 s ago, and silent's long before its last frame
    room.noteSeen([
      ["beating", clock.now() - 5_000],
      ["silent", 1_000_000 - 1],
      ["unknown", clock.now()],
    ]);
    expect(room.overdue()).toEqual(["silent"]);
    expect(room.tick().stale).toEqual(["silent"]);
    // talking (seen 10 s ago) is now the oldest, beating (5 s ago) next
    expect(room.nextDue()).toBe(clock.now() - 10_001 + 60_000 + 1);
    clock.advance(50_000);
    expect(room.tick().stale).toEqual(["talking"]);
    clock.advance(5_000);
    expect(room.tick().stale).toEqual([]);
    clock.advance(1);
    expect(room.tick().stale).toEqual(["beating"]);
  });

  it("makes presence:leave a leave at once", () => {
    room.connect("c1", ann);
    room.takeDiff();
    room.leave("c1");
    expect(room.takeDiff()).toMatchObject({ left: ["u1"] });
    expect(room.nextDue()).toBeNull();
  });

  it("gives anonymous connections no grace", () => {
    room.connect("a1", null);
    room.takeDiff();
    expect(room.close("a1")).toBeNull();
    expect(room.takeDiff()).toMatchObject({ anonymous: 0 });
  });

  it("prunes a connection silent for longer than max age, and not one that kept talking", () => {
    room.connect("zombie", ann);
    room.connect("chatty", bo);
    room.takeDiff();
    for (let i = 0; i < 3; i++) {
      clock.advance(20_000);
      room.touch("chatty");
    }
    expect(room.nextDue()).toBe(1_000_000 + 60_001);
    expect(room.tick().stale).toEqual([]);
    clock.advance(1);
    expect(room.tick().stale).toEqual(["zombie"]);
    expect(room.takeDiff()).toMatchObject({ left: ["u1"] });
    expect(room.nextDue()).toBe(1_060_000 + 60_001);
  });

  it("numbers diffs one after another and skips empty intervals", () => {
    room.connect("c1", ann);
    expect(room.takeDiff()?.seq).toBe(1);
    expect(room.takeDiff()).toBeNull();
    room.connect("c2", bo);
    expect(room.takeDiff()?.seq).toBe(2);
    room.setState("c2", { x: 1 });
    expect(room.takeDiff()?.seq).toBe(3);
    expect(room.seq).toBe(3);
  });

  it("continues numbering from a given seq", () => {
    const resumed = new RoomPresence({ clock, seq: 41 });
    resumed.connect("c1", ann);
    expect(resumed.takeDiff()?.seq).toBe(42);
  });

  it("applies 20 state changes a second and the last held one at the second's end", () => {
    room.connect("c1", ann);
    room.takeDiff();
    const results = Array.from({ length: 25 }, (_, i) => room.setState("c1", { n: i }));
    expect(results.filter((r) => r === "applied")).toHaveLength(20);
    expect(results.slice(20)).toEqual(Array(5).fill("rate_limited"));
    expect(room.userState("u1")?.state).toEqual({ n: 19 });
    expect(room.nextDue()).toBe(clock.now() + 1_000);
    clock.advance(1_000);
    room.tick();
    expect(room.userState("u1")?.state).toEqual({ n: 24 });
    expect(room.nextDue()).toBe(clock.now() + 60_001 - 1_000);
  });

  it("refuses state from anonymous connections", () => {
    room.connect("a1", null);
    expect(room.setState("a1", { x: 1 })).toBe("anonymous");
    expect(room.setState("nobody", { x: 1 })).toBe("unknown");
  });

  it("keeps a user's newest state across tabs", () => {
    room.connect("c1", ann);
    room.connect("c2", ann);
    room.setState("c1", { tab: 1 });
    room.setState("c2", { tab: 2 });
    room.leave("c2");
    expect(room.snapshotUsers()[0]).toMatchObject({ state: { tab: 2 }, connections: 1 });
  });

  it("refuses a second live socket with the same id", () => {
    room.connect("c1", ann);
    expect(() => room.connect("c1", bo)).toThrow(/already live/);
    expect(room.snapshotUsers()).toMatchObject([{ id: "u1", connections: 1 }]);
  });

  it("updates a user's name from a newer token", () => {
    room.connect("c1", ann);
    room.takeDiff();
    room.connect("c2", { ...ann, name: "Annie" });
    expect(room.takeDiff()?.updated).toMatchObject([{ name: "Annie", connections: 2 }]);
  });

  it("records connection events for webhooks", () => {
    room.connect("c1", ann);
    room.connect("a1", null);
    room.close("a1");
    room.remove("c1", "kicked");
    expect(room.takeEvents()).toEqual([
      { type: "join", connectionId: "c1", user: ann, at: 1_000_000 },
      { type: "join", connectionId: "a1", user: null, at: 1_000_000 },
      { type: "leave", connectionId: "a1", userId: null, reason: "closed", at: 1_000_000 },
      { type: "leave", connectionId: "c1", userId: "u1", reason: "kicked", at: 1_000_000 },
    ]);
    expect(room.takeEvents()).toEqual([]);
  });

  it("restores live and lingering connections without events and keeps pruning them", () => {
    const restored = new RoomPresence({ clock, maxAgeMs: 60_000, leaveGraceMs: 5_000, seq: 7 });
    restored.restore(
      [
        { id: "c2", user: bo, joinedAt: 10, lastSeen: clock.now() - 1_000, since: 10 },
        { id: "c1", user: ann, joinedAt: 5, lastSeen: clock.now() - 50_000, since: 5, state: { a: 1 }, stateAt: 9 },
        { id: "a1", user: null, joinedAt: 5, lastSeen: clock.now(), since: 5 },
      ],
      [
        {
          id: "c9",
          user: ann,
          joinedAt: 1,
          lastSeen: 1,
          since: 1,
          state: { old: true },
          stateAt: 2,
          lingerUntil: clock.now() + 100,
        },
      ],
    );
    expect(restored.takeDiff()).toBeNull();
    expect(restored.snapshotUsers()).toMatchObject([
      { id: "u1", connections: 2, state: { a: 1 }, since: 1 },
      { id: "u2", connections: 1 },
    ]);
    expect(restored.anonymous).toBe(1);
    clock.advance(100);
    expect(restored.tick().expired).toEqual(["c9"]);
    expect(restored.takeDiff()).toMatchObject({ seq: 8, updated: [{ id: "u1", connections: 1 }] });
    clock.advance(10_001);
    expect(restored.tick().stale).toEqual(["c1"]);
  });

  it("stays O(1) per operation with 30,000 connections", () => {
    const big = new RoomPresence({ clock, maxAgeMs: 60_000 });
    for (let i = 0; i < 30_000; i++) big.connect(`c${i}`, { id: `u${i}`, name: `User ${i}`, info: {} });
    expect(big.takeDiff()?.joined).toHaveLength(30_000);
    // one change in a huge room is a one-entry diff
    big.setState("c123", { typing: true });
    expect(big.takeDiff()?.updated.map((u) => u.id)).toEqual(["u123"]);
    for (let i = 0; i < 30_000; i++) big.touch(`c${i}`);
    expect(big.nextDue()).toBe(clock.now() + 60_001);
  });
});
