import { EMPTY_SNAPSHOT, type PresenceSnapshot, type PresenceUser } from "@herenow/core";
import type { PresenceError } from "./presence-error";

/**
 * `connecting` until the first open, `open`, `reconnecting` after a drop,
 * `closed` (on purpose, disabled, kicked or closed for abuse) and
 * `unauthorized` (the server refused the token).
 *
 * @example
 * const label: Record<PresenceStatus, string> = {
 *   connecting: "Connecting…", open: "Live", reconnecting: "Reconnecting…", closed: "Offline", unauthorized: "Sign in again",
 * };
 */
export type PresenceStatus = "connecting" | "open" | "reconnecting" | "closed" | "unauthorized";

/** The pages of everyone here loaded so far (protocol 1.1 `presence:list`): a snapshot, not kept live. */
export interface RoomPages {
  users: readonly PresenceUser[];
  /** The cursor of the next page; `null` once the last page is in. */
  next: string | null;
  loading: boolean;
}

/** One room as a client sees it: the presence copy plus the connection's health (`room.getSnapshot()`). */
export interface RoomState {
  snapshot: PresenceSnapshot;
  status: PresenceStatus;
  error: PresenceError | null;
  /** `null` until the first `loadMore()`. */
  pages: RoomPages | null;
}

/** Before any connection (and on the server): one frozen value, so renders compare equal. */
export const CONNECTING_STATE: RoomState = Object.freeze({
  snapshot: EMPTY_SNAPSHOT,
  status: "connecting",
  error: null,
  pages: null,
});

/** A room that is not to connect (a hook with `enabled: false`). */
export const CLOSED_STATE: RoomState = Object.freeze({
  snapshot: EMPTY_SNAPSHOT,
  status: "closed",
  error: null,
  pages: null,
});
