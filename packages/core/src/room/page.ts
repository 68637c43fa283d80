import type { PresenceUser } from "../protocol";

/** One page of a room's users in join order, and the cursor of the next (`null`: the last page). */
export interface UserPage {
  users: PresenceUser[];
  next: string | null;
}

/**
 * One page of the users of a join-ordered map, after a cursor an earlier page
 * returned (`null`: from the start). The cursor names the last user of the
 * page by the start of their stay and their id, so it stays good while users
 * come and go: a page continues after that user, or, if they left, after the
 * users who arrived no later than they did. `null` for a string that is no
 * cursor. Shared by a room and the shards of a sharded room (whose pages
 * `mergePages` joins), so a cursor from any of them means the same thing.
 *
 * @example
 * const page = pageInJoinOrder(users, (u) => u.since, (u) => u, null, 100);
 */
export function pageInJoinOrder<T>(
  users: ReadonlyMap<string, T>,
  sinceOf: (entry: T) => number,
  toUser: (entry: T) => PresenceUser,
  after: string | null,
  limit: number,
): UserPage | null {
  const page: PresenceUser[] = [];
  const cursor = after === null ? null : parseCursor(after);
  if (after !== null && cursor === null) return null;
  if (cursor !== null && !users.has(cursor.id)) {
    // the cursor's user left: continue with those who arrived after them
    for (const [id, entry] of users) {
      const since = sinceOf(entry);
      if (since < cursor.since || (since === cursor.since && id <= cursor.id)) continue;
      page.push(toUser(entry));
      if (page.length > limit) break;
    }
  } else {
    let started = cursor === null;
    for (const [id, entry] of users) {
      if (!started) {
        started = id === cursor?.id;
        continue;
      }
      page.push(toUser(entry));
      if (page.length > limit) break;
    }
  }
  const more = page.length > limit;
  if (more) page.pop();
  const last = page[page.length - 1];
  return { users: page, next: more && last ? cursorOf(last) : null };
}

/** The cursor of a page that ends with `user`: `<since>:<user id>` (see `parseCursor`). */
export function cursorOf(user: PresenceUser): string {
  return `${user.since}:${user.id}`;
}

/** A `presence:page` cursor, `<since>:<user id>`, or `null` when it is not one. */
function parseCursor(cursor: string): { since: number; id: string } | null {
  const colon = cursor.indexOf(":");
  const since = Number(cursor.slice(0, colon));
  if (colon < 1 || !Number.isSafeInteger(since)) return null;
  return { since, id: cursor.slice(colon + 1) };
}

/** The first `limit` keys of a join-ordered map: O(limit), for windows. */
export function headOf(users: ReadonlyMap<string, unknown>, limit: number): string[] {
  const ids: string[] = [];
  if (limit <= 0) return ids;
  for (const id of users.keys()) {
    ids.push(id);
    if (ids.length >= limit) break;
  }
  return ids;
}
