import type { PresenceError, PresenceStatus, RoomState } from "@herenow/client";
import type { JsonObject } from "@herenow/core";
import { useCallback } from "react";
import type { PresenceMember, PresenceSelf } from "./use-presence";
import { type RoomOptions, useRoom } from "./use-room";
import { useRoomSelector } from "./use-room-selector";

/** The rest of a room, for selectors that need more than the users. */
export interface PresenceRoomInfo {
  anonymous: number;
  self: PresenceSelf | null;
  status: PresenceStatus;
  error: PresenceError | null;
}

/**
 * A slice of a room's users, for components that should re-render only
 * when that slice changes: `selector` picks it, `isEqual` (default
 * `Object.is`; `shallowEqual` for mapped arrays) decides whether it did.
 * It shares the room's one connection with `usePresence` and opens it if
 * nothing else has; host and token come from `<PresenceProvider>` unless
 * `room` is given as options.
 *
 * @example
 * const count = usePresenceUsers("lobby", (users) => users.length);
 * const typing = usePresenceUsers(
 *   { room: "lobby", host: "127.0.0.1:1999" },
 *   (users) => users.filter((u) => u.state.typing).map((u) => u.name),
 *   shallowEqual,
 * );
 */
export function usePresenceUsers<T, TState extends object = JsonObject>(
  room: string | RoomOptions,
  selector: (users: readonly PresenceMember<TState>[], room: PresenceRoomInfo) => T,
  isEqual?: (a: T, b: T) => boolean,
): T {
  const resolved = useRoom(typeof room === "string" ? { room } : room, "usePresenceUsers");
  const select = useCallback(
    ({ snapshot, status, error }: RoomState) =>
      selector(snapshot.users as readonly PresenceMember<TState>[], {
        anonymous: snapshot.anonymous,
        self: snapshot.self,
        status,
        error,
      }),
    [selector],
  );
  return useRoomSelector(resolved, select, isEqual);
}
