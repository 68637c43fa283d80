import type { EndReason, Json } from "./schema";

/**
 * A signed-in user as the store returns them. Anonymous connections have no
 * user (`null`).
 *
 * @example
 * const users: StoredUser[] = await store.getUsers("lobby"); // [{ id: "u1", name: "Ann", info: null }]
 */
export interface StoredUser {
  id: string;
  name: string;
  info: Json | null;
}

/**
 * A signed-in user as `store.add` takes them; `info` is optional.
 *
 * @example
 * await store.add("lobby", "c-1", { id: "u1", name: "Ann", info: { colour: "teal" } });
 */
export interface StoredUserInput {
  id: string;
  name: string;
  info?: Json | null;
}

/**
 * One connection in one room (a row of `herenow_presences`).
 *
 * @example
 * const [first]: Presence[] = await store.getPresences("lobby");
 * first?.user?.name; // "Ann", or undefined for an anonymous connection
 */
export interface Presence {
  room: string;
  connectionId: string;
  user: StoredUser | null;
  joinedAt: Date;
  lastSeenAt: Date;
  generation: string | null;
}

/**
 * What `onPresenceChanged` listeners receive, like django-channels-presence's
 * `presence_changed(room, added, removed, bulk_change)` signal. Unlike the
 * original, a bulk change says who came and went: `addedAll` and
 * `removedAll` list every presence added or removed by this change (for
 * single changes, `added` / `removed` or nothing). A bulk change (a prune, a
 * webhook batch that changed several connections) has `added` and `removed`
 * null, as in Django.
 *
 * @example
 * store.onPresenceChanged(({ room, addedAll, removedAll }) => log(room, addedAll.length, removedAll.length));
 */
export interface PresenceChangedEvent {
  room: string;
  added: Presence | null;
  removed: Presence | null;
  bulkChange: boolean;
  addedAll: Presence[];
  removedAll: Presence[];
}

/**
 * A room with its counts, as `listRooms` returns it.
 *
 * @example
 * for (const r of await store.listRooms()) console.info(r.name, r.users, r.anonymous);
 */
export interface RoomSummary {
  name: string;
  /** Distinct signed-in users. */
  users: number;
  anonymous: number;
  connections: number;
  lastActivityAt: Date;
  generation: string | null;
  seq: number;
}

/**
 * One stay of one connection in a room; `leftAt` is null while it lasts.
 *
 * @example
 * const [latest]: Session[] = await store.sessions({ room: "lobby", limit: 1 });
 */
export interface Session {
  id: number;
  room: string;
  connectionId: string;
  userId: string | null;
  userName: string | null;
  joinedAt: Date;
  leftAt: Date | null;
  endReason: EndReason | null;
}

/**
 * Who was in a room at one instant, from the session history.
 *
 * @example
 * const { users, anonymous }: WhoWasHere = await store.whoWasHere("lobby", new Date("2026-11-28T12:00:00Z"));
 */
export interface WhoWasHere {
  users: { id: string; name: string | null }[];
  anonymous: number;
}
