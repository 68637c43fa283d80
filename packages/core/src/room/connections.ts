import type { Clock } from "../clock";
import type { JsonObject, MemberIdentity, UserStatus } from "../protocol";

/** Why a connection stopped counting as present: every value, for schemas that check one. */
export const LEAVE_REASONS = ["left", "closed", "stale", "kicked"] as const;

/** Why a connection stopped counting as present. */
export type LeaveReason = (typeof LEAVE_REASONS)[number];

/**
 * How a socket closed without `presence:leave`: `away`, the browser's 1001 (a reload, a closed
 * tab), gets the away grace; `lost`, anything else (a crash, a lost network), the leave grace.
 */
export type CloseKind = "away" | "lost";

/** A connection-level change, for webhooks and `presence_changed`-style hooks. */
export type ConnectionEvent =
  | { type: "join"; connectionId: string; user: MemberIdentity | null; at: number }
  | { type: "leave"; connectionId: string; userId: string | null; reason: LeaveReason; at: number }
  /** Protocol 1.2: the connection's status changed (`at`: when it was applied). */
  | { type: "status"; connectionId: string; userId: string | null; status: UserStatus; at: number };

/** How to bring back a live connection after hibernation (from its socket's attachment). */
export interface RestoredConnection {
  id: string;
  user: MemberIdentity | null;
  joinedAt: number;
  lastSeen: number;
  /** When the user's stay began. */
  since: number;
  state?: JsonObject;
  stateAt?: number;
  /** Protocol 1.2: the connection's status (`active` when absent). */
  status?: UserStatus;
  /** Protocol 1.2: the last moment the connection was `active`, when it is not now. */
  activeAt?: number;
  /** A connection no max age prunes: a member without a socket, which leaves only when its owner says. */
  pinned?: boolean;
}

/** A connection closed without `presence:leave`, kept present until its grace ends. */
export interface LingeringConnection extends RestoredConnection {
  user: MemberIdentity;
  lingerUntil: number;
}

export interface RoomPresenceOptions {
  /** Connections silent for longer than this are stale (default 60 s). */
  maxAgeMs?: number;
  /**
   * The max age of a `hidden` connection, whose page's timers the browser throttles (default
   * 180 s, never less than `maxAgeMs`).
   */
  hiddenMaxAgeMs?: number;
  /** How long users who left are remembered in `recent` (default 10 minutes; 0: not at all). */
  recentMs?: number;
  /** How long a user who closed without `presence:leave` stays present (default 5 s). */
  leaveGraceMs?: number;
  /**
   * The grace of a close with 1001, "going away" (default 1.5 s, never longer than the leave
   * grace): a reload comes back within it, a closed tab is gone soon after it.
   */
  awayGraceMs?: number;
  clock?: Clock;
  /** The room's change counter to continue from (after a restart or hibernation). */
  seq?: number;
  /** Keep connection events for `takeEvents()` (off unless someone drains them). */
  recordEvents?: boolean;
}

/** A user's custom state with the moment it was set. */
export interface UserStateEntry {
  state: JsonObject;
  stateAt: number;
}

export type StateResult = "applied" | "rate_limited" | "anonymous" | "unknown";

/** What became of a `presence:status`: applied, held until the second ends (rate-limited), or for no live connection. */
export type StatusResult = "applied" | "rate_limited" | "unknown";

export interface ConnectResult {
  /** The connection was lingering in its grace and is live again: nobody saw it go. */
  reclaimed: boolean;
  /** A lingering connection of the same user that this one replaced (a page reload). */
  adopted: string | null;
}

export interface TickResult {
  /** Live connections pruned for silence: close their sockets with 4000. */
  stale: string[];
  /** Lingering connections whose grace ended. */
  expired: string[];
}
