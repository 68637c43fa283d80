// Protocol 1.2's status: one per person (the most present of their connections), `activeAt`,
// hidden connections that live longer, and changes that travel as `updated`.
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock, morePresent, RoomPresence } from "../src/engine";
import { DEFAULTS, parseClientMessage, type UserIdentity } from "../src/index";
import { PersonShards } from "./person-shards";

const ann: UserIdentity = { id: "u1", name: "Ann", info: {} };
const bo: UserIdentity = { id: "u2", name: "Bo", info: {} };
const START = 1_000_000;

describe("status", () => {
  let clock: ManualClock;
  let room: RoomPresence;

  beforeEach(() => {
    clock = new ManualClock(START);
    room = new RoomPresence({ clock });
  });

  it("starts active, with activeAt at the time of the entry", () => {
    room.connect("c1", ann);
    expect(room.takeDiff()?.joined[0]).toMatchObject({ status: "active", activeAt: START });
    clock.advance(5_000);
    expect(room.presentUser("u1")).toMatchObject({ status: "active", activeAt: START + 5_000 });
  });

  it("reaches the others as updated, never as a leave and a join, with the moment the user stopped being active", () => {
    room.connect("c1", ann);
    room.takeDiff();
    clock.advance(10_000);
    expect(room.setStatus("c1", "hidden")).toBe("applied");
    const diff = room.takeDiff();
    expect(diff).toMatchObject({
      joined: [],
      left: [],
      updated: [{ id: "u1", status: "hidden", activeAt: START + 10_000 }],
    });
    clock.advance(60_000);
    expect(room.presentUser("u1")).toMatchObject({ status: "hidden", activeAt: START + 10_000 });
    expect(room.setStatus("c1", "hidden")).toBe("applied");
    expect(room.takeDiff()).toBeNull();
    expect(room.setStatus("c1", "active")).toBe("applied");
    expect(room.takeDiff()?.updated).toEqual([expect.objectContaining({ status: "active", activeAt: START + 70_000 })]);
  });

  it("merges a person's tabs: the most present status wins, activeAt is the last moment any tab was active", () => {
    room.connect("c1", ann);
    room.connect("c2", ann);
    clock.advance(1_000);
    room.setStatus("c1", "hidden");
    room.takeDiff();
    expect(room.presentUser("u1")?.status).toBe("active");
    clock.advance(1_000);
    room.setStatus("c2", "idle");
    expect(room.takeDiff()?.updated).toEqual([
      expect.objectContaining({ status: "idle", activeAt: START + 2_000, connections: 2 }),
    ]);
    clock.advance(1_000);
    room.leave("c2");
    // the idle tab went: the user is hidden now, and was last active when the second tab stopped
    expect(room.takeDiff()?.updated).toEqual([
      expect.objectContaining({ status: "hidden", activeAt: START + 2_000, connections: 1 }),
    ]);
    expect(morePresent("hidden", "idle")).toBe("idle");
    expect(morePresent("active", "hidden")).toBe("active");
  });

  it("applies 20 changes a second per connection and the newest of the rest when the second ends", () => {
    room.connect("c1", ann);
    room.takeDiff();
    const results = Array.from({ length: 22 }, (_, i) => room.setStatus("c1", i % 2 === 0 ? "idle" : "active"));
    expect(results.filter((result) => result === "applied")).toHaveLength(20);
    expect(results.slice(20)).toEqual(["rate_limited", "rate_limited"]);
    room.setStatus("c1", "hidden");
    expect(room.presentUser("u1")?.status).toBe("active");
    expect(room.nextDue()).toBe(START + 1_000);
    clock.set(START + 1_000);
    room.tick();
    expect(room.presentUser("u1")?.status).toBe("hidden");
  });

  it("is refused when unknown, as the protocol page says", () => {
    expect(parseClientMessage('{"type":"presence:status","status":"away"}')).toMatchObject({
      ok: false,
      code: "invalid_message",
    });
    expect(parseClientMessage('{"type":"presence:status","status":"idle"}')).toMatchObject({
      ok: true,
      message: { type: "presence:status", status: "idle" },
    });
  });

  it("outlives hibernation in what a socket's attachment keeps", () => {
    room.connect("c1", ann);
    clock.advance(2_000);
    room.setStatus("c1", "idle");
    const [saved] = room.snapshotConnections();
    const woken = new RoomPresence({ clock });
    woken.restore(saved ? [saved] : []);
    expect(woken.presentUser("u1")).toMatchObject({ status: "idle", activeAt: START + 2_000 });
  });
});

