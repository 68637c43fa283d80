import { describe, expect, it } from "vitest";
import type { Presence, StoredUser } from "../src/presence-types";
import { planRoom } from "../src/room-plan";
import { at } from "./support/clock";
import { ann, batch, bo, conn, GEN1, GEN2, join, keepalive, leave } from "./support/webhook";

// The in-memory half of the receiver, without a database: what one batch
// does to the rows it names.

const row = (connectionId: string, user: StoredUser | null, joined: number, seen = joined): Presence => ({
  room: "lobby",
  connectionId,
  user,
  joinedAt: at(joined),
  lastSeenAt: at(seen),
  generation: GEN1,
});
const rows = (...list: Presence[]) => new Map(list.map((p) => [p.connectionId, p]));

describe("planRoom", () => {
  it("ends a stay and begins another when a live connection id joins as a different user", () => {
    const plan = planRoom(batch(2, [join("c1", bo, 5)]), rows(row("c1", ann, 1)));
    expect(plan.closes).toEqual([{ connectionId: "c1", reason: "left", at: at(5) }]);
    expect(plan.sessions).toEqual([{ connectionId: "c1", user: bo, joinedAt: at(5), leftAt: null, reason: null }]);
    expect(plan.upserts.map((p) => [p.connectionId, p.user?.id, p.joinedAt])).toEqual([["c1", "u2", at(5)]]);
    expect(plan.removed.map((p) => p.user?.id)).toEqual(["u1"]);
    expect(plan.added.map((p) => p.user?.id)).toEqual(["u2"]);
  });

  it("ignores a leave of a connection it has no row for, and keeps a refresh that changes nothing out of the writes", () => {
    const plan = planRoom(batch(2, [leave("ghost", 3), join("c1", ann, 4)]), rows(row("c1", ann, 1, 4)));
    expect(plan).toMatchObject({ deletes: [], closes: [], sessions: [], upserts: [], added: [], removed: [] });
  });

  it("moves last-seen of the connections it names to the latest keep-alive and leaves the rest to the room's lease", () => {
    const plan = planRoom(batch(2, [join("c2", bo, 3), keepalive(9)]), rows());
    expect(plan.keepaliveAt).toEqual(at(9));
    expect(plan.upserts[0]).toMatchObject({ connectionId: "c2", joinedAt: at(3), lastSeenAt: at(9) });
    expect(plan.latestAt).toEqual(at(9));
  });

  it("lets a snapshot decide who is present after the events, stamping the batch's generation", () => {
    const before = rows(row("c1", ann, 1, 8), row("c2", bo, 2));
    const plan = planRoom(
      batch(1, [join("c3", null, 10), leave("c3", 11), join("c4", null, 12)], {
        generation: GEN2,
        snapshot: [conn("c2", bo, 2, 12), conn("c4", null, 12)],
      }),
      before,
    );
    expect(plan.deletes).toEqual(["c1"]);
    expect(plan.closes).toEqual([{ connectionId: "c1", reason: "restart", at: at(8) }]);
    expect(plan.sessions).toEqual([
      { connectionId: "c3", user: null, joinedAt: at(10), leftAt: at(11), reason: "left" },
      { connectionId: "c4", user: null, joinedAt: at(12), leftAt: null, reason: null },
    ]);
    expect(plan.upserts.map((p) => [p.connectionId, p.joinedAt, p.lastSeenAt, p.generation])).toEqual([
      ["c4", at(12), at(12), GEN2],
      ["c2", at(2), at(12), GEN2],
    ]);
  });
});
