// Issue 27: a shard's view of a room sharded by person (`ShardView`): the coordinator's pushes,
// taken one by one in their order, and the room's pages gathered from every shard's own people.
import { describe, expect, it } from "vitest";
import { type HeadPush, ManualClock, mergePages, RoomPresence, ShardView } from "../src/engine";
import type { PresenceUser, UserIdentity } from "../src/index";
import { PersonShards } from "./person-shards";

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: {} });
const entry = (n: number): PresenceUser => ({
  ...person(n),
  connections: 1,
  state: {},
  since: 1_000 + n,
  status: "active",
  activeAt: 1_000 + n,
});

/** A push of the coordinator: a partial one with nothing in it unless told otherwise. */
const push = (fields: Partial<HeadPush> & Pick<HeadPush, "seq" | "no">): HeadPush => ({
  full: false,
  reportNo: 0,
  exact: true,
  head: [],
  headLeft: [],
  followed: [],
  followedLeft: [],
  count: 0,
  anonymous: 0,
  at: 5_000,
  ...fields,
});

/** A view of a shard with no people of its own. */
const newView = () =>
  new ShardView(new RoomPresence({ clock: new ManualClock(5_000) }), { clock: new ManualClock(5_000) });

describe("a shard's view", () => {
  it("reports a gap for a push after one it missed, and ignores an old one", () => {
    const view = newView();
    expect(view.apply(push({ seq: 1, no: 1 }))).toBe("gap");
    expect(view.apply(push({ seq: 1, no: 1, full: true, head: [entry(1)], count: 1 }))).toMatchObject({
      joined: [{ id: "u1" }],
    });
    expect(view.apply(push({ seq: 2, no: 2, head: [entry(2)], count: 2 }))).toMatchObject({ seq: 2 });
    // push 3 was lost: push 4 cannot be applied on top
    expect(view.apply(push({ seq: 4, no: 4, head: [entry(4)], count: 3 }))).toBe("gap");
    expect(view.apply(push({ seq: 2, no: 2, head: [entry(2)], count: 2 }))).toBe("duplicate");
    // a push that takes no new number (only what to expose or watch) still counts in `no`
    expect(view.apply(push({ seq: 2, no: 3, count: 2 }))).toMatchObject({ seq: 2, joined: [], left: [] });
    expect(view.headIds(10)).toEqual(["u1", "u2"]);
    expect(view.userCount).toBe(2);
  });

  it("takes a full push with a lower number after `reset` (its coordinator restarted), and goes on from it", () => {
    const view = newView();
    view.apply(push({ seq: 6, no: 9, full: true, head: [entry(1), entry(2)], count: 2 }));
    const restarted = push({ seq: 5, no: 1, full: true, head: [entry(2)], count: 1 });
    // an older room than its copy, from a coordinator whose stored number fell behind
    expect(view.apply(restarted)).toBe("duplicate");
    view.reset();
    expect(view.ready).toBe(false);
    expect(view.apply(restarted)).toMatchObject({ seq: 5, joined: [], left: ["u1"], leftAt: 5_000 });
    expect(view.headIds(10)).toEqual(["u2"]);
    expect(view.apply(push({ seq: 6, no: 2, headLeft: ["u2"], count: 0, at: 5_050 }))).toMatchObject({
      left: ["u2"],
      leftAt: 5_050,
    });
  });

  it("pages the room in join order from every shard's own people, with the cursors a room gives", () => {
    const clock = new ManualClock(1_000_000);
    const sharded = new PersonShards(clock, { shards: 3, headSize: 4, recentMs: 600_000 });
    const one = new RoomPresence({ clock });
    for (let n = 0; n < 25; n++) {
      for (const room of [sharded.at(`c${n}`, `u${n}`), one]) room.connect(`c${n}`, person(n));
      clock.advance(1);
    }
    sharded.flush();
    // every shard has some of them, so the merge is not one shard's page
    for (const shard of sharded.shards) expect(shard.room.userCount).toBeGreaterThan(0);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const cursor: string | null = after;
      const page = mergePages(
        sharded.shards.map((shard) => shard.view.page(cursor, 10)),
        10,
      );
      if (!page) throw new Error("not a cursor");
      expect(page).toEqual(one.page(cursor, 10));
      seen.push(...page.users.map((user) => user.id));
      after = page.next;
    } while (after !== null);
    expect(seen).toEqual(one.headIds(100));
    expect(mergePages([null, { users: [], next: null }], 10)).toBeNull();
  });
});
