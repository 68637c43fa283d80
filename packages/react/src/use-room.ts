import {
  CLOSED_STATE,
  createPresenceClient,
  initialState,
  type RoomState,
  type TokenGetter,
  type WebSocketClass,
} from "@herenow/client";
import type { PresenceSnapshot } from "@herenow/core";
import { hashKey, type QueryClient, QueryClientContext } from "@tanstack/react-query";
import { useContext, useEffect, useMemo } from "react";
import { PresenceContext } from "./presence-provider";
import { roomKey } from "./room-key";
import { acquireRoom, findRoom } from "./room-registry";

/** What names a room and how to reach it; anything left out comes from `<PresenceProvider>`. */
export interface RoomOptions {
  room: string;
  host?: string | undefined;
  party?: string | undefined;
  token?: string | null | undefined;
  getToken?: TokenGetter | undefined;
  heartbeatMs?: number | undefined;
  idleAfterMs?: number | undefined;
  window?: number | false | undefined;
  enabled?: boolean | undefined;
  WebSocket?: WebSocketClass | undefined;
  queryClient?: QueryClient | undefined;
  /**
   * The room as the server read it (`getRoomSnapshot` from
   * `@herenow/client/server`): rendered on the server and shown until the
   * socket's first sync, so the list never flashes empty.
   */
  initialSnapshot?: PresenceSnapshot | undefined;
}

/** The resolved room of a hook. */
export interface ResolvedRoom {
  client: QueryClient;
  hash: string;
  enabled: boolean;
  /** What the hook shows while no connection holds the room: on the server and in the first render too. */
  fallback: RoomState;
}

/**
 * Resolves a hook's room against the provider and holds the shared
 * connection while mounted. Only host, party, room and `enabled` (and the
 * QueryClient) rebuild it; tokens and callbacks are read when needed.
 */
export function useRoom(options: RoomOptions, hook: string): ResolvedRoom {
  const settings = useContext(PresenceContext);
  const contextClient = useContext(QueryClientContext);
  const host = options.host ?? settings?.host;
  if (!host) throw new Error(`${hook} needs a host: pass { host } or render a <PresenceProvider host=...> above it`);
  const client = options.queryClient ?? settings?.queryClient ?? contextClient;
  if (!client) {
    throw new Error(`${hook} needs a QueryClient: render a <QueryClientProvider> or a <PresenceProvider> above it`);
  }
  const party = options.party ?? settings?.party ?? "main";
  const { room } = options;
  const enabled = options.enabled ?? true;
  const key = roomKey(host, party, room);
  const hash = hashKey(key);
  const hasOwnToken = options.token !== undefined || options.getToken !== undefined;
  const token = hasOwnToken ? options.token : settings?.token;
  const getToken = hasOwnToken ? options.getToken : settings?.getToken;

  // biome-ignore lint/correctness/useExhaustiveDependencies: deliberately only what names the room; a new token or callback must not reconnect
  useEffect(() => {
    if (!enabled) return;
    return acquireRoom(client, key, hash, () =>
      createPresenceClient({ host, party, token, getToken, WebSocket: options.WebSocket ?? settings?.WebSocket }).room(
        room,
        {
          heartbeatMs: options.heartbeatMs,
          idleAfterMs: options.idleAfterMs,
          window: options.window,
          initialSnapshot: options.initialSnapshot,
        },
      ),
    );
  }, [client, host, party, room, enabled]);

  useEffect(() => {
    findRoom(client, hash)?.updateToken({ token, getToken });
  });

  const initial = options.initialSnapshot;
  const fallback = useMemo(() => (enabled ? initialState(initial) : CLOSED_STATE), [enabled, initial]);
  return { client, hash, enabled, fallback };
}
