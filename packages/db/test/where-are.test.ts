import { expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { at } from "./support/clock";
import { describeEachDatabase } from "./support/databases";

// Issue 29, item 2: where users are (rooms, status, since), or when they were last seen.

const NOW = at(100);
const ann = { id: "u1", name: "Ann" };
const bo = { id: "u2", name: "Bo" };
const cy = { id: "u3", name: "Cy" };

describeEachDatabase("store.whereAre", (db) => {
  const store = () => createPresenceStore(db(), { now: () => NOW });

  it("lists each user's rooms with the merged status and the earliest join, and last seen for those in none", async () => {
    const s = store();
    await s.add("lobby", "a1", ann, { at: at(5) });
    await s.add("lobby", "a2", ann, { at: at(3) });
    await s.add("kitchen", "a3", ann, { at: at(1) });
    await s.add("kitchen", "b1", bo, { at: at(2) });
    await s.remove("kitchen", "b1", "left", { at: at(7) });
    await s.add("lobby", "c1", cy, { at: at(4) });
    await s.add("lobby", "x1", null, { at: at(4) });
    // statuses as a room's webhook leaves them in the copy: Ann idle in one lobby tab and hidden in the
    // other (idle wins), hidden in the kitchen; Cy hidden
    const status = (id: string, to: "idle" | "hidden") =>
      db()
        .updateTable("herenow_presences")
        .set({ status: to, active_at: at(6) })
        .where("connection_id", "=", id)
        .execute();
    await status("a1", "idle");
    await status("a2", "hidden");
    await status("a3", "hidden");
    await status("c1", "hidden");

    const where = await s.whereAre(["u1", "u2", "u3", "nobody"]);
    expect(Object.fromEntries(where)).toEqual({
      u1: {
        rooms: [
          { room: "kitchen", status: "hidden", since: at(1) },
          { room: "lobby", status: "idle", since: at(3) },
        ],
        lastSeen: null,
      },
      u2: { rooms: [], lastSeen: at(7) },
      u3: { rooms: [{ room: "lobby", status: "hidden", since: at(4) }], lastSeen: null },
      nobody: { rooms: [], lastSeen: null },
    });
    // an active connection makes the room active for that user
    await s.add("kitchen", "a4", ann, { at: at(8) });
    expect((await s.whereAre(["u1"])).get("u1")?.rooms[0]).toEqual({ room: "kitchen", status: "active", since: at(1) });
  });

  it("takes at most 1,000 distinct ids", async () => {
    const s = store();
    const many = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    expect((await s.whereAre([...many, "u1"])).size).toBe(1000);
    await expect(s.whereAre([...many, "one-too-many"])).rejects.toThrow(/at most 1000 user ids/);
  });
});
