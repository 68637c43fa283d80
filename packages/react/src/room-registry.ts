import type { PresenceRoom } from "@herenow/client";
import type { QueryClient } from "@tanstack/react-query";

/** One room held by the hooks of one QueryClient; `hold` counts one more hook and returns its release. */
interface HeldRoom {
  room: PresenceRoom;
  hold: () => () => void;
}

const registries = new WeakMap<QueryClient, Map<string, HeldRoom>>();

/**
 * The room for a query hash, opened by `open` on first use and mirrored into
 * the query cache under `key` (for devtools and `getQueryData`) while held.
 * Pair every call with one call of the function it returns; the last one
 * lets the room go a tick later, so a strict-mode remount keeps the socket,
 * and takes the room's copy out of the cache.
 */
export function acquireRoom(
  client: QueryClient,
  key: readonly unknown[],
  hash: string,
  open: () => PresenceRoom,
): () => void {
  const registry = registries.get(client) ?? new Map<string, HeldRoom>();
  registries.set(client, registry);
  let held = registry.get(hash);
  if (!held) {
    const room = open();
    const cache = client.getQueryCache();
    // no observers hold this query, so it must not be collected while the room is connected
    const write = () =>
      cache
        .build(client, { queryKey: key, queryHash: hash, gcTime: Infinity, structuralSharing: false })
        .setData(room.getSnapshot());
    const unsubscribe = room.subscribe(write);
    write();
    let refs = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const release = () => {
      if (--refs > 0) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (refs > 0) return;
        unsubscribe();
        registry.delete(hash);
        const query = cache.find({ queryKey: key, exact: true });
        if (query) cache.remove(query);
      }, 0);
    };
    held = {
      room,
      hold: () => {
        refs++;
        clearTimeout(timer);
        return release;
      },
    };
    registry.set(hash, held);
  }
  return held.hold();
}

/** The room a hook of this QueryClient holds for a query hash, if any. */
export function findRoom(client: QueryClient, hash: string): PresenceRoom | undefined {
  return registries.get(client)?.get(hash)?.room;
}
