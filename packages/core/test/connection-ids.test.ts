import { describe, expect, it } from "vitest";
import { ManualClock, RoomPresence } from "../src/engine";
import type { UserIdentity } from "../src/index";

const ann: UserIdentity = { id: "u1", name: "Ann", info: {} };
const bo: UserIdentity = { id: "u2", name: "Bo", info: {} };

describe("who may take a connection id (issue 24, item 2)", () => {
  it("lets only the same user take back an id lingering in its grace; a live id belongs to nobody else", () => {
    const room = new RoomPresence({ clock: new ManualClock(1_000_000), maxAgeMs: 60_000, leaveGraceMs: 5_000 });
    expect(room.mayTake("c1", "u1")).toBe(true);
    room.connect("c1", ann);
    expect(room.mayTake("c1", "u1")).toBe(false);
    room.close("c1", "lost");
    expect(room.mayTake("c1", "u1")).toBe(true);
    expect(room.mayTake("c1", "u2")).toBe(false);
    expect(room.mayTake("c1", null)).toBe(false);
    // Bo under a fresh id leaves Ann's grace alone: she is still here, and can come back under c1
    room.connect("c1.0badc0de", bo);
    expect(room.snapshotUsers().map((u) => [u.id, u.connections])).toEqual([
      ["u1", 1],
      ["u2", 1],
    ]);
    expect(room.connect("c1", ann).reclaimed).toBe(true);
  });
});
