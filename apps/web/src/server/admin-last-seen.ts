import "server-only";
import type { LastSeen, Presence, Session } from "@herenow/db";
import { database } from "./db";

/** Someone who was in the room and is not now, with when and where they were last seen. */
export interface LeftPerson {
  id: string;
  name: string;
  seen: LastSeen;
}

/**
 * The people of a room's recent sessions who are not in it now, newest
 * sighting first, from `store.lastSeen`: one query for all of them, and it
 * also says when one is somewhere else now.
 *
 * @example
 * const left = await peopleWhoLeft(connections, sessions);
 */
export async function peopleWhoLeft(connections: Presence[], sessions: Session[]): Promise<LeftPerson[]> {
  const here = new Set(connections.flatMap((c) => (c.user ? [c.user.id] : [])));
  const names = new Map<string, string>();
  for (const session of sessions) {
    if (session.userId && !here.has(session.userId) && !names.has(session.userId)) {
      names.set(session.userId, session.userName ?? session.userId);
    }
  }
  if (names.size === 0) return [];
  const seen = await database().store.lastSeen([...names.keys()]);
  return [...seen]
    .map(([id, at]) => ({ id, name: names.get(id) ?? id, seen: at }))
    .sort((a, b) => b.seen.at.getTime() - a.seen.at.getTime());
}
