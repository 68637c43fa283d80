import type { QueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { CLOSED_STATE, CONNECTING_STATE, type RoomState } from "./room-state";

/**
 * Reads a slice of a room's state from the query cache. The component
 * re-renders only when `isEqual` says the slice changed; the server render
 * (and the first one) see the frozen empty state.
 */
export function useRoomSelector<T>(
  client: QueryClient,
  hash: string,
  enabled: boolean,
  selector: (state: RoomState) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const last = useRef<{ value: T } | null>(null);
  const fallback = enabled ? CONNECTING_STATE : CLOSED_STATE;
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
    const server = selector(fallback);
    return [
      () => select(enabled ? ((client.getQueryCache().get(hash)?.state.data as RoomState) ?? fallback) : fallback),
      () => server,
    ];
  }, [client, hash, enabled, fallback, selector, isEqual]);
  const value = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  useEffect(() => {
    last.current = { value };
  }, [value]);
  return value;
}
