import type { UserIdentity } from "@herenow/core";
import { shardOf } from "@herenow/core/engine";
import { Refusal } from "./auth";
import type { RoomSettings } from "./settings";

export { shardOf };

/**
 * A room too big for one object spreads its connections over shard objects
 * named `<room>~<k>` (k from 0): `~` is never part of a room name, so no
 * client-chosen room can be a shard. The room's own object (`<room>`) is its
 * coordinator: it holds no sockets, adds up the shards' reports and serves
 * the HTTP API and the webhook for the whole room.
 */
export const SHARD_SEPARATOR = "~";

/** What an object of a presence worker is, from its name. */
export type RoomRole =
  | { kind: "room"; room: string }
  | { kind: "coordinator"; room: string }
  | { kind: "shard"; room: string; shard: number };

/** Whether a room spreads over shards (`HERENOW_SHARDED_ROOMS`). */
export function isShardedRoom(room: string, settings: Pick<RoomSettings, "shardedRooms">): boolean {
  return settings.shardedRooms.some((pattern) =>
    pattern.endsWith("*") ? room.startsWith(pattern.slice(0, -1)) : room === pattern,
  );
}

/** The name of a room's shard object. */
export function shardName(room: string, shard: number): string {
  return `${room}${SHARD_SEPARATOR}${shard}`;
}

/**
 * The role of an object from its name: `null` for a shard name that does not
 * belong to a sharded room of these settings (no object is created for it).
 */
export function roleOf(name: string, settings: Pick<RoomSettings, "shardedRooms" | "shards">): RoomRole | null {
  const at = name.lastIndexOf(SHARD_SEPARATOR);
  if (at < 0) return { kind: isShardedRoom(name, settings) ? "coordinator" : "room", room: name };
  const room = name.slice(0, at);
  const index = name.slice(at + 1);
  const shard = Number(index);
  if (!/^(0|[1-9][0-9]*)$/.test(index) || shard >= settings.shards || !isShardedRoom(room, settings)) return null;
  return { kind: "shard", room, shard };
}

/**
 * The shard of a sharded room a socket belongs on: its user's, so all tabs of
 * one person meet on one shard (the user's connections, grace and state stay
 * in one object), or, for an anonymous socket, its connection id's.
 */
export function shardOfSocket(userId: string | null, connectionId: string, shards: number): number {
  return shardOf(userId ?? connectionId, shards);
}

/**
 * Refuses (400) a signed-in socket that reached a shard other than its
 * user's by the shard's name: a person on two shards would be two people.
 */
export function refuseOtherShards(role: RoomRole | null, user: UserIdentity | null, shards: number): void {
  if (role?.kind !== "shard" || !user) return;
  const own = shardOf(user.id, shards);
  if (own === role.shard) return;
  throw new Refusal(
    400,
    `this user's sockets go to shard ${own} of room ${role.room}, not ${role.shard}: connect to the room, not to a shard`,
  );
}
