// Large rooms (protocol 1.1): a windowed client that applies only its part of each diff
// must always hold exactly what a fresh windowed sync would list.
import { describe, expect, it } from "vitest";
import { ManualClock, RoomPresence, WindowedDiff, type WindowSpec, windowUsers } from "../src/engine";
import { type PresenceUser, PresenceView, type UserIdentity } from "../src/index";
import { random } from "./seeded-random";

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: {} });

function syncOf(room: RoomPresence, spec: WindowSpec) {
  return {
    type: "presence:sync" as const,
    room: "big",
    seq: room.seq,
    self: { connectionId: "me", user: spec.selfUserId ? person(Number(spec.selfUserId.slice(1))) : null },
    users: windowUsers(room, spec),
    anonymous: room.anonymous,
    count: room.userCount,
    window: { size: spec.size, follows: [...spec.follows] },
  };
}

describe("windows of a large room", () => {
  it("lists the first users, then self and the followed, in the order they arrived", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock });
    for (let n = 1; n <= 10; n++) {
      room.connect(`c${n}`, person(n));
      clock.advance(10);
    }
    const spec: WindowSpec = { size: 3, selfUserId: "u9", follows: new Set(["u5", "u42"]) };
    expect(windowUsers(room, spec).map((u) => u.id)).toEqual(["u1", "u2", "u3", "u5", "u9"]);
  });

  it.each([1, 2, 3, 4, 5])("keeps a windowed view equal to a fresh window through random churn (seed %i)", (seed) => {
    const next = random(seed);
    const clock = new ManualClock(1_000_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    const present = new Set<number>();
    const join = (n: number) => {
      room.connect(`c${n}`, person(n));
      present.add(n);
    };
    for (let n = 1; n <= 20; n++) join(n);
    room.takeDiff();
    const spec: WindowSpec = { size: 5, selfUserId: "u17", follows: new Set(["u3", "u25", "u30"]) };
    const view = new PresenceView();
    view.apply(syncOf(room, spec));
    let sent = 0;
    for (let step = 0; step < 300; step++) {
      const headBefore = room.headIds(spec.size);
      for (let op = 0; op < 1 + Math.floor(next() * 4); op++) {
        const n = 1 + Math.floor(next() * 40);
        clock.advance(1 + Math.floor(next() * 3));
        if (n === 17) continue; // self stays
        if (!present.has(n)) join(n);
        else if (next() < 0.5) {
          room.leave(`c${n}`);
          present.delete(n);
        } else room.setState(`c${n}`, { step });
      }
      const diff = room.takeDiff();
      if (!diff) continue;
      const changes = new WindowedDiff(room, diff, headBefore, room.headIds(spec.size)).changesFor(spec);
      if (changes) {
        sent++;
        view.apply({
          type: "presence:diff",
          seq: diff.seq,
          ...changes,
          anonymous: diff.anonymous,
          count: room.userCount,
        });
      }
      const expected = windowUsers(room, spec);
      expect(view.snapshot.users.map((u) => u.id)).toEqual(expected.map((u) => u.id));
      // an active user's `activeAt` is the time of the message that carried them: news to nobody
      expect(view.snapshot.users.map(settled)).toEqual(expected.map(settled));
    }
    // the window saw a fraction of the room's diffs, not all of them
    expect(sent).toBeGreaterThan(10);
    expect(sent).toBeLessThan(300);
  });

  it("sends a connection nothing when a change is outside its window", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    for (let n = 1; n <= 10; n++) room.connect(`c${n}`, person(n));
    room.takeDiff();
    const spec: WindowSpec = { size: 3, selfUserId: null, follows: new Set() };
    const before = room.headIds(3);
    room.connect("c11", person(11));
    room.setState("c7", { typing: true });
    const diff = room.takeDiff();
    expect(diff).not.toBeNull();
    if (!diff) return;
    expect(new WindowedDiff(room, diff, before, room.headIds(3)).changesFor(spec)).toBeNull();
    // the first user leaving moves the fourth into the window
    const before2 = room.headIds(3);
    room.leave("c1");
    const diff2 = room.takeDiff();
    if (!diff2) throw new Error("no diff");
    expect(new WindowedDiff(room, diff2, before2, room.headIds(3)).changesFor(spec)).toEqual({
      joined: [expect.objectContaining({ id: "u4" })],
      updated: [],
      left: ["u1"],
    });
  });
});

describe("paging everyone here", () => {
  it("walks the room in join order with stable cursors, even when the cursor's user leaves", () => {
    const clock = new ManualClock(1_000);
    const room = new RoomPresence({ clock, leaveGraceMs: 0 });
    for (let n = 1; n <= 7; n++) {
      room.connect(`c${n}`, person(n));
      if (n % 2 === 0) clock.advance(5); // some arrive in the same millisecond
    }
    const first = room.page(null, 3);
    expect(first?.users.map((u) => u.id)).toEqual(["u1", "u2", "u3"]);
    expect(first?.next).toBe(`${first?.users[2]?.since}:u3`);
    room.leave("c3");
    room.connect("c8", person(8));
    const second = room.page(first?.next ?? null, 3);
    expect(second?.users.map((u) => u.id)).toEqual(["u4", "u5", "u6"]);
    const third = room.page(second?.next ?? null, 3);
    expect(third).toEqual({
      users: [expect.objectContaining({ id: "u7" }), expect.objectContaining({ id: "u8" })],
      next: null,
    });
    expect(room.page("not a cursor", 3)).toBeNull();
  });
});

describe("PresenceView in a windowed room", () => {
  it("accepts jumps in seq, takes counts, and ignores counts older than its sync", () => {
    const view = new PresenceView();
    view.apply({
      type: "presence:sync",
      room: "big",
      seq: 10,
      self: { connectionId: "c", user: null },
      users: [],
      anonymous: 4,
      count: 1200,
      window: { size: 100, follows: [] },
    });
    expect(view.snapshot).toMatchObject({ count: 1200, window: { size: 100 } });
    expect(
      view.apply({ type: "presence:diff", seq: 15, joined: [], updated: [], left: [], anonymous: 5, count: 1201 }),
    ).toBe("applied");
    expect(view.apply({ type: "presence:count", seq: 14, count: 9, anonymous: 9 })).toBe("duplicate");
    expect(view.apply({ type: "presence:count", seq: 15, count: 1300, anonymous: 6 })).toBe("applied");
    expect(view.snapshot).toMatchObject({ seq: 15, count: 1300, anonymous: 6 });
  });

  it("still reports gaps in a full room, where count is the list's length", () => {
    const view = new PresenceView();
    const ann = { ...person(1), connections: 1, state: {}, since: 1, status: "active" as const, activeAt: 1 };
    view.apply({
      type: "presence:sync",
      room: "r",
      seq: 1,
      self: { connectionId: "c", user: null },
      users: [ann],
      anonymous: 0,
    });
    expect(view.snapshot.count).toBe(1);
    expect(view.apply({ type: "presence:diff", seq: 3, joined: [], updated: [], left: [], anonymous: 0 })).toBe("gap");
    expect(view.apply({ type: "presence:diff", seq: 2, joined: [], updated: [], left: ["u1"], anonymous: 0 })).toBe(
      "applied",
    );
    expect(view.snapshot.count).toBe(0);
  });
});

/** A user entry without the `activeAt` of an active user, which only says when the entry was made. */
function settled(user: PresenceUser): Omit<PresenceUser, "activeAt"> & { activeAt?: number } {
  const { activeAt, ...rest } = user;
  return user.status === "active" ? rest : { ...rest, activeAt };
}
