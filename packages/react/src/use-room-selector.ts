import type { RoomState } from "@herenow/client";
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import type { ResolvedRoom } from "./use-room";

/**
 * Reads a slice of a room's state from the query cache. The component
 * re-renders only when `isEqual` says the slice changed; the server render
 * (and the first one) see the hook's fallback: the frozen empty state, or
 * the `initialSnapshot` the server read.
 */
export function useRoomSelector<T>(
  { client, hash, enabled, fallback }: ResolvedRoom,
  selector: (state: RoomState) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const last = useRef<{ value: T } | null>(null);
  const subscribe = useCallback(
    (onChange: () => void) =>
      client.getQueryCache().subscribe((event) => {
        if (event.query.queryHash === hash) onChange();
      }),
    [client, hash],
  );
  const [getSnapshot, getServerSnapshot] = useMemo(() => {
    let seen: RoomState | undefined;
    let selected: T;
    const select = (state: RoomState): T => {
      if (state === seen) return selected;
      const next = selector(state);
      const previous = seen === undefined ? last.current : { value: selected };
      seen = state;
      selected = previous && isEqual(previous.value, next) ? previous.value : next;
      return selected;
    };
    return [
      () => select(enabled ? ((client.getQueryCache().get(hash)?.state.data as RoomState) ?? fallback) : fallback),
      () => select(fallback),
    ];
  }, [client, hash, enabled, fallback, selector, isEqual]);
  const value = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  useEffect(() => {
    last.current = { value };
  }, [value]);
  return value;
}
