import type { PresenceUser, RecentUser } from "../protocol";
import type { FollowIndex } from "./follow-index";
import { type ExposeRequest, FIRST_REQUEST, type HeadPush } from "./head-messages";
import type { ShardPart } from "./shard-part";

/** What one shard's push of an interval carries for that shard alone. */
export interface ShardNews {
  followed: PresenceUser[];
  followedLeft: string[];
  /** What it is asked to expose, when that changed since it was last sent. */
  request: ExposeRequest | undefined;
  watch: HeadPush["watch"];
}

/** What a partial push carries for the whole room: the same for every shard under one number. */
type RoomNews = Pick<HeadPush, "seq" | "exact" | "head" | "headLeft" | "count" | "anonymous" | "at">;

/**
 * The shard-specific part of this interval's push, or `null` when it has none: the people it
 * follows who came, changed or left (`changed` holds the users changed since the last push), and
 * its new request and watch list changes. Takes them: each goes out once.
 */
export function takeShardNews(
  shard: number,
  part: ShardPart,
  changed: ReadonlySet<string>,
  follows: FollowIndex,
  followedUser: (userId: string) => PresenceUser | undefined,
): ShardNews | null {
  const followed: PresenceUser[] = [];
  const followedLeft: string[] = [];
  const consider = (id: string, wanted: boolean) => {
    const user = wanted ? followedUser(id) : undefined;
    if (user) followed.push(user);
    else followedLeft.push(id);
  };
  for (const [id, wanted] of part.followsChanged) consider(id, wanted);
  for (const id of changed) {
    if (!part.followsChanged.has(id) && follows.follows(shard, id)) consider(id, true);
  }
  part.followsChanged.clear();
  const request = part.requestSent ? undefined : part.request;
  part.requestSent = true;
  const watch = follows.takeWatchChanges(shard);
  const due = part.pushDue;
  part.pushDue = false;
  if (followed.length === 0 && followedLeft.length === 0 && !request && !watch && !part.fullNext && !due) return null;
  return { followed, followedLeft, request, watch };
}

/** One shard's partial push under its current number (`part.pushNo`): the room's news and its own. */
export function partialPush(part: ShardPart, news: ShardNews | null, room: RoomNews): HeadPush {
  return {
    seq: room.seq,
    no: part.pushNo,
    full: false,
    reportNo: part.reportNo,
    exact: room.exact,
    head: room.head,
    headLeft: room.headLeft,
    followed: news?.followed ?? [],
    followedLeft: news?.followedLeft ?? [],
    count: room.count,
    anonymous: room.anonymous,
    at: room.at,
    ...(news?.request && { request: news.request }),
    ...(news?.watch && { watch: news.watch }),
  };
}

/**
 * One shard's whole part of the room under its current number (its first push, or after a gap or
 * a restart): the head, every person it follows who is here, `recent`, its request and watch list.
 * What was pending for it goes with this push.
 */
export function fullPush(
  part: ShardPart | undefined,
  room: Omit<RoomNews, "headLeft">,
  own: { followed: PresenceUser[]; recent: RecentUser[]; watch: string[] },
): HeadPush {
  if (part) {
    part.fullNext = false;
    part.requestSent = true;
    part.followsChanged.clear();
  }
  return {
    ...room,
    no: part?.pushNo ?? 0,
    full: true,
    reportNo: part?.reportNo ?? 0,
    headLeft: [],
    followed: own.followed,
    followedLeft: [],
    recent: own.recent,
    request: part?.request ?? FIRST_REQUEST,
    watch: { add: own.watch, remove: [] },
  };
}
