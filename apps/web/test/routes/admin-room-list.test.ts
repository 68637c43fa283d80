import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as adminRooms } from "@/app/api/admin/rooms/route";
import { roomListParams } from "@/lib/room-paging";
import { adminRoomList } from "@/server/admin-data";
import { closeDatabase, database } from "@/server/db";
import { adminSignedIn, request } from "./support";

/** `hall-000` … `hall-119`: digits after a shared prefix sort the same under every collation. */
const halls = Array.from({ length: 120 }, (_, i) => `hall-${String(i).padStart(3, "0")}`);
const names = (list: { rooms: { name: string }[] }) => list.rooms.map((room) => room.name);
/** The admin list as /admin?… asks for it. */
const list = (query: Record<string, string>) => adminRoomList(roomListParams(query));

afterAll(closeDatabase);

beforeAll(async () => {
  const { db, store } = database();
  const rooms = [...halls, "Big_Lobby", "biglobby", "lobby"];
  await db
    .insertInto("herenow_rooms")
    .values(rooms.map((name) => ({ name })))
    .execute();
  await store.add("hall-061", "c-guest", null);
  await store.add("hall-061", "c-ann", { id: "u_ann", name: "Ann" });
});

describe("the admin room list", () => {
  it("pages 123 rooms 50 at a time, with the total and the counts of the rooms shown", async () => {
    const first = await list({});
    expect(first).toMatchObject({ page: 1, pageCount: 3, total: 123 });
    expect(first.rooms).toHaveLength(50);

    const second = await list({ page: "2" });
    expect(second.rooms).toHaveLength(50);
    expect(second.rooms.find((room) => room.name === "hall-061")).toMatchObject({
      users: 1,
      anonymous: 1,
      connections: 2,
    });
    const third = await list({ page: "3" });
    expect(third.rooms).toHaveLength(23);
    // every room once, across the pages
    const all = [...names(first), ...names(second), ...names(third)];
    expect(new Set(all).size).toBe(123);
  });

  it("shows the last page for a page past the end, and the first for nonsense", async () => {
    expect(await list({ page: "9" })).toMatchObject({ page: 3, pageCount: 3 });
    expect(await list({ page: "-1" })).toMatchObject({ page: 1 });
  });

  it("searches names ignoring case, and pages the matches", async () => {
    const lobbies = await list({ q: "LOBBY" });
    expect(lobbies).toMatchObject({ total: 3, page: 1, pageCount: 1, search: "LOBBY" });
    expect(names(lobbies).sort()).toEqual(["Big_Lobby", "biglobby", "lobby"]);

    // hall-100 … hall-119
    const hundreds = await adminRoomList({ search: "ll-1", page: 2 }, 8);
    expect(hundreds).toMatchObject({ total: 20, page: 2, pageCount: 3 });
    expect(names(hundreds)).toEqual(halls.slice(108, 116));
  });

  it("takes _ and % in the search as themselves", async () => {
    expect(names(await list({ q: "g_l" }))).toEqual(["Big_Lobby"]);
    expect(await list({ q: "%" })).toMatchObject({ rooms: [], total: 0, page: 1, pageCount: 1 });
    expect(await list({ q: "hall%0" })).toMatchObject({ rooms: [], total: 0 });
    expect(await list({ q: "nothing like it" })).toMatchObject({ rooms: [], total: 0 });
  });

  it("answers a search with a NUL (%00) or other characters no room name has as a search that finds nothing", async () => {
    const cookie = await adminSignedIn();
    for (const q of ["%00", "lob%00by", "%00%00%00", "a%20b", "caf%C3%A9"]) {
      const response = await adminRooms(request(`/api/admin/rooms?q=${q}`, { cookie }));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ rooms: [], total: 0, page: 1, pageCount: 1 });
    }
    // the admin page reads its list the same way
    expect(await list({ q: "\u0000" })).toMatchObject({ rooms: [], total: 0, search: "\u0000" });
  });

  it("is what GET /api/admin/rooms answers, page by page, never every room at once", async () => {
    const cookie = await adminSignedIn();
    const api = async (query: string) => {
      const response = await adminRooms(request(`/api/admin/rooms${query}`, { cookie }));
      expect(response.status).toBe(200);
      return response.json();
    };

    const first = await api("");
    expect(first).toMatchObject({ search: "", page: 1, pageCount: 3, total: 123 });
    expect(first.rooms).toHaveLength(50);
    const third = await api("?page=3");
    expect(third).toMatchObject({ page: 3, total: 123 });
    expect(third.rooms).toHaveLength(23);
    // the same rooms, counts and page as the admin page's list, dates as ISO strings
    expect(await api("?q=hall-06&page=1")).toEqual(JSON.parse(JSON.stringify(await list({ q: "hall-06" }))));
    expect(await api("?page=99")).toMatchObject({ page: 3, pageCount: 3 });
    // a repeated parameter counts once, the first, as on /admin
    expect(await api("?page=2&page=3")).toMatchObject({ page: 2 });
  });
});
