import { isRoomNameFragment } from "@herenow/core";
import { type Kysely, sql } from "kysely";
import { COUNTS, PEOPLE, ROOM_COLUMNS, summarize, toRoomSummary } from "./presence-reads";
import type { RoomSummary } from "./presence-types";
import type { Database } from "./schema";

/** The most rooms one `findRooms` or `busiestRooms` call returns, so a mistyped limit cannot read the whole table. */
export const MAX_ROOM_PAGE = 500;

/**
 * What `store.findRooms` takes: part of a room's name, and which slice of
 * the matching rooms (by name) to return.
 *
 * @example
 * await store.findRooms({ search: "lob", limit: 50, offset: 50 } satisfies RoomQuery);
 */
export interface RoomQuery {
  /**
   * Rooms whose name contains this, ignoring case; `%`, `_` and `\` are plain characters. Empty = every room.
   * Any text is a search: one with a character no room name has (a space, a NUL) finds nothing.
   */
  search?: string;
  /** At most this many rooms, 1 to {@link MAX_ROOM_PAGE}. Default 50. */
  limit?: number;
  /** Skip this many matching rooms first. Default 0. */
  offset?: number;
}

/**
 * One page of rooms and how many rooms match in all, for "Showing 51–100 of 240".
 *
 * @example
 * const { rooms, total } = await store.findRooms({ search: "lob" });
 */
export interface RoomPage {
  rooms: RoomSummary[];
  total: number;
}

/** Throws a RangeError naming `name` unless `limit` is a whole number from 1 to {@link MAX_ROOM_PAGE}. */
export function checkLimit(name: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROOM_PAGE) {
    throw new RangeError(`${name}: limit must be an integer from 1 to ${MAX_ROOM_PAGE}, got ${limit}`);
  }
}

/**
 * A LIKE pattern that matches `text` anywhere, with LIKE's own wildcards in
 * it taken literally: a search for `a_b` must not find `axb`.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * A page of rooms by name with their counts, and the number of rooms that
 * match. The page is cut in the database before the presences are counted,
 * so a page costs the same however many rooms there are.
 */
export async function findRooms(db: Kysely<Database>, query: RoomQuery = {}): Promise<RoomPage> {
  const { search = "", limit = 50, offset = 0 } = query;
  checkLimit("findRooms", limit);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`findRooms: offset must be a non-negative integer, got ${offset}`);
  }
  // No room name holds such a character, and a NUL would be an error in PostgreSQL (500 on the admin page).
  if (!isRoomNameFragment(search)) return { rooms: [], total: 0 };
  const pattern = search === "" ? null : containsPattern(search);
  const matching = () => {
    const rooms = db.selectFrom("herenow_rooms");
    // the escape character is spelled out rather than left to the server's default
    return pattern === null ? rooms : rooms.where(sql<boolean>`name ilike ${pattern} escape '\\'`);
  };
  const [rooms, counted] = await Promise.all([
    summarize(db, matching().orderBy("name").limit(limit).offset(offset)),
    matching()
      .select((eb) => eb.fn.countAll().as("total"))
      .executeTakeFirstOrThrow(),
  ]);
  return { rooms, total: Number(counted.total) };
}

/**
 * The rooms with somebody in them, the most people first (signed-in users
 * plus anonymous connections), then the most recently active, then by
 * name: what a lobby shows. Only presences are read, so rooms everyone
 * left cost nothing however many there are.
 */
export async function busiestRooms(db: Kysely<Database>, limit = 50): Promise<RoomSummary[]> {
  checkLimit("busiestRooms", limit);
  const rows = await db
    .selectFrom("herenow_presences as p")
    .innerJoin("herenow_rooms as r", "r.name", "p.room")
    .select([...ROOM_COLUMNS, ...COUNTS])
    .groupBy([...ROOM_COLUMNS])
    .orderBy(PEOPLE, "desc")
    .orderBy("r.last_activity_at", "desc")
    .orderBy("r.name")
    .limit(limit)
    .execute();
  return rows.map(toRoomSummary);
}
