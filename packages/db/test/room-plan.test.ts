import { describe, expect, it } from "vitest";
import type { Presence, StoredUser, UserStatus } from "../src/presence-types";
import { planRoom } from "../src/room-plan";
import { at } from "./support/clock";
import { ann, batch, bo, conn, GEN1, GEN2, join, keepalive, leave, status } from "./support/webhook";

// The in-memory half of the receiver, without a database: what one batch
// does to the rows it names.

/** When the plans below are made: the moment their active connections read as active. */
const NOW = at(100);

const row = (
  connectionId: string,
  user: StoredUser | null,
  joined: number,
  seen = joined,
  reported: { status: UserStatus; activeAt: number } = { status: "active", activeAt: 100 },
): Presence => ({
  room: "lobby",
  connectionId,
  user,
  joinedAt: at(joined),
  lastSeenAt: at(seen),
  generation: GEN1,
  status: reported.status,
  activeAt: at(reported.activeAt),
});
const rows = (...list: Presence[]) => new Map(list.map((p) => [p.connectionId, p]));

describe("planRoom", () => {
  it("ends a stay and begins another when a live connection id joins as a different user", () => {
    const plan = planRoom(batch(2, [join("c1", bo, 5)]), rows(row("c1", ann, 1)), NOW);
    expect(plan.closes).toEqual([{ connectionId: "c1", reason: "left", at: at(5), leaveMs: null }]);
    expect(plan.sessions).toEqual([
      { connectionId: "c1", user: bo, joinedAt: at(5), leftAt: null, reason: null, leaveMs: null },
    ]);
    expect(plan.upserts.map((p) => [p.connectionId, p.user?.id, p.joinedAt])).toEqual([["c1", "u2", at(5)]]);
    expect(plan.removed.map((p) => p.user?.id)).toEqual(["u1"]);
    expect(plan.added.map((p) => p.user?.id)).toEqual(["u2"]);
  });

  it("ignores a leave of a connection it has no row for, and keeps a refresh that changes nothing out of the writes", () => {
    const plan = planRoom(batch(2, [leave("ghost", 3), join("c1", ann, 4)]), rows(row("c1", ann, 1, 4)), NOW);
    expect(plan).toMatchObject({ deletes: [], closes: [], sessions: [], upserts: [], added: [], removed: [] });
  });

  it("moves last-seen of the connections it names to the latest keep-alive and leaves the rest to the room's lease", () => {
    const plan = planRoom(batch(2, [join("c2", bo, 3), keepalive(9)]), rows(), NOW);
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
      NOW,
    );
    expect(plan.deletes).toEqual(["c1"]);
    expect(plan.closes).toEqual([{ connectionId: "c1", reason: "restart", at: at(8), leaveMs: null }]);
    expect(plan.sessions).toEqual([
      { connectionId: "c3", user: null, joinedAt: at(10), leftAt: at(11), reason: "left", leaveMs: null },
      { connectionId: "c4", user: null, joinedAt: at(12), leftAt: null, reason: null, leaveMs: null },
    ]);
    expect(plan.upserts.map((p) => [p.connectionId, p.joinedAt, p.lastSeenAt, p.generation])).toEqual([
      ["c4", at(12), at(12), GEN2],
      ["c2", at(2), at(12), GEN2],
    ]);
  });

  it("records when a connection stops being active, keeps it through idle to hidden, and ignores a status for no row", () => {
    const plan = planRoom(
      batch(2, [
        status("c1", "idle", 5),
        status("c1", "hidden", 7),
        status("ghost", "idle", 8),
        status("c2", "active", 9),
      ]),
      rows(row("c1", ann, 1), row("c2", bo, 2, 2, { status: "hidden", activeAt: 3 })),
      NOW,
    );
    expect(plan.upserts.map((p) => [p.connectionId, p.status, p.activeAt])).toEqual([
      ["c1", "hidden", at(5)],
      // active again: active until now
      ["c2", "active", NOW],
    ]);
    expect(plan).toMatchObject({ deletes: [], closes: [], sessions: [], added: [], removed: [], latestAt: at(9) });
  });

  it("starts a join active and applies a status that follows it in the same batch", () => {
    const plan = planRoom(batch(2, [join("c1", ann, 3), join("c2", bo, 4), status("c2", "idle", 6)]), rows(), NOW);
    expect(plan.present.map((p) => [p.connectionId, p.status, p.activeAt])).toEqual([
      ["c1", "active", NOW],
      ["c2", "idle", at(6)],
    ]);
  });

  it("takes status and activeAt from a snapshot, a connection without them (a room before 1.2) active", () => {
    const plan = planRoom(
      batch(1, [], {
        generation: GEN2,
        snapshot: [conn("c1", ann, 1, 9, { status: "hidden", activeAt: 6 }), conn("c2", bo, 2, 9)],
      }),
      rows(row("c1", ann, 1), row("c2", bo, 2, 2, { status: "idle", activeAt: 4 })),
      NOW,
    );
    expect(plan.present.map((p) => [p.connectionId, p.status, p.activeAt])).toEqual([
      ["c1", "hidden", at(6)],
      ["c2", "active", NOW],
    ]);
  });
});
