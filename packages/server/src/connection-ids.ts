import { isAgentConnectionId, shardOf } from "@herenow/core/engine";

/** The shard an object is, for the ids it may hand out: `null` for a room of one object. */
export interface ShardPlace {
  shard: number;
  shards: number;
}

/**
 * Whether an object may keep a client's `_pk` as the connection's id. A
 * shard keeps only ids that hash to itself, the shard the worker routes
 * them to: a client may reach `<room>~<k>` directly with any `_pk`, and an
 * id live on two shards at once would be one row in the webhook's copy,
 * taken over by whoever joined last and deleted when they left.
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
  for (;;) {
    const base = isAgentConnectionId(claimed) ? `_${claimed}` : claimed;
    const id = `${base}.${crypto.randomUUID().slice(0, 8)}`;
    if (isOwnId(id, place)) return id;
  }
}
