/**
 * The herenow wire protocol, version 1.2 (version 1, 1.1's large-room windows, 1.2's status and recently left), as TypeScript types and constants.
 * The prose contract is `shared/spec/protocol.md`; these names follow it.
 */

/** A JSON value, as it travels in a text frame. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A JSON object, the shape of custom state and of `info`. */
export type JsonObject = { [key: string]: Json };

/** Who a connection belongs to, taken only from the verified token. */
export interface UserIdentity {
  id: string;
  name: string;
  info: JsonObject;
}

/**
 * A member of a room: a person (from their token) or an agent that a server put in the room.
 *
 * @example
 * const bot: MemberIdentity = { id: "bot-1", name: "Assistant", info: {}, kind: "agent" };
 */
export interface MemberIdentity extends UserIdentity {
  /**
   * `"agent"` for a member without a socket that a server put in the room over HTTP (an AI
   * assistant, a bot); absent for people, who connect with a token.
   */
  kind?: UserKind;
}

/**
 * The kinds of members a room has besides people: only agents (`PUT .../members/<userId>`).
 *
 * @example
 * const isAssistant = (user: PresenceUser) => user.kind === ("agent" satisfies UserKind);
 */
export type UserKind = "agent";

/** Protocol 1.2: every value of a connection's status, most present first. */
export const USER_STATUSES = ["active", "idle", "hidden"] as const;

/**
 * Protocol 1.2: how present a connection is. `active`: visible and in use; `idle`: visible, no
 * input for the client's idle time; `hidden`: the page is hidden (another tab in front, a
 * minimised window, a locked phone).
 */
export type UserStatus = (typeof USER_STATUSES)[number];

/** One signed-in user as the room shows them: once, however many tabs they have. */
export interface PresenceUser extends MemberIdentity {
  /** How many live connections (tabs, devices) this user has in the room. */
  connections: number;
  /** The custom state most recently set by any of the user's connections. */
  state: JsonObject;
  /** When this user's current stay in the room began, ms since the epoch. */
  since: number;
  /** Protocol 1.2: the most present status of the user's connections (`active` > `idle` > `hidden`). */
  status: UserStatus;
  /**
   * Protocol 1.2: the last moment (ms) any of the user's connections was `active` in this stay.
   * A connection counts as active until it reports otherwise, so for an `active` user this is
   * when the entry was made.
   */
  activeAt: number;
}

/** Protocol 1.2: a user who left the room a short while ago, newest first in `recent`. */
export interface RecentUser extends MemberIdentity {
  /** When the room reported the user `left`, ms since the epoch. */
  leftAt: number;
}

/** Sent once right after every (re)connect and in answer to `presence:resync`. */
export interface SyncMessage {
  type: "presence:sync";
  room: string;
  /** The number of the last diff this snapshot already includes. */
  seq: number;
  self: { connectionId: string; user: UserIdentity | null };
  /** Every user, or (with `window`) the connection's window of them, in join order. */
  users: PresenceUser[];
  anonymous: number;
  /** Version 1.1: how many users are in the room, listed or not. */
  count?: number;
  /** Version 1.1: present when the room is large and `users` is this connection's window. */
  window?: RoomWindow;
  /** Version 1.2: users who left within the room's recent time, newest first (at most 20). */
  recent?: RecentUser[];
}

/** What a windowed connection's `users` hold: the first `size` users, its own user and those it follows. */
export interface RoomWindow {
  size: number;
  follows: string[];
}

/** Every change after the sync, coalesced over a short interval (`LIMITS.diffIntervalMs`). */
export interface DiffMessage {
  type: "presence:diff";
  seq: number;
  joined: PresenceUser[];
  updated: PresenceUser[];
  left: string[];
  anonymous: number;
  /** Version 1.1: how many users are in the room. */
  count?: number;
  /** Version 1.2: when the users in `left` left (ms), on every diff whose `left` is not empty. */
  leftAt?: number;
}

/** Version 1.1, windowed connections only: the head count changed, coalesced to a few a second. */
export interface CountMessage {
  type: "presence:count";
  seq: number;
  count: number;
  anonymous: number;
}

/** Version 1.1: the answer to `presence:list`, one page of everyone here in join order. */
export interface PageMessage {
  type: "presence:page";
  /** The cursor the request asked from (`null`: the start). */
  after: string | null;
  users: PresenceUser[];
  /** The cursor of the next page, `null` after the last user. */
  next: string | null;
  count: number;
}

export interface PongMessage {
  type: "presence:pong";
}

/** The `code` of a `presence:error`. */
export type ErrorCode = "invalid_message" | "message_too_large" | "state_too_large" | "rate_limited";

export interface ErrorMessage {
  type: "presence:error";
  code: ErrorCode;
  message: string;
}

/** Everything the presence server sends on a socket (application messages aside). */
export type ServerMessage = SyncMessage | DiffMessage | CountMessage | PageMessage | PongMessage | ErrorMessage;

export interface HeartbeatMessage {
  type: "presence:heartbeat";
}

export interface StateMessage {
  type: "presence:state";
  state: JsonObject;
}

export interface ResyncMessage {
  type: "presence:resync";
}

export interface LeaveMessage {
  type: "presence:leave";
}

/** Version 1.2: this connection's status changed (the hook: on `visibilitychange` and from its idle watcher). */
export interface StatusMessage {
  type: "presence:status";
  status: UserStatus;
}

