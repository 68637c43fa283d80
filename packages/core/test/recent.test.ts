// Protocol 1.2's recently left: the room's list, `leftAt` on diffs, a client's own list.
import { describe, expect, it } from "vitest";
import { ManualClock, RoomPresence } from "../src/engine";
import { PresenceView, type UserIdentity } from "../src/index";

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: { n } });
const START = 1_000_000;

describe("recently left", () => {
  it("remembers who left, newest first, with the leftAt of the diff that said so", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock });
    room.connect("c1", person(1));
    room.connect("c2", person(2));
    room.takeDiff();
    clock.advance(1_000);
    room.leave("c1");
    const first = room.takeDiff();
    expect(first).toMatchObject({ left: ["u1"], leftAt: START + 1_000 });
    clock.advance(1_000);
    room.leave("c2");
    expect(room.takeDiff()?.leftAt).toBe(START + 2_000);
    expect(room.recent()).toEqual([
      { id: "u2", name: "User 2", info: { n: 2 }, leftAt: START + 2_000 },
      { id: "u1", name: "User 1", info: { n: 1 }, leftAt: START + 1_000 },
    ]);
  });

  it("drops a user who comes back, and says no leftAt on a diff without leaves", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock });
    room.connect("c1", person(1));
    room.takeDiff();
    room.leave("c1");
    room.takeDiff();
    room.connect("c2", person(1));
    const diff = room.takeDiff();
    expect(diff?.joined.map((user) => user.id)).toEqual(["u1"]);
    expect(diff).not.toHaveProperty("leftAt");
    expect(room.recent()).toEqual([]);
  });

  it("keeps at most 20, none older than the recent time, and none when it is 0", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock, recentMs: 60_000 });
    for (let n = 0; n < 25; n++) room.connect(`c${n}`, person(n));
    room.takeDiff();
    for (let n = 0; n < 25; n++) {
      clock.advance(1_000);
      room.leave(`c${n}`);
      room.takeDiff();
    }
    const recent = room.recent();
    expect(recent).toHaveLength(20);
    expect(recent[0]?.id).toBe("u24");
    expect(recent.at(-1)?.id).toBe("u5");
    // u19 left 60 s before this moment, u18 a second earlier
    clock.advance(55_000);
    expect(room.recent().map((user) => user.id)).toEqual(["u24", "u23", "u22", "u21", "u20", "u19"]);

    const off = new RoomPresence({ clock, recentMs: 0 });
    off.connect("c", person(1));
    off.takeDiff();
    off.leave("c");
    off.takeDiff();
    expect(off.recent()).toEqual([]);
  });

  it("does not count a user who joined and left between two diffs (nobody saw them)", () => {
    const room = new RoomPresence({ clock: new ManualClock(START) });
    room.connect("c", person(1));
    room.leave("c");
    expect(room.takeDiff()).toBeNull();
    expect(room.recent()).toEqual([]);
  });

  it("is kept by a client from its sync and the diffs' left", () => {
    const view = new PresenceView();
    const user = (n: number) => ({
      ...person(n),
      connections: 1,
      state: {},
      since: 1,
      status: "active" as const,
      activeAt: 1,
    });
    view.apply({
      type: "presence:sync",
      room: "r",
      seq: 1,
      self: { connectionId: "c", user: null },
      users: [user(1), user(2)],
      anonymous: 0,
      recent: [{ ...person(9), leftAt: Date.now() - 1_000 }],
    });
    expect(view.snapshot.recent.map((entry) => entry.id)).toEqual(["u9"]);
    const leftAt = Date.now();
    view.apply({ type: "presence:diff", seq: 2, joined: [], updated: [], left: ["u1"], anonymous: 0, leftAt });
    expect(view.snapshot.recent).toEqual([{ ...person(1), leftAt }, expect.objectContaining({ id: "u9" })]);
    view.apply({ type: "presence:diff", seq: 3, joined: [user(9)], updated: [], left: [], anonymous: 0 });
    expect(view.snapshot.recent.map((entry) => entry.id)).toEqual(["u1"]);
  });
});
