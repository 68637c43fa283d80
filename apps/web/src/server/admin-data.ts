import "server-only";
import type { Presence, RoomSummary, Session } from "@herenow/db";
import { database } from "./db";
import { type RoomBan, roomBans } from "./party-api";

/**
 * Every room the database knows, with its counts, last activity and generation.
 *
 * @example
 * const rooms = await adminRooms();
 */
export function adminRooms(): Promise<RoomSummary[]> {
  return database().store.listRooms();
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
  const [rooms, connections, sessions] = await Promise.all([
    store.listRooms(),
    store.getPresences(room),
    store.sessions({ room, limit: historyLimit }),
  ]);
  return { summary: rooms.find((r) => r.name === room) ?? null, connections, sessions };
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