/** Version 1.1: the users this connection follows (replacing the list), shown in its window wherever they joined. */
export interface FollowMessage {
  type: "presence:follow";
  ids: string[];
}

/** Version 1.1: a page of everyone here, after a cursor from an earlier page. */
export interface ListMessage {
  type: "presence:list";
  after?: string | null | undefined;
  limit?: number | undefined;
}

/** A message whose `type` does not start with `presence:`: it belongs to the application. */
export interface AppMessage {
  type: string;
  [key: string]: Json;
}

/** Every presence message a client may send. */
export type PresenceClientMessage =
  | HeartbeatMessage
  | StateMessage
  | ResyncMessage
  | LeaveMessage
  | FollowMessage
  | ListMessage
  | StatusMessage;

/** The room's answer to `GET /parties/main/<room>`. */
export interface RoomSnapshot {
  room: string;
  seq: number;
  users: PresenceUser[];
  anonymous: number;
  connections: number;
  /** Version 1.2: users who left within the room's recent time, newest first. */
  recent?: RecentUser[];
}

/**
 * The protocol's fixed messages as the frames sent for them, serialised
 * once: a heartbeat every 20 s per client and a pong per heartbeat need no
 * JSON.stringify each time, and no package spells them by hand.
 *
 * @example
 * socket.send(FRAMES.heartbeat);
 */
export const FRAMES = {
  heartbeat: JSON.stringify({ type: "presence:heartbeat" } satisfies HeartbeatMessage),
  /**
   * The bare heartbeat, the JSON string `"heartbeat"` (django-channels-presence's): the runtime
   * answers it with `pong` itself, without waking the room (protocol 1.2). The hook sends this one.
   */
  bareHeartbeat: JSON.stringify("heartbeat"),
  pong: JSON.stringify({ type: "presence:pong" } satisfies PongMessage),
  resync: JSON.stringify({ type: "presence:resync" } satisfies ResyncMessage),
  leave: JSON.stringify({ type: "presence:leave" } satisfies LeaveMessage),
} as const;

/**
 * Version 1.2: most users a room remembers as recently left (`LIMITS.recentUsers`), a constant
 * of its own so that the client's recent list bundles no other limit.
 */
export const RECENT_USERS_MAX = 20;

/**
 * Limits and codes the protocol page fixes; clients and servers share them. Plain literals, no
 * products such as `64 * 1024`: esbuild keeps an object holding one in every bundle, used or not.
 */
export const LIMITS = {
  /** Largest accepted frame, in bytes (64 KiB, UTF-8 for text). */
  messageBytes: 65_536,
  /** Largest custom state, in bytes of its JSON (2 KiB). */
  stateBytes: 2_048,
  /** State changes applied per connection per second. */
  stateChangesPerSecond: 20,
  /** Version 1.2: status changes applied per connection per second (the last one always wins). */
  statusChangesPerSecond: 20,
  /** Version 1.2: most users a room remembers as recently left. */
  recentUsers: RECENT_USERS_MAX,
  /** Errors a connection may earn in a minute before it is closed with 4008. */
  errorsPerMinute: 20,
  /** Shortest time between two diffs, in ms: the changes made within it go out coalesced in one. */
  diffIntervalMs: 50,
  /** Largest `info` claim, in bytes of its JSON. */
  infoBytes: 1024,
  /** Furthest a token's `exp` may lie ahead, in seconds (a day). */
  maxTokenLifetimeSeconds: 86_400,
  /** Shortest `HERENOW_SECRET`, in bytes of UTF-8. */
  minSecretBytes: 32,
  /** Largest window a connection may ask for (`?window=`), in users. */
  maxWindowSize: 1000,
  /** Most users one connection may follow. */
  maxFollows: 100,
  /** Largest `presence:list` page. */
  maxPageSize: 500,
  /** Shortest time between two `presence:count` messages, in ms. */
  countIntervalMs: 250,
  /** Longest: the interval grows with the windowed connections (a tenth of a ms each) up to this. */
  countIntervalMaxMs: 1000,
} as const;

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  normal: 1000,
  /** The browser's own close when a page goes away: a reload, a closed tab, a navigation elsewhere. */
  goingAway: 1001,
  stale: 4000,
  kicked: 4003,
  policy: 4008,
} as const;

/** The smallest values the `HERENOW_*` settings accept, wherever they are read (party and web app). */
export const SETTING_MINIMUMS = {
  maxAgeMs: 1000,
  hiddenMaxAgeMs: 1000,
  leaveGraceMs: 0,
  awayGraceMs: 0,
  webhookBatchMs: 0,
  windowThreshold: 1,
  recentMs: 0,
} as const;

/** Defaults for the room settings that `HERENOW_*` variables override. */
export const DEFAULTS = {
  maxAgeMs: 60_000,
  /** Version 1.2: the max age of a `hidden` connection, whose timers the browser throttles (never less than `maxAgeMs`). */
  hiddenMaxAgeMs: 180_000,
  leaveGraceMs: 5_000,
  /** The grace of a 1001 close (a reload or a closed tab): long enough for a reload to come back. */
  awayGraceMs: 1_500,
  heartbeatMs: 20_000,
  /** Version 1.2: how long a room remembers who left (0: not at all). */
  recentMs: 600_000,
  /** Users a room lists in full to everyone; above it, connections that ask for a window get one. */
  windowThreshold: 500,
  /** The window a client gets when it asks for one without a size. */
  windowSize: 100,
  /** A `presence:list` page without a `limit`. */
  pageSize: 100,
} as const;
