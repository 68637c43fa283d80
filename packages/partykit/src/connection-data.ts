import type { UserIdentity } from "@herenow/core";
import type * as Party from "partykit/server";

/** What herenow keeps in each connection's state (its hibernation attachment). */
export interface ConnectionData {
  herenow: 1;
  /** The presence id: the client's `_pk`, or a fresh one if that was taken by a live socket. */
  id: string;
  user: UserIdentity | null;
  joinedAt: number;
  lastSeen: number;
  since: number;
  /** Set once the connection sent `presence:leave` or was kicked, so its close is no second leave. */
  left?: true;
}

/** One connection as application code sees it. */
export interface PresenceConnection {
  connectionId: string;
  user: UserIdentity | null;
  socket: Party.Connection;
}

/** Tags let the runtime find a presence id's or a user's sockets without a scan of the room. */
export const tagOfConnection = (id: string) => `hn-c:${id}`;
export const tagOfUser = (userId: string) => `hn-u:${userId}`;

/** The herenow state of a socket, or `null` for one herenow did not set up. */
export function dataOf(socket: Party.Connection): ConnectionData | null {
  const data = socket.state as ConnectionData | null | undefined;
  return data?.herenow === 1 ? data : null;
}
