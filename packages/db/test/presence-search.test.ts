import { expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { at, T0 } from "./support/clock";
import { describeEachDatabase } from "./support/databases";

const ids = (page: { presences: { connectionId: string }[] }) => page.presences.map((p) => p.connectionId);
/** `c-000` … `c-119`, joined in that order. */
const numbered = (count: number) => Array.from({ length: count }, (_, i) => `c-${String(i).padStart(3, "0")}`);

describeEachDatabase("findPresences", (db) => {
  const store = () => createPresenceStore(db(), { now: () => T0 });

  it("pages through a room's connections, earliest joined first, with the total", async () => {
    const s = store();
    // in one statement (120 adds take seconds on PGlite); joined in reverse name order: the page follows the join, not the id
    await db().insertInto("herenow_rooms").values({ name: "stage", last_activity_at: T0 }).execute();
    await db()
      .insertInto("herenow_presences")
      .values(
        numbered(120).map((id, i) => ({
          room: "stage",
          connection_id: id,
          user_id: `u${i}`,
          user_name: `Person ${i}`,
          joined_at: at(1000 - i),
          last_seen_at: T0,
        })),
      )
      .execute();
    await s.add("elsewhere", "c-x", { id: "u-x", name: "Other" }, { at: at(1) });
    const joinOrder = numbered(120).reverse();

    const first = await s.findPresences({ room: "stage", limit: 50 });
    expect(first.total).toBe(120);
    expect(ids(first)).toEqual(joinOrder.slice(0, 50));
    expect(ids(await s.findPresences({ room: "stage", limit: 50, offset: 100 }))).toEqual(joinOrder.slice(100));
    expect(await s.findPresences({ room: "stage", offset: 120 })).toEqual({
      presences: [],
      total: 120,
      userConnections: {},
    });
    expect(ids(await s.findPresences({ room: "stage" }))).toHaveLength(50);
    expect((await s.findPresences({ room: "nowhere" })).total).toBe(0);
  });

  it("searches user names, user ids and connection ids, ignoring case, with wildcards as themselves", async () => {
    const s = store();
    await s.add("stage", "c-1", { id: "u_ann", name: "Ann" }, { at: at(1) });
    await s.add("stage", "c-2", { id: "u-bo", name: "Bo" }, { at: at(2) });
    await s.add("stage", "tab-ANN-2", { id: "u_ann", name: "Ann" }, { at: at(3) });
    await s.add("stage", "c-guest", null, { at: at(4) });

    expect(ids(await s.findPresences({ room: "stage", search: "ann" }))).toEqual(["c-1", "tab-ANN-2"]);
    expect(ids(await s.findPresences({ room: "stage", search: "U-B" }))).toEqual(["c-2"]);
    expect(ids(await s.findPresences({ room: "stage", search: "guest" }))).toEqual(["c-guest"]);
    // `_` is a character, not LIKE's "any one"
    expect(ids(await s.findPresences({ room: "stage", search: "u_" }))).toEqual(["c-1", "tab-ANN-2"]);
    expect(await s.findPresences({ room: "stage", search: "%" })).toMatchObject({ presences: [], total: 0 });
    expect(await s.findPresences({ room: "stage", search: "\u0000" })).toMatchObject({ presences: [], total: 0 });
  });

  it("counts each listed user's connections in the whole room, listed or not", async () => {
    const s = store();
    await s.add("stage", "c-1", { id: "u1", name: "Ann" }, { at: at(1) });
    await s.add("stage", "c-2", { id: "u2", name: "Bo" }, { at: at(2) });
    await s.add("stage", "c-3", { id: "u1", name: "Ann" }, { at: at(3) });
    await s.add("stage", "c-4", null, { at: at(4) });
    await s.add("other", "c-5", { id: "u1", name: "Ann" }, { at: at(5) });

    const page = await s.findPresences({ room: "stage", limit: 1 });
    expect(ids(page)).toEqual(["c-1"]);
    expect(page.userConnections).toEqual({ u1: 2 });
    expect((await s.findPresences({ room: "stage" })).userConnections).toEqual({ u1: 2, u2: 1 });
  });

  it("refuses a limit outside 1 to 500 and a negative offset", async () => {
    const s = store();
    await expect(s.findPresences({ room: "stage", limit: 0 })).rejects.toThrow(RangeError);
    await expect(s.findPresences({ room: "stage", limit: 501 })).rejects.toThrow(RangeError);
    await expect(s.findPresences({ room: "stage", offset: -1 })).rejects.toThrow(RangeError);
  });
});
