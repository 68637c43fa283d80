import type { PresenceUser, RecentUser } from "../protocol";
import type { ConnectionEvent } from "./connections";

/** Where a user stands in the room's arrival order (`byArrival`): by the start of their stay, ties by id. */
export interface UserKey {
  since: number;
  id: string;
}

/**
 * What the coordinator asks of a shard's own users: every one with a key up to `cutoff` (none
 * when `null`) and `extra` more after it, so the next in line is at the coordinator before a head
 * member leaves. A shard that never heard from its coordinator uses `FIRST_REQUEST`.
 */
export interface ExposeRequest {
  cutoff: UserKey | null;
  extra: number;
}

/** What a shard exposes before its coordinator asked for anything: two users, as spares. */
export const FIRST_REQUEST: ExposeRequest = { cutoff: null, extra: 2 };

/** What a shard's sockets show when one of them lists the whole room: every user. */
export const SHOWS_EVERYONE = Number.MAX_SAFE_INTEGER;

/** What a shard is asked for while the head is the whole room (a version 1 client is there): every user. */
export const EVERYONE: ExposeRequest = { cutoff: null, extra: SHOWS_EVERYONE };

/**
 * What a shard tells its coordinator of a room sharded by person (each user on one shard), at
 * most once per diff interval. It never lists the shard's users: only its counts, the prefix of its
 * users in arrival order the coordinator asked for (`ExposeRequest`), the users it watches for
 * followers, and the users whose stay ended (for `recent`).
 */
export interface HeadReport {
  /** Everything the coordinator needs of the shard: it replaces what the coordinator knew of it. */
  full: boolean;
  /** Signed-in users on the shard (each user is on one shard only, so the room's count is the sum). */
  count: number;
  anonymous: number;
  /** The shard's connections (signed-in and anonymous): the room's is the sum. */
  connections: number;
  /** The shard's number for this report (counting up from 1 in each run of the shard): pushes say which they include. */
  no?: number;
  /**
   * How many of the room's first users the shard's sockets show: the largest window they asked
   * for, or `SHOWS_EVERYONE` for a socket that asked for none (a version 1 client's whole list).
   * The head holds at least that many.
   */
  shows?: number;
  /** Whether the shard's own people changed: its sockets see that in the push that includes this report, under a new number. */
  ownChanged?: boolean;
  /** Exposed or watched users new to the coordinator or changed since the last report; with `full`, all of them. */
  users: PresenceUser[];
  /** Users the coordinator must forget: gone from the shard, or neither exposed nor watched any more. */
  gone: string[];
  /** Every user of the shard with a key up to this one is among those reported (`null`: none is). */
  through: UserKey | null;
  /** Whether the shard has users after `through`. */
  more: boolean;
  /** Users whose stay ended since the last report, for the room's `recent`. */
  ended: RecentUser[];
  /** Users back on the shard who left it within the recent time: they leave the room's `recent`. */
  returned: string[];
  /** Users the shard's sockets started (`add`) or stopped (`remove`) following; with `full`, `add` is all of them. */
  interest: { add: string[]; remove: string[] };
  /** Connection events since the last report, passed on to the room's webhook (none with `full`). */
  events: ConnectionEvent[];
  /** When the shard took it (ms since the epoch). */
  at: number;
}

/**
 * What the coordinator sends one shard once per interval in which anything changed, numbered
 * like a room's diffs: the head's changes (the same for every shard), the changes of the people
 * this shard's sockets follow, the counts, `recent` when it changed, and what the coordinator
 * asks of this shard when that changed. With `full` (a first push, after a gap or a restart) the
 * head and followed lists are complete and replace the shard's copy.
 */
export interface HeadPush {
  /** The room's number, as clients see it: a new one whenever a socket anywhere sees a change. */
  seq: number;
  /** This shard's push number, one more each push, so a shard can tell when it missed one. */
  no: number;
  full: boolean;
  /** The number of this shard's last report the coordinator applied (0: none of this run yet). */
  reportNo: number;
  /** Whether `head` is for sure the room's first users up to the head's size (see `RoomHead.exact`). */
  exact: boolean;
  /** Users who entered the head or changed in it, in arrival order; with `full`, the whole head. */
  head: PresenceUser[];
  /** Users who left the head (they may still be in the room). */
  headLeft: string[];
  /** People this shard follows who came or changed; with `full`, all of them who are present. */
  followed: PresenceUser[];
  /** People this shard follows who left the room, or whom it follows no more. */
  followedLeft: string[];
  /** The room's signed-in users and anonymous connections. */
  count: number;
  anonymous: number;
  /** When a user left the head or the followed people, when it happened (`leftAt` of the room's diffs). */
  at: number;
  /** The room's recently left, newest first, when it changed (always with `full`). */
  recent?: RecentUser[];
  /** What the coordinator asks of the shard's own users, when it changed (always with `full`). */
  request?: ExposeRequest;
  /** Users the shard must report whenever they come, change or go, when that changed (`add` is all of them with `full`). */
  watch?: { add: string[]; remove: string[] };
}
