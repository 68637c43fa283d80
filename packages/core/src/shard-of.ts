/**
 * FNV-1a of a text, 32 bits: a fast, stable hash for placing things on
 * shards (not for secrets).
 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The shard a key lands on: the same key always lands on the same shard. A
 * sharded room places a signed-in socket by its user's id, so all tabs of one
 * person meet on one shard, and an anonymous socket by its connection id, so
 * a reconnect under the same id finds its grace there; a connection id lives
 * only on the shard it lands on, so two sockets claiming one id meet in one
 * object.
 *
 * @example
 * const shard = shardOf(user?.id ?? connectionId, settings.shards); // the object `<room>~<shard>`
 */
export function shardOf(key: string, shards: number): number {
  return fnv1a(key) % shards;
}
