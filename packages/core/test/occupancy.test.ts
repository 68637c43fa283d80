// Issue 29, item 4: a room's webhook events gain `occupied` and `vacated`, in order with the rest.
import { describe, expect, it } from "vitest";
import { ManualClock, RoomPresence, withOccupancy } from "../src/engine";
import type { UserIdentity } from "../src/index";

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: {} });
const START = 1_000_000;

/** One diff interval as the room's host sees it: the events, with occupancy judged by the user count. */
function flush(room: RoomPresence, was: boolean, now: number) {
  const events = withOccupancy(room.takeEvents(), was, room.userCount > 0, now);
  room.takeDiff();
  return events.map((event) => ("connectionId" in event ? `${event.type}:${event.connectionId}` : event.type));
}

describe("occupied and vacated", () => {
  it("puts occupied right after the first signed-in join and vacated right after the last leave", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock, recordEvents: true });
    room.connect("a1", null);
    room.connect("c1", person(1));
    room.connect("c2", person(2));
    expect(flush(room, false, clock.now())).toEqual(["join:a1", "join:c1", "occupied", "join:c2"]);
    clock.advance(1_000);
    room.leave("c1");
    expect(flush(room, true, clock.now())).toEqual(["leave:c1"]);
    room.leave("c2");
    room.leave("a1");
    expect(flush(room, true, clock.now())).toEqual(["leave:c2", "vacated", "leave:a1"]);
  });

  it("says nothing for anonymous connections alone, a stay inside one interval, or a reload", () => {
    const clock = new ManualClock(START);
    const room = new RoomPresence({ clock, recordEvents: true });
    room.connect("a1", null);
    expect(flush(room, false, clock.now())).toEqual(["join:a1"]);
    room.connect("c1", person(1));
    room.leave("c1");
    expect(flush(room, false, clock.now())).toEqual(["join:c1", "leave:c1"]);
    room.connect("c2", person(2));
    expect(flush(room, false, clock.now())).toEqual(["join:c2", "occupied"]);
    // a reload: the old socket lingers and the new one takes its place (a leave, then a join)
    room.close("c2", "away");
    room.connect("c3", person(2));
    expect(flush(room, true, clock.now())).toEqual(["leave:c2", "join:c3"]);
  });

  it("comes last, at the interval's time, when no event of the interval made it", () => {
    expect(withOccupancy([], false, true, 42)).toEqual([{ type: "occupied", at: 42 }]);
    expect(withOccupancy([], true, false, 43)).toEqual([{ type: "vacated", at: 43 }]);
    expect(withOccupancy([], true, true, 44)).toEqual([]);
  });
});
