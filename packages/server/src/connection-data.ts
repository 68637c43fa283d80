import type { UserIdentity, UserStatus } from "@herenow/core";
import type { Connection } from "partyserver";

/**
 * What herenow keeps in each connection's state (its hibernation attachment).
 * The runtime refuses an attachment over 16 KiB, and a socket whose
 * attachment cannot be written can be neither touched nor marked closed, so
 * everything here is small and bounded before the upgrade (an id of at most
 * 137 characters, a token's identity of at most about 1.3 KB); what a
 * connection may grow later, such as the users it follows, is kept elsewhere.
 */
export interface ConnectionData {
  herenow: 1;
  /** The presence id: the client's `_pk`, or a fresh one if that was taken by a live socket. */
  id: string;
  user: UserIdentity | null;
  joinedAt: number;
  lastSeen: number;
  since: number;
  /** Set once the room removed the connection (leave, kick, abuse), so nothing it sends counts any more. */
  left?: true;
  /** Protocol 1.1: the window size the client asked for (`?window=`); absent for a protocol 1 client. */
  window?: number;
  /** Protocol 1.2: the connection's status (`active` when absent) and the last moment it was active. */
  status?: UserStatus;
  activeAt?: number;
}

/** One connection as application code sees it. */
export interface PresenceConnection {
  connectionId: string;
  /** The verified identity from the token, `null` for an anonymous connection. */
  user: UserIdentity | null;
  socket: Connection;
}

/**
 * Tags let the runtime find a presence id's or a user's sockets without a scan of the room.
 * Both carry a prefix the other cannot have, and lookups still check the attachment, since a
 * client picks its own `_pk` and PartyServer also files every socket under its bare id.
 */
export const tagOfConnection = (id: string) => `hn-c:${id}`;
export const tagOfUser = (userId: string) => `hn-u:${userId}`;

/** The herenow state of a socket, or `null` for one herenow did not set up. */
export function dataOf(socket: Connection): ConnectionData | null {
  const data = socket.state as ConnectionData | null | undefined;
  return data?.herenow === 1 ? data : null;
}
