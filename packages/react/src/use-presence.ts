import type { PresenceError, PresenceStatus, RoomState, StateUpdate } from "@herenow/client";
import {
  type AppMessage,
  EMPTY_SNAPSHOT,
  type JsonObject,
  type PresenceUser,
  type RecentUser,
  type UserIdentity,
} from "@herenow/core";
import type PartySocket from "partysocket";
import { useEffect, useMemo, useRef } from "react";
import { findRoom } from "./room-registry";
import { type RoomOptions, useRoom } from "./use-room";
import { useRoomSelector } from "./use-room-selector";

/**
 * A user in the room, with the custom state typed as the app declares it
 * (`Partial`, since other clients may set any of it or none).
 *
 * @example
 * const typing = (user: PresenceMember<{ typing: boolean }>) => user.state.typing === true;
 */
export type PresenceMember<TState extends object = JsonObject> = Omit<PresenceUser, "state"> & {
  state: Partial<TState>;
};

/** Who this connection is: its id, and its user (`null` when anonymous). */
export interface PresenceSelf {
  connectionId: string;
  user: UserIdentity | null;
}

/** The options of `usePresence`: a room and how to reach it, plus liveness and messages. */
export interface UsePresenceOptions extends RoomOptions {
  /** Heartbeat interval in ms (default 20 000); a missing pong soon after one reconnects. */
  heartbeatMs?: number | undefined;
  /**
   * After this long without pointer or key input a visible page reports
   * `idle` (protocol 1.2's `presence:status`), and `active` at the next
   * input (default 60 000; 0 never). A hidden page reports `hidden`
   * whatever its input. Others see it in each user's `status` and `activeAt`.
   */
  idleAfterMs?: number | undefined;
  /**
   * In a room above the server's threshold (500 users by default), list only
   * this many users (1 to 1000, default 100) plus yourself and those you
   * `follow`, with the exact head count in `count` (protocol 1.1). `false`
   * always asks for the full list.
   */
  window?: number | false | undefined;
  /** `false` holds no connection (status `closed`). Default `true`. */
  enabled?: boolean | undefined;
  /** Application messages (types not starting with `presence:`). A new function does not reconnect. */
  onMessage?: ((message: AppMessage) => void) | undefined;
}

/** What `usePresence` returns: the room as it is now, and what this client can do in it. */
export interface UsePresenceResult<TState extends object = JsonObject> {
  /**
   * Every signed-in user once, in the order they joined, each with `status`
   * (`active`, `idle` or `hidden`: the most present of their tabs) and
   * `activeAt` (the last moment any of their tabs was active).
   */
  users: readonly PresenceMember<TState>[];
  /** `users` without this connection's own user. */
  others: readonly PresenceMember<TState>[];
  /** How many anonymous connections are in the room. */
  anonymous: number;
  /**
   * Users who left a short while ago (the room's `HERENOW_RECENT_MS`, 10
   * minutes by default), newest first, each with `leftAt`: show "Ann, 3 min
   * ago" instead of nothing. Someone who comes back leaves the list.
   */
  recent: readonly RecentUser[];
  /** How many signed-in users are in the room, listed in `users` or not. */
  count: number;
  /** `true` while the room is large and `users` is a window of it: the first users, you, those you follow. */
  windowed: boolean;
  /** Users to show live wherever they are in a large room (friends, teammates); replaces the list. */
  follow: (userIds: readonly string[]) => void;
  /** Everyone here, page by page in join order, as far as `loadMore` has loaded (a snapshot, not live). */
  listed: readonly PresenceUser[];
  /** Whether `loadMore` has more to load (`true` before the first page). */
  hasMore: boolean;
  /** Loads the next page of everyone here into `listed`. */
  loadMore: (limit?: number) => void;
  /** This connection; `null` until the first sync. */
  self: PresenceSelf | null;
  status: PresenceStatus;
  /** The last `presence:error`, refusal or close reason; cleared by the next open. */
  error: PresenceError | null;
  /** Merges into this user's custom state (coalesced to a few updates a second; restored after reconnects). */
  setState: (update: StateUpdate<TState>) => void;
  /** Sends an application message; buffered while reconnecting (and after `close()`, until `reconnect()`). */
  send: <TMessage extends { type: string }>(message: TMessage) => void;
  /** Leaves the room on purpose for every hook of this room; `reconnect()` comes back. */
  close: () => void;
  /** Connects again, after a close, a kick or a refusal too. */
  reconnect: () => void;
  /** The underlying partysocket, shared by every hook of the room; `null` while there is none. */
  socket: PartySocket | null;
}

