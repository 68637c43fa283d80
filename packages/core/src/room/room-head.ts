import { type Clock, systemClock } from "../clock";
import { DEFAULTS, type PresenceUser, type RecentUser } from "../protocol";
import { shardOf } from "../shard-of";
import { byArrival } from "./apply";
import type { ConnectionEvent } from "./connections";
import { sameJson } from "./diff";
import { FollowIndex } from "./follow-index";
import { type ExposeRequest, FIRST_REQUEST, type HeadPush, type HeadReport } from "./head-messages";
import { RecentList } from "./recent-list";
import type { ShardUser } from "./shard-totals";

/** What the coordinator knows of one shard: its counts and the few of its users it exposed or watches. */
interface ShardPart {
  count: number;
  anonymous: number;
  /** Its exposed and watched users, as it reported them. */
  users: Map<string, ShardUser>;
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

export interface RoomHeadOptions {
  /** How many users the head holds: the largest window, or the window threshold if that is more. */
  headSize: number;
  /** The shard objects of the room: a followed person is watched on `shardOf(id, shards)`. */
  shards: number;
  /** Users each shard exposes after the cutoff, so the next in line is already here (2). */
  spares?: number;
  /** The shard that holds a user when it is not `shardOf(id, shards)` (the coordinator's own agents, -1). */
  ownerOf?: (userId: string) => number;
  seq?: number;
  recentMs?: number;
  clock?: Clock;
}

const show = ({ stateAt: _s, identityAt: _i, ...user }: ShardUser): PresenceUser => user;

/**
 * The coordinator of a room sharded by person, which keeps no list of the room: each shard's
 * counts (the room's are their sums, exact since a user is on one shard), the head (the first
 * `headSize` users by arrival, merged from the prefix each shard exposes up to the cutoff the
 * coordinator gave it, plus spares), the people shards' sockets follow with their entries
 * (watched on the followed person's shard), the recently left, and the diff number. It holds about
 * `headSize + spares × shards` users plus the followed ones. Pure: no I/O, time from the clock.
 *
 * @example
 * const head = new RoomHead({ headSize: 1000, shards: 128 });
 * if (head.apply(3, report) === "needs-full") askForFullReport(3);
 * for (const [shard, push] of head.takePushes()) send(shard, push);
 */
export class RoomHead {
  private readonly parts = new Map<number, ShardPart>();
  private readonly follows: FollowIndex;
  private readonly recentList: RecentList;
  private readonly clock: Clock;
  private readonly spares: number;
  /** Users reported, changed or gone since the last push. */
  private readonly changed = new Set<string>();
  private ended: RecentUser[] = [];
  private returned: string[] = [];
  private events: ConnectionEvent[] = [];
  /** The head as the last push published it, in arrival order. */
  private published = new Map<string, PresenceUser>();
  private publishedCount = 0;
  private publishedAnonymous = 0;
  private recentChanged = false;
  private seqNumber: number;
  /** The exposed users in arrival order, until a report changes them. */
  private sorted: ShardUser[] | null = null;

  constructor(private readonly options: RoomHeadOptions) {
    this.clock = options.clock ?? systemClock;
    this.recentList = new RecentList(options.recentMs ?? DEFAULTS.recentMs);
    this.spares = options.spares ?? FIRST_REQUEST.extra;
    this.follows = new FollowIndex(options.ownerOf ?? ((id) => shardOf(id, options.shards)));
    this.seqNumber = options.seq ?? 0;
  }

  get seq(): number {
    return this.seqNumber;
  }

  /** The room's signed-in users: the sum of the shards' counts. */
  get userCount(): number {
    return this.total((part) => part.count);
  }

  get anonymous(): number {
    return this.total((part) => part.anonymous);
  }

  /** The users the coordinator holds (exposed or watched): what its memory grows with. */
  get knownUsers(): number {
    return this.total((part) => part.users.size);
  }

  /** The head as the last push published it, in arrival order. */
  head(): PresenceUser[] {
    return [...this.published.values()];
  }

  /** A followed person's entry, while they are present and followed. */
  followedUser(userId: string): PresenceUser | undefined {
    if (!this.follows.has(userId)) return undefined;
    const user = this.parts.get(this.follows.ownerOf(userId))?.users.get(userId);
    return user && show(user);
  }

  /** The room's recently left, newest first. */
  recent(): RecentUser[] {
    return this.recentList.list(this.clock.now());
  }

  /**
   * Whether the head is the room's first `headSize` users for sure: every shard with users after
   * what it exposed exposed at least up to the head's last user. When not, the next push asks
   * those shards for more, so the head is exact again an interval or two after the last change.
   */
  get exact(): boolean {
    const { full, last } = this.headBounds(this.candidates());
    for (const part of this.parts.values()) {
      if (part.more && (!full || !last || !part.through || byArrival(part.through, last) < 0)) return false;
    }
    return true;
  }

