import type { PresenceUser } from "../protocol";
import { byArrival } from "./apply";
import { sameJson } from "./diff";
import { EVERYONE, type ExposeRequest, FIRST_REQUEST, type HeadReport } from "./head-messages";

/** What the coordinator knows of one shard: its counts and the few of its users it exposed or watches. */
export interface ShardPart {
  count: number;
  anonymous: number;
  connections: number;
  /** The number of its last report applied (`HeadReport.no`), sent back with every push. */
  reportNo: number;
  /** A report was applied since its last push: it gets the next one even when nothing changed. */
  pushDue: boolean;
  /** How many of the room's first users its sockets show (`HeadReport.shows`). */
  shows: number;
  /** Its pushes are numbered one by one, so it can tell when it missed one. */
  pushNo: number;
  /** Its own people changed in a report since the last push: the room's next push needs a new number. */
  ownChanged: boolean;
  /** Its exposed and watched users, as it reported them. */
  users: Map<string, PresenceUser>;
  through: HeadReport["through"];
  more: boolean;
  /** What the coordinator last asked of it (sent with the next push when it changed). */
  request: ExposeRequest;
  requestSent: boolean;
  /** Whether its next push must be full (its first, or after a restart of either side). */
  fullNext: boolean;
  /** Interest changes of this interval: followed people it must hear of (true) or forget (false). */
  followsChanged: Map<string, boolean>;
}

/**
 * A shard's part as a full report starts it, replacing `old`: nothing known of its users yet and
 * its next push full. Its push numbers go on from the old part's, so its copy never takes a new
 * push for one it already applied, and what it was last asked stays (the full push sends it again).
 */
export function newShardPart(old: ShardPart | undefined): ShardPart {
  return {
    count: 0,
    anonymous: 0,
    connections: 0,
    reportNo: 0,
    pushDue: true,
    shows: 0,
    pushNo: old?.pushNo ?? 0,
    ownChanged: false,
    users: new Map(),
    through: null,
    more: false,
    request: old?.request ?? FIRST_REQUEST,
    requestSent: false,
    fullNext: true,
    followsChanged: new Map(),
  };
}

/** Every user the shards exposed (each up to its `through`), in arrival order: the head's candidates. */
export function exposedUsers(parts: Iterable<ShardPart>): PresenceUser[] {
  const all: PresenceUser[] = [];
  for (const part of parts) {
    const { through } = part;
    if (!through) continue;
    for (const user of part.users.values()) if (byArrival(user, through) <= 0) all.push(user);
  }
  return all.sort(byArrival);
}

/** Where the room's head stands, for what its shards are asked to expose. */
interface HeadNeed {
  /** The head is the whole room: a shard has sockets that list it. */
  everyone: boolean;
  /** The head's last user, once the head is full. */
  last: PresenceUser | undefined;
  /** The users the shards exposed, and the head's size (`RoomHeadOptions.headSize`). */
  exposed: number;
  size: number;
}

/**
 * What each shard is asked for: up to the head's last user plus the spares; while the head is
 * not full, what it exposed plus a share of the users the head lacks, doubled each time the
 * same shard is asked again (its users may be the first of the room), so a room that lost many
 * of its first users at once refills in a few intervals without every shard exposing the whole
 * head. A changed request is marked to go with the shard's next push.
 */
export function updateRequests(parts: ReadonlyMap<number, ShardPart>, need: HeadNeed, spares: number): void {
  const missing = need.size - Math.min(need.exposed, need.size);
  const share = Math.ceil((2 * missing) / Math.max(1, parts.size));
  for (const part of parts.values()) {
    const request: ExposeRequest = need.everyone
      ? EVERYONE
      : need.last
        ? { cutoff: { since: need.last.since, id: need.last.id }, extra: spares }
        : { cutoff: part.through, extra: part.more ? Math.max(spares + share, 2 * part.request.extra) : spares };
    if (sameJson(request, part.request)) continue;
    part.request = request;
    part.requestSent = false;
  }
}