describe("hidden connections live longer", () => {
  it("keeps a hidden tab whose timers fire once a minute for ten minutes against the default max age", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock, recordEvents: true });
    expect(room.maxAgeMs).toBe(60_000);
    expect(room.hiddenMaxAgeMs).toBe(180_000);
    room.connect("hidden", ann);
    room.connect("visible", bo);
    room.setStatus("hidden", "hidden");
    room.touch("hidden");
    // Chromium's intensive throttling: a hidden page's timers run once a minute, late by up to
    // a minute more. Both tabs beat on that clock; the room's alarm runs whenever it is due.
    const stale: string[] = [];
    let beatAt = START + 119_000;
    while (clock.now() < START + 10 * 60_000) {
      const due = room.nextDue() ?? Number.POSITIVE_INFINITY;
      if (due < beatAt) {
        clock.set(due);
        stale.push(...room.tick().stale);
        continue;
      }
      clock.set(beatAt);
      room.touch("hidden");
      room.touch("visible");
      beatAt += 60_000 + (beatAt % 7) * 1000;
    }
    expect(stale).toEqual(["visible"]);
    expect(room.presentUser("u1")).toMatchObject({ status: "hidden" });
    expect(room.takeEvents().filter((event) => event.type === "leave")).toEqual([
      expect.objectContaining({ connectionId: "visible", reason: "stale" }),
    ]);
  });

  it("is pruned after the hidden max age, and a visible tab after the max age", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock, maxAgeMs: 1_000, hiddenMaxAgeMs: 3_000 });
    room.connect("h", ann);
    room.connect("v", bo);
    room.setStatus("h", "hidden");
    expect(room.nextDue()).toBe(START + 1_001);
    clock.set(START + 1_001);
    expect(room.tick().stale).toEqual(["v"]);
    expect(room.nextDue()).toBe(START + 3_001);
    clock.set(START + 3_001);
    expect(room.tick().stale).toEqual(["h"]);
  });

  it("never gets less than the max age", () => {
    const room = new RoomPresence({ maxAgeMs: 90_000, hiddenMaxAgeMs: 10_000 });
    expect(room.hiddenMaxAgeMs).toBe(90_000);
  });

  it("goes back to the max age when the page is shown again", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock, maxAgeMs: 1_000, hiddenMaxAgeMs: 3_000 });
    room.connect("c", ann);
    room.setStatus("c", "hidden");
    clock.advance(500);
    room.touch("c");
    room.setStatus("c", "active");
    expect(room.nextDue()).toBe(START + 1_501);
  });
});

describe("status in a room sharded by person", () => {
  it("shows the coordinator and every shard the most present status and the latest activeAt of a person's tabs, merged on their shard", () => {
    const clock = new ManualClock(START);
    const sharded = new PersonShards(clock, { shards: 2, headSize: 10, recentMs: 600_000 });
    // every tab of a person is on the person's shard: their own room merges them
    const home = sharded.at("a", ann.id);
    expect(sharded.at("b", ann.id)).toBe(home);
    const other = sharded.shards.find((shard) => shard.room !== home) as (typeof sharded.shards)[number];
    const shown = () => [sharded.head.head()[0], other.view.presentUser(ann.id)];
    home.connect("a", ann);
    home.connect("b", ann);
    sharded.flush();
    sharded.flush();
    expect(shown()).toEqual([0, 1].map(() => expect.objectContaining({ status: "active", connections: 2 })));
    const { seq } = sharded.head;
    clock.advance(1_000);
    home.setStatus("a", "hidden");
    sharded.flush();
    // the other tab is still active: nobody sees a change, the room keeps its number
    expect(sharded.head.seq).toBe(seq);
    clock.advance(1_000);
    home.setStatus("b", "idle");
    expect(sharded.flush().get(sharded.shards.indexOf(other))?.updated).toEqual([
      expect.objectContaining({ status: "idle", activeAt: START + 2_000 }),
    ]);
    expect(shown()).toEqual([0, 1].map(() => expect.objectContaining({ status: "idle", activeAt: START + 2_000 })));
    expect(DEFAULTS.hiddenMaxAgeMs).toBe(180_000);
  });
});
