import { fnv1a, isAgentConnectionId, shardOf } from "@herenow/core/engine";

/** The shard an object is, for the ids it may hand out: `null` for a room of one object. */
export interface ShardPlace {
  shard: number;
  shards: number;
}

/**
 * Whether an object may keep a client's `_pk` as the connection's id. A
 * shard keeps only ids that hash to itself: an id live on two shards at once
 * would be one row in the webhook's copy, taken over by whoever joined last
 * and deleted when they left.
 *
 * @example
 * if (!isOwnId(id, { shard: 3, shards: 8 })) id = freshConnectionId(id, { shard: 3, shards: 8 });
 */
export function isOwnId(connectionId: string, place: ShardPlace | null): boolean {
  // an agent member's id belongs to the room's own object, never to a socket
  if (isAgentConnectionId(connectionId)) return false;
  return place === null || shardOf(connectionId, place.shards) === place.shard;
}

/**
 * A fresh id for a socket whose `_pk` is taken or not this shard's:
 * `<_pk>.<8 hex>`, drawn again until it hashes to this shard (a few tries:
 * one in `shards` does), so a reload under it comes back to the same shard.
 *
 * @example
 * freshConnectionId("tab-1", null); // "tab-1.3f9a0c1e"
 */
export function freshConnectionId(claimed: string, place: ShardPlace | null): string {
  return ownIdFrom(claimed, place, () => crypto.randomUUID().slice(0, 8));
}

/**
 * The id a signed-in socket gets on its user's shard when its `_pk` hashes to
 * another shard (a person's tabs all go to one shard, whatever ids they
 * chose): `<_pk>.<8 hex>`, the hex from a hash of the `_pk` and the user, so
 * the same tab of the same user comes back under the same id and finds its
 * grace, and another user's socket claiming the same `_pk` gets another id.
 *
 * @example
 * placedConnectionId("tab-1", "u-ann", { shard: 3, shards: 8 }); // "tab-1.<8 hex>", the same every time
 */
export function placedConnectionId(claimed: string, userId: string, place: ShardPlace): string {
  let n = 0;
  return ownIdFrom(claimed, place, () => fnv1a(`${claimed}\n${userId}\n${n++}`).toString(16).padStart(8, "0"));
}

/** `<claimed>.<suffix()>`, drawn until it is this shard's. */
function ownIdFrom(claimed: string, place: ShardPlace | null, suffix: () => string): string {
  const base = isAgentConnectionId(claimed) ? `_${claimed}` : claimed;
  for (;;) {
    const id = `${base}.${suffix()}`;
    if (isOwnId(id, place)) return id;
  }
}
