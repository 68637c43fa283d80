// The admin page of a big room lists its connections 50 at a time, searchable, like the
// room list: it used to render every connection (2,000 rows of four controls each, every 3 s).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as adminRoomApi } from "@/app/api/admin/rooms/[room]/route";
import { roomListParams } from "@/lib/room-paging";
import { adminRoom } from "@/server/admin-data";
import { closeDatabase, database } from "@/server/db";
import { adminSignedIn, request } from "./support";

const ROOM = "big-hall";
const T0 = new Date("2026-12-05T12:00:00Z").getTime();
/** c-000 … c-119, joined in that order; every third a guest, u-0 … u-79 signed in once each but u-7 (three tabs). */
const connections = Array.from({ length: 120 }, (_, i) => {
  const guest = i % 3 === 2;
  const userId = i === 30 || i === 90 ? "u-7" : `u-${i}`;
  return {
    room: ROOM,
    connection_id: `c-${String(i).padStart(3, "0")}`,
    user_id: guest ? null : userId,
    user_name: guest ? null : userId === "u-7" ? "Seven" : `Person ${i}`,
    joined_at: new Date(T0 + i * 1000),
    last_seen_at: new Date(T0 + i * 1000),
  };
});
const ids = (page: { connections: { connectionId: string }[] }) => page.connections.map((c) => c.connectionId);
const page = (query: Record<string, string>) => adminRoom(ROOM, roomListParams(query));

afterAll(closeDatabase);

beforeAll(async () => {
  const { db } = database();
  await db.insertInto("herenow_rooms").values({ name: ROOM }).execute();
  await db.insertInto("herenow_presences").values(connections).execute();
});

describe("the admin page of a big room", () => {
  it("lists 120 connections 50 at a time, earliest first, with the total", async () => {
    const first = await page({});
    expect(first).toMatchObject({ page: 1, pageCount: 3, total: 120, search: "" });
    expect(ids(first)).toEqual(connections.slice(0, 50).map((c) => c.connection_id));
    const third = await page({ page: "3" });
    expect(ids(third)).toEqual(connections.slice(100).map((c) => c.connection_id));
    // past the end: the last page, not an empty table
    expect(await page({ page: "7" })).toMatchObject({ page: 3, pageCount: 3 });
  });

  it("finds connections by name, user id or connection id", async () => {
    expect(ids(await page({ q: "seven" }))).toEqual(["c-007", "c-030", "c-090"]);
    expect(ids(await page({ q: "C-11" }))).toEqual(connections.slice(110).map((c) => c.connection_id));
    expect(await page({ q: "nobody at all" })).toMatchObject({ connections: [], total: 0, page: 1, pageCount: 1 });
  });

  it("counts every connection of a listed user, also those on other pages, for the kick's question", async () => {
    const first = await page({});
    expect(first.userConnections["u-7"]).toBe(3);
    expect(first.userConnections["u-0"]).toBe(1);
  });

  it("is what GET /api/admin/rooms/<room> answers, page by page", async () => {
    const cookie = await adminSignedIn();
    const api = async (query: string) => {
      const response = await adminRoomApi(request(`/api/admin/rooms/${ROOM}${query}`, { cookie }), {
        params: Promise.resolve({ room: ROOM }),
      });
      expect(response.status).toBe(200);
      return response.json();
    };
    const second = await api("?page=2");
    expect(second).toMatchObject({ page: 2, pageCount: 3, total: 120 });
    expect(second.connections).toHaveLength(50);
    // an active connection's activeAt is the time of the read: the two reads are milliseconds apart
    const settled = (answer: { connections: { activeAt?: unknown }[] }) => ({
      ...answer,
      connections: answer.connections.map(({ activeAt: _, ...connection }) => connection),
    });
    expect(settled(await api("?q=seven"))).toEqual(settled(JSON.parse(JSON.stringify(await page({ q: "seven" })))));
  });
});
