import type { UserStatus } from "@herenow/core";
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema";

/** The most user ids one `lastSeen` or `whereAre` call takes. */
export const MAX_USER_IDS = 1000;

/**
 * When a user was last in any room, from the session history: `here` while
 * a session of theirs is open (then `at` is the time of the read and `room`
 * one they are in), else the end of their latest session and its room.
 *
 * @example
 * const seen: LastSeen | undefined = (await store.lastSeen(["u1"])).get("u1");
 * if (seen && !seen.here) console.info(`last seen in ${seen.room} at ${seen.at.toISOString()}`);
 */
export interface LastSeen {
  at: Date;
  room: string;
  here: boolean;
}

/**
 * Each of `userIds` that has any session, with when and where they were last
 * seen; users never seen are left out. One statement whatever the number of
 * ids: the newest session per user through the (user_id, joined_at) index.
 */
export async function lastSeen(
  db: Kysely<Database>,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, LastSeen>> {
  const ids = checkUserIds("lastSeen", userIds);
  const seen = new Map<string, LastSeen>();
  if (ids.length === 0) return seen;
  const rows = await db
    .selectFrom("herenow_sessions")
    .select(["user_id", "room", "left_at"])
    .distinctOn("user_id")
    .where("user_id", "=", sql<string>`any(${ids}::text[])`)
    // an open session first (the user is here), then the latest end
    .orderBy("user_id")
    .orderBy(sql`left_at desc nulls first`)
    .orderBy("id", "desc")
    .execute();
  for (const row of rows) {
    if (row.user_id === null) continue;
    seen.set(row.user_id, { at: row.left_at ?? now, room: row.room, here: row.left_at === null });
  }
  return seen;
}

/**
 * One room a user is in: their status there (the most present of their
 * connections in it) and since when they have been there (their earliest
 * connection's join).
 *
 * @example
 * const room: UserRoom = { room: "lobby", status: "idle", since: new Date() };
 */
export interface UserRoom {
  room: string;
  status: UserStatus;
  since: Date;
}

/**
 * Where a user is: the rooms they are in, earliest first, or, when they are
 * in none, when they were last seen (null if never).
 *
 * @example
 * const ann: Whereabouts | undefined = (await store.whereAre(["u1"])).get("u1");
 * ann?.rooms.length ? ann.rooms.map((r) => r.room) : ann?.lastSeen;
 */
export interface Whereabouts {
  rooms: UserRoom[];
  lastSeen: Date | null;
}

const mergedStatus = sql<UserStatus>`case
  when bool_or(status = 'active') then 'active' when bool_or(status = 'idle') then 'idle' else 'hidden' end`;

/**
 * Where each of `userIds` is, every id in the map: one grouped read of
 * their presences through the user_id index, then {@link lastSeen} for
 * those in no room. Two statements whatever the number of ids.
 */
export async function whereAre(
  db: Kysely<Database>,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, Whereabouts>> {
  const ids = checkUserIds("whereAre", userIds);
  const found = new Map<string, Whereabouts>(ids.map((id) => [id, { rooms: [], lastSeen: null }]));
  if (ids.length === 0) return found;
  const rows = await db
    .selectFrom("herenow_presences")
    .select(["user_id", "room", sql<Date>`min(joined_at)`.as("since"), mergedStatus.as("status")])
    .where("user_id", "=", sql<string>`any(${ids}::text[])`)
    .groupBy(["user_id", "room"])
    .orderBy("user_id")
    .orderBy("since")
    .orderBy("room")
    .execute();
  for (const row of rows) {
    found.get(row.user_id ?? "")?.rooms.push({ room: row.room, status: row.status, since: new Date(row.since) });
  }
  const nowhere = ids.filter((id) => found.get(id)?.rooms.length === 0);
  if (nowhere.length === 0) return found;
  for (const [id, seen] of await lastSeen(db, nowhere, now)) {
    const entry = found.get(id);
    if (entry) entry.lastSeen = seen.at;
  }
  return found;
}

/** The distinct ids, checked: strings of 1 to 128 characters, at most {@link MAX_USER_IDS}. */
function checkUserIds(method: string, userIds: readonly string[]): string[] {
  if (!Array.isArray(userIds)) throw new TypeError(`store.${method} needs an array of user ids`);
  const ids = [...new Set(userIds)];
  if (ids.length > MAX_USER_IDS) {
    throw new RangeError(`store.${method} takes at most ${MAX_USER_IDS} user ids, got ${ids.length}: ask in pages`);
  }
  for (const id of ids) {
    if (typeof id !== "string" || id.length === 0 || id.length > 128) {
      throw new TypeError(`store.${method}: a user id is a string of 1 to 128 characters, got ${JSON.stringify(id)}`);
    }
  }
  return ids;
}
