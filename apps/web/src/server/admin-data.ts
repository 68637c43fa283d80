import type { Presence, RoomSummary, Session } from "@herenow/db";
import { database } from "./db";

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
