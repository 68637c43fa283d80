import type { PresenceSnapshot } from "@herenow/core";
import { CONNECTING_STATE, type RoomState } from "./room-state";
import type { TokenGetter } from "./token";
import type { TokenSettings } from "./token-source";

/** A WebSocket class for partysocket: the browser's, or `ws` in Node. */
export type WebSocketClass = new (url: string, protocols?: string | string[]) => object;

/** What one shared connection to a room is made of. */
export interface RoomConnectionOptions extends TokenSettings {
  heartbeatMs: number;
  /** After this long without input a visible page is `idle` (default 60 s; 0 never). */
  idleAfterMs?: number | undefined;
  /** The window to ask for in a large room (protocol 1.1), or `false` for the full list. */
  window?: number | false | undefined;
  WebSocket?: WebSocketClass | undefined;
}

/** How a room connects, beyond what its client names; the first `client.room(name)` call sets them. */
export interface RoomOptions {
  /** A signed token for this room; wins over the client's. `null` connects anonymously. */
  token?: string | null | undefined;
  /** Fetches this room's token; wins over the client's `getToken` and `token`. */
  getToken?: TokenGetter | undefined;
  /** Heartbeat interval in ms (default 20 000); a missing pong soon after one reconnects. */
  heartbeatMs?: number | undefined;
  /**
   * After this long without pointer or key input a visible page reports
   * `idle`, and `active` at the next input (default 60 000; 0 never). A
   * hidden page reports `hidden`. Only in a browser: elsewhere use `setStatus`.
   */
  idleAfterMs?: number | undefined;
  /**
   * In a room above the server's threshold (500 users by default), list only
   * this many users (1 to 1000, default 100) plus yourself and those you
   * `follow` (protocol 1.1). `false` always asks for the full list.
   */
  window?: number | false | undefined;
  /**
   * The room as the server last saw it (`getRoomSnapshot` from
   * `@herenow/client/server`): shown until the socket's first sync, so a
   * server-rendered list never flashes empty.
   */
  initialSnapshot?: PresenceSnapshot | undefined;
}

/** A room's starting state: empty, or what the server rendered. */
export function initialState(snapshot: PresenceSnapshot | undefined): RoomState {
  return snapshot ? Object.freeze({ ...CONNECTING_STATE, snapshot }) : CONNECTING_STATE;
}

export function invalidRoom(room: string): string {
  return `room name ${JSON.stringify(room)} is not allowed: use 1 to 64 characters from A-Z a-z 0-9 _ - .`;
}
