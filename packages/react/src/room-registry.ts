import type { PresenceRoom, RoomState } from "@herenow/client";
import type { QueryClient } from "@tanstack/react-query";

/** One room held by the hooks of one QueryClient, and how many of them hold it. */
interface HeldRoom {
  room: PresenceRoom;
  refs: number;
  unsubscribe: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
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
  let rooms = registries.get(client);
  if (!rooms) {
    rooms = new Map();
    registries.set(client, rooms);
  }
  let held = rooms.get(hash);
  if (held) {
    clearTimeout(held.timer);
  } else {
    const room = open();
    const write = (state: RoomState) => {
      // no observers hold this query, so it must not be collected while the room is connected
      client
        .getQueryCache()
        .build(client, { queryKey: key, queryHash: hash, gcTime: Infinity, structuralSharing: false })
        .setData(state);
    };
    const unsubscribe = room.subscribe(() => write(room.getSnapshot()));
    write(room.getSnapshot());
    held = { room, refs: 0, unsubscribe, timer: undefined };
    rooms.set(hash, held);
  }
  held.refs++;
  const entry = held;
  const registry = rooms;
  return () => {
    if (--entry.refs > 0) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (entry.refs > 0) return;
      entry.unsubscribe();
      registry.delete(hash);
      const query = client.getQueryCache().find({ queryKey: key, exact: true });
      if (query) client.getQueryCache().remove(query);
    }, 0);
  };
}

/** The room a hook of this QueryClient holds for a query hash, if any. */
export function findRoom(client: QueryClient, hash: string): PresenceRoom | undefined {
  return registries.get(client)?.get(hash)?.room;
}
