import { expect, it } from "vitest";
import { MAX_ROOM_PAGE } from "../src/room-search";
import { createPresenceStore } from "../src/store";
import { at, T0 } from "./support/clock";
import { describeEachDatabase } from "./support/databases";

const names = (page: { rooms: { name: string }[] }) => page.rooms.map((room) => room.name);
/** `room-000` … `room-119`: digits after a shared prefix sort the same under every collation. */
const numbered = (count: number) => Array.from({ length: count }, (_, i) => `room-${String(i).padStart(3, "0")}`);

describeEachDatabase("findRooms", (db) => {
  const store = () => createPresenceStore(db(), { now: () => T0 });
  const addRooms = (rooms: string[]) =>
    db()
      .insertInto("herenow_rooms")
      .values(rooms.map((name) => ({ name, last_activity_at: T0 })))
      .execute();

  it("pages through 120 rooms by name with the total, the last page short and past the end empty", async () => {
    await addRooms(numbered(120).reverse());
    const s = store();

    const first = await s.findRooms({ limit: 50 });
    expect(first.total).toBe(120);
    expect(names(first)).toEqual(numbered(50));
    const second = await s.findRooms({ limit: 50, offset: 50 });
    expect(names(second)).toEqual(numbered(100).slice(50));
    const last = await s.findRooms({ limit: 50, offset: 100 });
    expect(names(last)).toEqual(numbered(120).slice(100));
    expect(await s.findRooms({ limit: 50, offset: 120 })).toEqual({ rooms: [], total: 120 });
    // without a query: the first 50
    expect(names(await s.findRooms())).toEqual(numbered(50));
  });

  it("counts the presences of the rooms on the page", async () => {
    await addRooms(numbered(60));
    const s = store();
    await s.add("room-055", "c-1", { id: "u1", name: "Ann" }, { at: at(1) });
    await s.add("room-055", "c-2", { id: "u1", name: "Ann" }, { at: at(2) });
    await s.add("room-055", "c-3", null, { at: at(3) });

    const { rooms } = await s.findRooms({ limit: 10, offset: 50 });
    expect(rooms.find((room) => room.name === "room-055")).toEqual({
      name: "room-055",
      users: 1,
      anonymous: 1,
      connections: 3,
      lastActivityAt: at(3),
      occupiedSince: null,
      generation: null,
      seq: 0,
    });
    expect(rooms.find((room) => room.name === "room-054")).toMatchObject({ users: 0, anonymous: 0, connections: 0 });
  });

  it("finds rooms by part of the name, ignoring case, and pages the matches", async () => {
    await addRooms([...numbered(120), "Lobby-Main", "side-LOBBY", "kitchen"]);
    const s = store();

    const lobbies = await s.findRooms({ search: "lobby" });
    expect(lobbies.total).toBe(2);
    expect(names(lobbies).sort()).toEqual(["Lobby-Main", "side-LOBBY"]);
    expect(names(await s.findRooms({ search: "BBY-ma" }))).toEqual(["Lobby-Main"]);

    // room-100 … room-119, one page of 20
    const hundreds = await s.findRooms({ search: "m-1", limit: 50 });
    expect(hundreds.total).toBe(20);
    expect(names(hundreds)).toEqual(numbered(120).slice(100));
    // room-010 … room-019, the second page of 4
    const page2 = await s.findRooms({ search: "-01", limit: 4, offset: 4 });
    expect(page2.total).toBe(10);
    expect(names(page2)).toEqual(["room-014", "room-015", "room-016", "room-017"]);

    expect(await s.findRooms({ search: "nowhere" })).toEqual({ rooms: [], total: 0 });
  });

  it("takes %, _ and \\ in the search as plain characters, not LIKE wildcards", async () => {
    await addRooms(["a_b", "axb", "a.b", "ab", "under_score_"]);
    const s = store();

    expect(names(await s.findRooms({ search: "a_b" }))).toEqual(["a_b"]);
    expect(names(await s.findRooms({ search: "_" })).sort()).toEqual(["a_b", "under_score_"]);
    expect(names(await s.findRooms({ search: "e_" }))).toEqual(["under_score_"]);
    expect(await s.findRooms({ search: "%" })).toEqual({ rooms: [], total: 0 });
    expect(await s.findRooms({ search: "a%b" })).toEqual({ rooms: [], total: 0 });
    expect(await s.findRooms({ search: "\\" })).toEqual({ rooms: [], total: 0 });
    expect(await s.findRooms({ search: "a\\_b" })).toEqual({ rooms: [], total: 0 });
    expect(names(await s.findRooms({ search: "." }))).toEqual(["a.b"]);
  });

  it("finds nothing, without an error, for characters no room name has: a NUL, a space, other letters", async () => {
    await addRooms(["lobby", "a.b"]);
    const s = store();
    for (const search of ["\u0000", "lob\u0000", "%00", "a b", "lobby\n", "café", "\u{1F600}"]) {
      expect(await s.findRooms({ search })).toEqual({ rooms: [], total: 0 });
    }
    expect(names(await s.findRooms({ search: "LOB" }))).toEqual(["lobby"]);
  });

  it("refuses a limit outside 1 to the maximum, and a negative or fractional offset", async () => {
    const s = store();
    await expect(s.findRooms({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(s.findRooms({ limit: MAX_ROOM_PAGE + 1 })).rejects.toThrow(/limit must be an integer from 1 to 500/);
    await expect(s.findRooms({ limit: 2.5 })).rejects.toThrow(RangeError);
    await expect(s.findRooms({ offset: -1 })).rejects.toThrow(/offset must be a non-negative integer/);
    await expect(s.findRooms({ offset: Number.NaN })).rejects.toThrow(RangeError);
  });
});

describeEachDatabase("busiestRooms", (db) => {
  const store = () => createPresenceStore(db(), { now: () => T0 });

  it("lists only rooms with somebody in them, the most people first, then the most recently active, then by name", async () => {
    const s = store();
    const ann = { id: "u1", name: "Ann" };
    // busy: Ann on two tabs and two anonymous connections (3 people, 4 connections)
    await s.add("busy", "c-1", ann, { at: at(1) });
    await s.add("busy", "c-2", ann, { at: at(2) });
    await s.add("busy", "c-3", null, { at: at(3) });
    await s.add("busy", "c-4", null, { at: at(4) });
    // tabs: one person on three tabs counts as one, after every room of two, however recent
    for (const c of ["c-5", "c-6", "c-7"]) await s.add("tabs", c, { id: "u5", name: "Eve" }, { at: at(20) });
    // two people each: pair-b was active last, so it comes first although pair-a does by name
    await s.add("pair-a", "c-8", { id: "u2", name: "Bo" }, { at: at(5) });
    await s.add("pair-a", "c-9", { id: "u3", name: "Cy" }, { at: at(6) });
    await s.add("pair-b", "c-10", { id: "u2", name: "Bo" }, { at: at(7) });
    await s.add("pair-b", "c-11", null, { at: at(8) });
    // one person each, active at the same instant: by name
    await s.add("solo-y", "c-12", { id: "u6", name: "Fay" }, { at: at(9) });
    await s.add("solo-x", "c-13", { id: "u7", name: "Gus" }, { at: at(9) });
    // everyone left: not listed, however many such rooms there are
    await s.add("empty", "c-14", { id: "u4", name: "Di" }, { at: at(10) });
    await s.remove("empty", "c-14", "left", { at: at(11) });
    await db()
      .insertInto("herenow_rooms")
      .values(numbered(50).map((name) => ({ name, last_activity_at: T0 })))
      .execute();

    const busiest = await s.busiestRooms();
    expect(names({ rooms: busiest })).toEqual(["busy", "pair-b", "pair-a", "tabs", "solo-x", "solo-y"]);
    expect(busiest[0]).toEqual({
      name: "busy",
      users: 1,
      anonymous: 2,
      connections: 4,
      lastActivityAt: at(4),
      occupiedSince: null,
      generation: null,
      seq: 0,
    });
    expect(busiest.find((room) => room.name === "tabs")).toMatchObject({ users: 1, anonymous: 0, connections: 3 });
    expect(names({ rooms: await s.busiestRooms(2) })).toEqual(["busy", "pair-b"]);
  });

  it("lists nothing in a database without presences, and refuses a limit outside 1 to the maximum", async () => {
    const s = store();
    expect(await s.busiestRooms()).toEqual([]);
    await expect(s.busiestRooms(0)).rejects.toThrow(/busiestRooms: limit must be an integer from 1 to 500/);
    await expect(s.busiestRooms(MAX_ROOM_PAGE + 1)).rejects.toThrow(RangeError);
  });
});