  /** Applies one shard's report; a partial one from a shard it has no full report from is refused. */
  apply(shard: number, report: HeadReport): "applied" | "needs-full" {
    let part = this.parts.get(shard);
    if (!part && !report.full) return "needs-full";
    if (!part || report.full) {
      const old = part;
      part = {
        count: 0,
        anonymous: 0,
        users: new Map(),
        through: null,
        more: false,
        request: old?.request ?? FIRST_REQUEST,
        requestSent: false,
        fullNext: true,
        followsChanged: new Map(),
      };
      this.parts.set(shard, part);
      // what it reported before and does not report now is gone
      const now = new Set(report.users.map((user) => user.id));
      for (const id of old?.users.keys() ?? []) if (!now.has(id)) this.forget(old as ShardPart, id);
      const interest = new Set(report.interest.add);
      for (const id of [...this.follows.followedBy(shard)]) if (!interest.has(id)) this.unfollow(shard, id);
    }
    if (report.full || report.users.length > 0 || report.gone.length > 0 || !sameJson(part.through, report.through)) {
      this.sorted = null;
    }
    for (const id of report.gone) this.forget(part, id);
    for (const user of report.users) {
      part.users.set(user.id, user);
      this.changed.add(user.id);
    }
    part.count = report.count;
    part.anonymous = report.anonymous;
    part.through = report.through;
    part.more = report.more;
    for (const id of report.interest.remove) this.unfollow(shard, id);
    for (const id of report.interest.add) this.follow(shard, part, id);
    this.returned.push(...report.returned);
    this.ended.push(...report.ended);
    if (!report.full) this.events.push(...report.events);
    return "applied";
  }

  /**
   * A shard that stopped answering (silent after the coordinator's restart): its counts go, the
   * users the coordinator knew of it leave (head, followers, `recent`). Its connections' leave
   * events are not known here (no connection is kept): the shard's own storage has them.
   */
  dropShard(shard: number, at: number): void {
    const part = this.parts.get(shard);
    if (!part) return;
    for (const [id, user] of part.users) {
      this.forget(part, id);
      this.ended.push({ id, name: user.name, info: user.info, ...(user.kind && { kind: user.kind }), leftAt: at });
    }
    for (const id of [...this.follows.followedBy(shard)]) this.unfollow(shard, id);
    this.parts.delete(shard);
    this.sorted = null;
  }

  /** Brings back the recent list kept in storage (after the coordinator's restart), keeping its order. */
  restoreRecent(entries: readonly RecentUser[]): void {
    this.recentList.replace(entries);
  }

  /** Connection events since the last call, for the webhook. */
  takeEvents(): ConnectionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /**
   * The push of this interval for every shard that reported, numbered with the next `seq`, or
   * an empty map when nothing changed for anyone. Every shard gets the push of every number, so a
   * shard's copy that sees a number skipped knows it missed one (`snapshotFor`).
   */
  takePushes(): Map<number, HeadPush> {
    const now = this.clock.now();
    this.applyRecent();
    const candidates = this.candidates();
    const head = candidates.slice(0, this.options.headSize);
    const headIds = new Set(head.map((user) => user.id));
    const headUsers: PresenceUser[] = [];
    for (const user of head) {
      const before = this.published.get(user.id);
      if (!before || (this.changed.has(user.id) && !sameJson(before, show(user)))) headUsers.push(show(user));
    }
    const headLeft = [...this.published.keys()].filter((id) => !headIds.has(id));
    const headChanged = headUsers.length > 0 || headLeft.length > 0;
    if (headChanged) this.published = new Map(head.map((user) => [user.id, show(user)]));
    this.updateRequests(candidates);
    const count = this.userCount;
    const anonymous = this.anonymous;
    // every push carries `recent` when it changed, so a newcomer's sync or a resync at any shard is exact
    const recentDue = this.recentChanged;
    const roomChanged =
      headChanged || recentDue || count !== this.publishedCount || anonymous !== this.publishedAnonymous;
    const pushes = new Map<number, HeadPush>();
    const parts = [...this.parts].map(([shard, part]) => ({ shard, part, push: this.pushFor(shard, part) }));
    const anyNews = roomChanged || parts.some(({ push }) => push !== null);
    this.changed.clear();
    if (!anyNews) return pushes;
    this.seqNumber++;
    this.publishedCount = count;
    this.publishedAnonymous = anonymous;
    const recent = recentDue ? { recent: this.recent() } : {};
    this.recentChanged = false;
    for (const { shard, part, push } of parts) {
      if (part.fullNext) {
        pushes.set(shard, this.snapshotFor(shard));
        continue;
      }
      pushes.set(shard, {
        seq: this.seqNumber,
        full: false,
        head: headUsers,
        headLeft,
        followed: push?.followed ?? [],
        followedLeft: push?.followedLeft ?? [],
        count,
        anonymous,
        at: now,
        ...recent,
        ...(push?.request && { request: push.request }),
        ...(push?.watch && { watch: push.watch }),
      });
    }
    return pushes;
  }

