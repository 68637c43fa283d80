import type { UserStatus } from "@herenow/core";
import type { EndReason, Json } from "./schema";

/**
 * Protocol 1.2's status of a connection, and of a user as the most present
 * of their connections: `active` > `idle` > `hidden`.
 *
 * @example
 * const status: UserStatus = (await store.getPresences("lobby"))[0]?.status ?? "active";
 */
export type { UserStatus };

/**
 * A signed-in user as a connection carries them (`presence.user`).
 * Anonymous connections have no user (`null`).
 *
 * @example
 * const [first] = await store.getPresences("lobby");
 * const user: StoredUser | null = first?.user ?? null; // { id: "u1", name: "Ann", info: null }
 */
export interface StoredUser {
  id: string;
  name: string;
  info: Json | null;
  /** `"agent"` for a member without a socket that a server put in the room; absent for people. */
  kind?: "agent";
}

/**
 * A signed-in user present in a room, once however many connections they
 * have (protocol 1.2): `status` is the most present of their connections'
 * statuses, `activeAt` the last moment any of them was active (the time of
 * the read while one is).
 *
 * @example
 * const [ann]: PresentUser[] = await store.getUsers("lobby");
 * if (ann?.status !== "active") console.info(`${ann?.name} was last active at ${ann?.activeAt.toISOString()}`);
 */
export interface PresentUser extends StoredUser {
  status: UserStatus;
  activeAt: Date;
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
  /** `"agent"` for a member without a socket; absent for people. */
  kind?: "agent";
}

/**
 * One connection in one room (a row of `herenow_presences`).
 *
 * @example
 * const [first]: Presence[] = await store.getPresences("lobby");
 * first?.user?.name; // "Ann", or undefined for an anonymous connection
 * first?.status; // "active", "idle" or "hidden"
 */
export interface Presence {
  room: string;
  connectionId: string;
  user: StoredUser | null;
  joinedAt: Date;
  lastSeenAt: Date;
  generation: string | null;
  /** Protocol 1.2: the connection's status; a new connection starts `active`. */
  status: UserStatus;
  /**
   * Protocol 1.2: the last moment the connection was active. A connection
   * counts as active until it reports otherwise, so for an `active` one this
   * is the time of the read (the store's clock, or a batch's arrival).
   */
  activeAt: Date;
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
  /**
   * The room's `occupied` (its first signed-in user arrived) and `vacated`
   * (its last one left), in the order the room's webhook sent them; empty
   * for the store's own writes.
   */
  occupancy: OccupancyChange[];
}

/**
 * A room's user count crossing zero, from its webhook.
 *
 * @example
 * store.onPresenceChanged(({ room, occupancy }) => {
 *   for (const o of occupancy) if (o.type === "vacated") archive(room, o.at);
 * });
 */
export interface OccupancyChange {
  type: "occupied" | "vacated";
  at: Date;
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
  /** Since when the room has had a signed-in user, as its webhook said (null: nobody signed in, or not known). */
  occupiedSince: Date | null;
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
