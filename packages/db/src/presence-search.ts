import { type Kysely, sql } from "kysely";
import { presenceRows } from "./presence-reads";
import { toPresence } from "./presence-rows";
import type { Presence } from "./presence-types";
import { checkLimit, containsPattern } from "./room-search";
import type { Database } from "./schema";

/**
 * What `store.findPresences` takes: a room, part of a user's name, a user id
 * or a connection id, and which slice of the matching connections (earliest
 * joined first) to return.
 *
 * @example
 * await store.findPresences({ room: "stage", search: "ann", limit: 50, offset: 50 } satisfies PresenceQuery);
 */
export interface PresenceQuery {
  room: string;
  /**
   * Connections whose user's name or id, or whose connection id, contains this, ignoring case;
   * `%`, `_` and `\` are plain characters. Empty = every connection of the room.
   */
  search?: string;
  /** At most this many connections, 1 to 500. Default 50. */
  limit?: number;
  /** Skip this many matching connections first. Default 0. */
  offset?: number;
}

/**
 * One page of a room's connections, how many match in all, and how many
 * connections each signed-in user of the page has in the room (a kick of the
 * user closes them all), matching the search or not.
 *
 * @example
 * const { presences, total, userConnections } = await store.findPresences({ room: "stage" });
 */
export interface PresencePage {
  presences: Presence[];
  total: number;
  userConnections: Record<string, number>;
}

/**
 * A page of a room's connections, earliest joined first, cut in the
 * database: an admin page of a room of 10,000 reads 50 rows, not 10,000.
 */
export async function findPresences(
  db: Kysely<Database>,
  query: PresenceQuery,
  now: Date = new Date(),
): Promise<PresencePage> {
  const { room, search = "", limit = 50, offset = 0 } = query;
  checkLimit("findPresences", limit);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`findPresences: offset must be a non-negative integer, got ${offset}`);
  }
  // a NUL would be an error in PostgreSQL, and no name or id holds one
  if (search.includes("\u0000")) return { presences: [], total: 0, userConnections: {} };
  const pattern = search === "" ? null : containsPattern(search);
  const presenceQuery = presenceRows(db).where("herenow_presences.room", "=", room);
  const filtered =
    pattern === null
      ? presenceQuery
      : presenceQuery.where(
          sql<boolean>`(herenow_presences.user_name ilike ${pattern} escape '\\'
            or herenow_presences.user_id ilike ${pattern} escape '\\'
            or herenow_presences.connection_id ilike ${pattern} escape '\\')`,
        );
  const [rows, counted] = await Promise.all([
    filtered
      .orderBy("herenow_presences.joined_at")
      .orderBy("herenow_presences.connection_id")
      .limit(limit)
      .offset(offset)
      .execute(),
    filtered
      .clearSelect()
      .select((eb) => eb.fn.countAll().as("total"))
      .executeTakeFirstOrThrow(),
  ]);
  const presences = rows.map((row) => toPresence(row, now));
  const userIds = [...new Set(presences.flatMap((presence) => (presence.user ? [presence.user.id] : [])))];
  const userConnections: Record<string, number> = {};
  if (userIds.length > 0) {
    const counts = await db
      .selectFrom("herenow_presences")
      .select(["user_id", (eb) => eb.fn.countAll().as("connections")])
      .where("room", "=", room)
      .where("user_id", "in", userIds)
      .groupBy("user_id")
      .execute();
    for (const { user_id, connections } of counts) if (user_id) userConnections[user_id] = Number(connections);
  }
  return { presences, total: Number(counted.total), userConnections };
}
