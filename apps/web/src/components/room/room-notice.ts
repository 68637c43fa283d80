import type { PresenceError, PresenceStatus } from "@herenow/react";
import type { TokenRefusedError } from "@/lib/presence-token-client";
import type { ConnectionProblem } from "./connection-status";

/**
 * The one banner the room page shows about its connection:
 * - `banned`: the token route refused this user for the room;
 * - `kicked`: an administrator closed the connection, and the token route
 *   found no ban behind it;
 * - `problem`: a `ConnectionProblem` keeps the visitor out;
 * - `disconnected`: the connection closed for another reason.
 */
export type RoomNotice = "banned" | "kicked" | "problem" | "disconnected";

/**
 * Which banner the room shows, if any, and whether its empty state may say
 * who is here and invite others: only while the page is in the room, since
 * "Only you are here" beside "you were removed" contradicts the screen.
 *
 * A kick that comes with a ban shows the ban at once: the party sets the ban
 * before it closes the sockets, so the page asks the token route after a kick
 * and shows neither banner until it has answered (`kickChecked`), rather than
 * "Rejoin" for a room that would refuse the user.
 *
 * @example
 * const { notice, invite } = roomNotice({ status, error, refusal, problem, kickChecked });
 */
export function roomNotice({
  status,
  error,
  refusal,
  problem,
  kickChecked,
}: {
  status: PresenceStatus;
  error: PresenceError | null;
  refusal: TokenRefusedError | null;
  problem: ConnectionProblem | null;
  /** The token route has answered since the kick. */
  kickChecked: boolean;
}): { notice: RoomNotice | null; invite: boolean } {
  const notice = whichNotice(status, error, refusal, problem, kickChecked);
  return { notice, invite: status === "open" && notice === null };
}

function whichNotice(
  status: PresenceStatus,
  error: PresenceError | null,
  refusal: TokenRefusedError | null,
  problem: ConnectionProblem | null,
  kickChecked: boolean,
): RoomNotice | null {
  if (refusal) return "banned";
  if (status === "closed" && error?.code === "kicked") return kickChecked ? "kicked" : null;
  if (problem) return "problem";
  if (status === "closed") return "disconnected";
  return null;
}
