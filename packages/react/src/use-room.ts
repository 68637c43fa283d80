import { DEFAULTS } from "@herenow/core";
import { hashKey, type QueryClient, QueryClientContext } from "@tanstack/react-query";
import { useContext, useEffect } from "react";
import { PresenceContext } from "./presence-provider";
import { acquireRoom, findRoom, type WebSocketClass } from "./room-connection";
import { roomKey } from "./room-state";
import type { TokenGetter } from "./token";

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
}

/** The resolved room of a hook. */
export interface ResolvedRoom {
  client: QueryClient;
  hash: string;
  enabled: boolean;
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
  const hash = hashKey(roomKey(host, party, room));
  const hasOwnToken = options.token !== undefined || options.getToken !== undefined;
  const token = hasOwnToken ? options.token : settings?.token;
  const getToken = hasOwnToken ? options.getToken : settings?.getToken;

  // biome-ignore lint/correctness/useExhaustiveDependencies: deliberately only what names the room; a new token or callback must not reconnect
  useEffect(() => {
    if (!enabled) return;
    const connection = acquireRoom(client, {
      host,
      party,
      room,
      token,
      getToken,
      heartbeatMs: options.heartbeatMs ?? DEFAULTS.heartbeatMs,
      idleAfterMs: options.idleAfterMs,
      window: options.window ?? DEFAULTS.windowSize,
      WebSocket: options.WebSocket ?? settings?.WebSocket,
    });
    return () => connection.release();
  }, [client, host, party, room, enabled]);

  useEffect(() => {
    findRoom(client, hash)?.update({ token, getToken });
  });

  return { client, hash, enabled };
}
