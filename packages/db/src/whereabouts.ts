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

/** The distinct ids, checked: strings of 1 to 128 characters, at most {@link MAX_USER_IDS}. */
export function checkUserIds(method: string, userIds: readonly string[]): string[] {
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
