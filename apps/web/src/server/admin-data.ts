import "server-only";
import type { Presence, RoomSummary, Session } from "@herenow/db";
import { CONNECTION_PAGE_SIZE, pageCount, ROOM_PAGE_SIZE, type RoomListParams } from "@/lib/room-paging";
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
 * Which page a list shows: `page`, or the last one when `page` is past the
 * end (rooms were pruned or people left since the link was made, or the
 * address was edited), rather than an empty table.
 */
async function pageOrLast<T extends { total: number }>(
  page: number,
  pageSize: number,
  read: (page: number) => Promise<T>,
): Promise<{ found: T; page: number; pageCount: number }> {
  let found = await read(page);
  let shown = page;
  if (page > pageCount(found.total, pageSize)) {
    shown = pageCount(found.total, pageSize);
    found = await read(shown);
  }
  return { found, page: shown, pageCount: pageCount(found.total, pageSize) };
}

/**
 * A page of rooms whose names contain `search`, cut in the database; a
 * page past the end gives the last page.
 *
 * @example
 * const list = await adminRoomList(roomListParams({ q: "lob", page: "2" }));
 */
export async function adminRoomList(
  { search, page }: RoomListParams,
  pageSize = ROOM_PAGE_SIZE,
): Promise<AdminRoomList> {
  const { store } = database();
  const shown = await pageOrLast(page, pageSize, (n) =>
    store.findRooms({ search, limit: pageSize, offset: (n - 1) * pageSize }),
  );
  return { rooms: shown.found.rooms, search, page: shown.page, pageCount: shown.pageCount, total: shown.found.total };
}

/**
 * One room for the admin: a page of its live connections (50, earliest
 * first, `search` in a user's name or id or the connection id), how many
 * connections each listed user has in the room, and its latest session history.
 */
export interface AdminRoom {
  summary: RoomSummary | null;
  connections: Presence[];
  /** Each listed user's connections in the whole room: a kick of the user closes them all. */
  userConnections: Record<string, number>;
  search: string;
  page: number;
  pageCount: number;
  /** Connections that match `search`, on every page. */
  total: number;
  sessions: Session[];
}

/**
 * One room's connections, a page at a time cut in the database (a room of
 * 10,000 renders 50 rows), and its last 50 sessions; a page past the end
 * gives the last page.
 *
 * @example
 * const { connections, total, sessions } = await adminRoom("lobby", roomListParams({ q: "ann" }));
 */
export async function adminRoom(
  room: string,
  { search, page }: RoomListParams = { search: "", page: 1 },
  pageSize = CONNECTION_PAGE_SIZE,
  historyLimit = 50,
): Promise<AdminRoom> {
  const { store } = database();
  const [summary, shown, sessions] = await Promise.all([
    store.getRoom(room),
    pageOrLast(page, pageSize, (n) =>
      store.findPresences({ room, search, limit: pageSize, offset: (n - 1) * pageSize }),
    ),
    store.sessions({ room, limit: historyLimit }),
  ]);
  const { presences, total, userConnections } = shown.found;
  return {
    summary,
    connections: presences,
    userConnections,
    search,
    page: shown.page,
    pageCount: shown.pageCount,
    total,
    sessions,
  };
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
