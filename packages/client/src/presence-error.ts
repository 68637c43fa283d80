import type { ErrorCode } from "@herenow/core";

/**
 * Why the room refused, dropped or corrected this client:
 * - the `presence:error` codes of the protocol (`invalid_message`, `state_too_large`, `rate_limited`...),
 * - `unauthorized`: the server refused the connection (see `PresenceRoom` for how that is told),
 * - `kicked` (close code 4003) and `policy` (4008): the room closed the connection and it stays closed,
 * - `token_failed`: `getToken` threw; the socket keeps retrying,
 * - `invalid_room`: the room name breaks the protocol's rule, so no connection is tried.
 *
 * @example
 * const { error } = room.getSnapshot();
 * if (error?.code === "kicked") show("You were removed from this room.");
 */
export class PresenceError extends Error {
  override readonly name = "PresenceError";
  constructor(
    readonly code: PresenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The `code` of a `PresenceError`. */
export type PresenceErrorCode = ErrorCode | "unauthorized" | "kicked" | "policy" | "token_failed" | "invalid_room";
