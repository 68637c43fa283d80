/**
 * The shard a connection lands on, from its id: the same id always lands on
 * the same shard, so a reconnect under the same id finds its grace there and
 * two sockets claiming one id meet in one object (FNV-1a, 32 bits).
 *
 * @example
 * const shard = shardOf(connectionId, settings.shards); // the object `<room>~<shard>`
 */
export function shardOf(connectionId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < connectionId.length; i++) {
    hash ^= connectionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
