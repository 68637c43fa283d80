import { DEFAULTS } from "@herenow/core";
import { PresenceRoom } from "./room";
import type { WebSocketClass } from "./room-options";
import { initialState, type RoomOptions } from "./room-options";
import type { TokenGetter } from "./token";

/** Where the rooms are and who this client is. */
export interface PresenceClientOptions {
  /** The party's host, such as `"herenow.<your-subdomain>.workers.dev"` or `"127.0.0.1:1999"`. */
  host: string;
  /** The party's name (default `"main"`). */
  party?: string | undefined;
  /** A signed token; none (or `null`) connects anonymously. */
  token?: string | null | undefined;
  /** Fetches a token per room; fetched again before it expires. Wins over `token`. */
  getToken?: TokenGetter | undefined;
  /** The WebSocket class (default: the global one; in Node pass `ws`'s `WebSocket`). */
  WebSocket?: WebSocketClass | undefined;
}

/** Hands out rooms; one `PresenceRoom` (and so one socket) per room name. */
export interface PresenceClient {
  readonly host: string;
  readonly party: string;
  /** The room of this name, made on first use with `options`; later calls return the same room. */
  room(name: string, options?: RoomOptions): PresenceRoom;
}

/**
 * A presence client for any framework, Node or React Native. Each room
 * name gets one `PresenceRoom`, shared by everything that asks for it; its
 * socket opens with its first subscriber.
 *
 * @example
 * import { createPresenceClient } from "@herenow/client";
 * const client = createPresenceClient({ host: "127.0.0.1:1999", getToken: ({ room }) => fetchToken(room) });
 * const lobby = client.room("lobby");
 * lobby.subscribe(() => console.log(lobby.getSnapshot().snapshot.users.map((user) => user.name)));
 */
export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  if (!options?.host) throw new TypeError("createPresenceClient needs a host, such as { host: '127.0.0.1:1999' }");
  const party = options.party ?? "main";
  const rooms = new Map<string, PresenceRoom>();
  return {
    host: options.host,
    party,
    room(name, roomOptions = {}) {
      let room = rooms.get(name);
      if (!room) {
        const own = roomOptions.token !== undefined || roomOptions.getToken !== undefined;
        room = new PresenceRoom(
          name,
          {
            host: options.host,
            party,
            room: name,
            token: own ? roomOptions.token : options.token,
            getToken: own ? roomOptions.getToken : options.getToken,
            heartbeatMs: roomOptions.heartbeatMs ?? DEFAULTS.heartbeatMs,
            idleAfterMs: roomOptions.idleAfterMs,
            window: roomOptions.window ?? DEFAULTS.windowSize,
            WebSocket: options.WebSocket,
          },
          initialState(roomOptions.initialSnapshot),
        );
        rooms.set(name, room);
      }
      return room;
    },
  };
}
