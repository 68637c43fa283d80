import "server-only";
import { database } from "./db";

/** A room as the lobby lists it. */
export interface LobbyRoom {
  name: string;
  /** Signed-in users plus anonymous connections. */
  people: number;
  users: number;
  anonymous: number;
  /** ISO time of the room's last change. */
  lastActivityAt: string;
}

/**
 * The rooms for the lobby, busiest first, from the database copy the
 * party's webhook keeps. Only rooms with somebody in them, cut in the
 * database: a room everyone left stays there until it is pruned, and only
 * the admin page lists it.
 *
 * @example
 * const rooms = await lobbyRooms(); // [{ name: "lobby", people: 3, … }]
 */
export async function lobbyRooms(limit = 100): Promise<LobbyRoom[]> {
  const rooms = await database().store.busiestRooms(limit);
  return rooms.map((room) => ({
    name: room.name,
    people: room.users + room.anonymous,
    users: room.users,
    anonymous: room.anonymous,
    lastActivityAt: room.lastActivityAt.toISOString(),
  }));
}