const whole = (state: RoomState) => state;

/**
 * Who is in a room right now, live. Every hook (and `usePresenceUsers`) of
 * one QueryClient that names the same host, party and room shares one
 * socket and one copy of the room in the query cache, under
 * `["herenow", host, party, room]`; the socket closes, with a
 * `presence:leave` first, when the last of them unmounts (also on
 * `close()`, never on `pagehide`: a reload comes back under the same
 * connection id and token, kept in `sessionStorage`, within the room's away
 * grace, so nobody sees it). The first hook to open a room sets its
 * `heartbeatMs`, `idleAfterMs`, `window` and `WebSocket`; the latest render's token
 * settings are used at the next (re)connect. Only a change of host, party,
 * room or `enabled` rebuilds the socket.
 *
 * `setState` sends nothing for an anonymous connection (the protocol gives
 * it no state). Kicked (4003) and policy (4008) closes stay `closed` with an
 * `error`; a stale close (4000) reconnects. `status` becomes `unauthorized`
 * when the server refuses the connection: told by the HTTP status where the
 * WebSocket class reports it (`ws` in Node), and in browsers, which hide it,
 * by a socket that failed twice in a row at a server that answers a
 * `no-cors` HTTP request; with `getToken` a fresh token is tried once first.
 *
 * @example
 * function Lobby() {
 *   const { others, setState, status } = usePresence<{ typing: boolean }>({ room: "lobby" });
 *   return (
 *     <>
 *       <p>{status === "open" ? `${others.length} others here` : status}</p>
 *       <input onChange={(e) => setState({ typing: e.target.value !== "" })} />
 *     </>
 *   );
 * }
 */
export function usePresence<TState extends object = JsonObject>(
  options: UsePresenceOptions,
): UsePresenceResult<TState> {
  const resolved = useRoom(options, "usePresence");
  const { client, hash, enabled } = resolved;
  const state = useRoomSelector(resolved, whole);
  const onMessage = useRef(options.onMessage);
  useEffect(() => {
    onMessage.current = options.onMessage;
  });
  useEffect(() => {
    if (!enabled) return;
    return findRoom(client, hash)?.onMessage((message) => onMessage.current?.(message));
  }, [client, hash, enabled]);

  const { snapshot, status, error } = state;
  const users = snapshot.users as readonly PresenceMember<TState>[];
  const selfId = snapshot.self?.user?.id;
  const others = useMemo(() => (selfId ? users.filter((user) => user.id !== selfId) : users), [users, selfId]);
  const actions = useMemo(() => {
    const room = () => findRoom(client, hash);
    return {
      setState: (update: StateUpdate<TState>) => room()?.setState(update),
      send: (message: { type: string }) => room()?.send(message),
      close: () => room()?.close(),
      reconnect: () => room()?.reconnect(),
      follow: (userIds: readonly string[]) => room()?.follow(userIds),
      loadMore: (limit?: number) => room()?.loadMore(limit),
    };
  }, [client, hash]);
  const pages = state.pages;
  return {
    users,
    others,
    anonymous: snapshot.anonymous,
    recent: snapshot.recent,
    count: snapshot.count,
    windowed: snapshot.window !== null,
    // before the first page: the one frozen empty list, so renders compare equal
    listed: pages?.users ?? EMPTY_SNAPSHOT.users,
    hasMore: pages?.next !== null,
    self: snapshot.self,
    status,
    error,
    ...actions,
    socket: enabled ? (findRoom(client, hash)?.socket ?? null) : null,
  };
}
