import "server-only";
import type { Presence, RoomSummary, Session } from "@herenow/db";
import { pageCount, ROOM_PAGE_SIZE, type RoomListParams } from "@/lib/room-paging";
import { database } from "./db";
import { type RoomBan, roomBans } from "./party-api";

/** One page of the admin's room list: the rooms, which page it really is, and how many rooms match. */
export interface AdminRoomList {
  rooms: RoomSummary[];
  search: string;
  page: number;
  pageCount: number;
  total: number;
}

/**
 * A page of rooms whose names contain `search`, cut in the database. A
 * page past the end (rooms were pruned since the link was made, or the
 * address was edited) gives the last page instead of an empty table.
 *
 * @example
 * const list = await adminRoomList(roomListParams({ q: "lob", page: "2" }));
 */
export async function adminRoomList(
  { search, page }: RoomListParams,
  pageSize = ROOM_PAGE_SIZE,
): Promise<AdminRoomList> {
  const { store } = database();
  const pageOf = (n: number) => store.findRooms({ search, limit: pageSize, offset: (n - 1) * pageSize });
  let found = await pageOf(page);
  let shown = page;
  const pages = pageCount(found.total, pageSize);
  if (page > pages) {
    shown = pages;
    found = await pageOf(shown);
  }
  return { rooms: found.rooms, search, page: shown, pageCount: pageCount(found.total, pageSize), total: found.total };
}

/** One room for the admin: its live connections and its latest session history. */
export interface AdminRoom {
  summary: RoomSummary | null;
  connections: Presence[];
  sessions: Session[];
}

/**
 * One room's connections (user, joined, last seen) and its last 50 sessions.
 *
 * @example
 * const { connections, sessions } = await adminRoom("lobby");
 */
export async function adminRoom(room: string, historyLimit = 50): Promise<AdminRoom> {
  const { store } = database();
  const [summary, connections, sessions] = await Promise.all([
    store.getRoom(room),
    store.getPresences(room),
    store.sessions({ room, limit: historyLimit }),
  ]);
  return { summary, connections, sessions };
}

/** A room's bans as the party lists them, or why they could not be read. */
export type AdminRoomBans = { bans: RoomBan[]; error: null } | { bans: null; error: string };

/**
 * The bans in force in a room, asked of the party (it alone keeps them);
 * a party that does not answer is reported, not thrown, so the rest of the
 * admin page still shows.
 *
 * @example
 * const { bans, error } = await adminRoomBans("lobby");
 */
export async function adminRoomBans(room: string): Promise<AdminRoomBans> {
  try {
    return { bans: await roomBans(room, { timeoutMs: 5_000 }), error: null };
  } catch (error) {
    return { bans: null, error: (error as Error).message };
  }
}