  /** Everything one shard's copy needs, under the current number: its first push, or after a gap. */
  snapshotFor(shard: number): HeadPush {
    const part = this.parts.get(shard);
    const followed: PresenceUser[] = [];
    for (const id of this.follows.followedBy(shard)) {
      const user = this.followedUser(id);
      if (user) followed.push(user);
    }
    if (part) {
      part.fullNext = false;
      part.requestSent = true;
      part.followsChanged.clear();
    }
    return {
      seq: this.seqNumber,
      full: true,
      head: [...this.published.values()],
      headLeft: [],
      followed,
      followedLeft: [],
      count: this.publishedCount,
      anonymous: this.publishedAnonymous,
      at: this.clock.now(),
      recent: this.recent(),
      request: part?.request ?? FIRST_REQUEST,
      watch: { add: this.follows.takeWatchList(shard), remove: [] },
    };
  }

  /** The shard-specific part of this interval's push, or `null` when it has none. */
  private pushFor(shard: number, part: ShardPart) {
    const followed: PresenceUser[] = [];
    const followedLeft: string[] = [];
    const consider = (id: string, wanted: boolean) => {
      const user = wanted ? this.followedUser(id) : undefined;
      if (user) followed.push(user);
      else followedLeft.push(id);
    };
    for (const [id, wanted] of part.followsChanged) consider(id, wanted);
    for (const id of this.changed) {
      if (!part.followsChanged.has(id) && this.follows.follows(shard, id)) consider(id, true);
    }
    part.followsChanged.clear();
    const request = part.requestSent ? undefined : part.request;
    part.requestSent = true;
    const watch = this.follows.takeWatchChanges(shard);
    if (followed.length === 0 && followedLeft.length === 0 && !request && !watch && !part.fullNext) return null;
    return { followed, followedLeft, request, watch };
  }

  private total(of: (part: ShardPart) => number): number {
    let total = 0;
    for (const part of this.parts.values()) total += of(part);
    return total;
  }

  /** Every exposed user (up to each shard's `through`), in arrival order: rebuilt only when a report changed users. */
  private candidates(): ShardUser[] {
    if (this.sorted) return this.sorted;
    const all: ShardUser[] = [];
    for (const part of this.parts.values()) {
      const { through } = part;
      if (!through) continue;
      for (const user of part.users.values()) if (byArrival(user, through) <= 0) all.push(user);
    }
    this.sorted = all.sort(byArrival);
    return this.sorted;
  }

  private headBounds(candidates: ShardUser[]): { full: boolean; last: ShardUser | undefined } {
    const full = candidates.length >= this.options.headSize;
    return { full, last: full ? candidates[this.options.headSize - 1] : undefined };
  }

  /**
   * What each shard is asked for: up to the head's last user plus the spares; while the head is
   * not full, what it exposed plus a share of the users the head lacks, doubled each time the
   * same shard is asked again (its users may be the first of the room), so a room that lost many
   * of its first users at once refills in a few intervals without every shard exposing the whole head.
   */
  private updateRequests(candidates: ShardUser[]): void {
    const { full, last } = this.headBounds(candidates);
    const missing = this.options.headSize - Math.min(candidates.length, this.options.headSize);
    const share = Math.ceil((2 * missing) / Math.max(1, this.parts.size));
    for (const part of this.parts.values()) {
      const request: ExposeRequest =
        full && last
          ? { cutoff: { since: last.since, id: last.id }, extra: this.spares }
          : {
              cutoff: part.through,
              extra: part.more ? Math.max(this.spares + share, 2 * part.request.extra) : this.spares,
            };
      if (sameJson(request, part.request)) continue;
      part.request = request;
      part.requestSent = false;
    }
  }

  private applyRecent(): void {
    if (this.recentList.merge(this.returned, this.ended)) this.recentChanged = true;
    this.returned = [];
    this.ended = [];
  }

  private forget(part: ShardPart, id: string): void {
    if (!part.users.delete(id)) return;
    this.changed.add(id);
  }

  private follow(shard: number, part: ShardPart, id: string): void {
    this.follows.follow(shard, id);
    part.followsChanged.set(id, true);
  }

  private unfollow(shard: number, id: string): void {
    const part = this.parts.get(shard);
    part?.followsChanged.set(id, false);
    this.follows.unfollow(shard, id);
  }
}
