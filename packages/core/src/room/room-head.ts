import { type Clock, systemClock } from "../clock";
import { DEFAULTS, type DiffMessage, type PresenceUser, type RecentUser } from "../protocol";
import { shardOf } from "../shard-of";
import { byArrival } from "./apply";
import type { ConnectionEvent } from "./connections";
import { sameJson } from "./diff";
import { FollowIndex } from "./follow-index";
import { FIRST_REQUEST, type HeadPush, type HeadReport, SHOWS_EVERYONE } from "./head-messages";
import { byLeaveOrder, mergeRecent, RecentList } from "./recent-list";
import { exposedUsers, newShardPart, type ShardPart, updateRequests } from "./shard-part";
import { fullPush, partialPush, type ShardNews, takeShardNews } from "./shard-push";

export interface RoomHeadOptions {
  /**
   * How many users the head holds at least: the window threshold, so a room not windowed lists
   * everyone; more while a shard's sockets show more (`HeadReport.shows`).
   */
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
  /** What the last push changed in the head, until `takeChange`. */
  private change: { diff: DiffMessage | null; recentChanged: boolean } = { diff: null, recentChanged: false };
  private publishedCount = 0;
  private publishedAnonymous = 0;
  /** A new coordinator's first push is news to every shard, whatever it holds: it takes a new number. */
  private pushedYet = false;
  private publishedExact = false;
  private recentChanged = false;
  private seqNumber: number;
  /** The exposed users in arrival order, until a report changes them. */
  private sorted: PresenceUser[] | null = null;

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

  /** The room's connections: the sum of the shards'. */
  get connectionCount(): number {
    return this.total((part) => part.connections);
  }

  /**
   * How many users the head holds now: `headSize`, or more while some shard's sockets show more
   * (a larger window; every user while one lists the whole room).
   */
  get headSize(): number {
    let size = this.options.headSize;
    for (const part of this.parts.values()) size = Math.max(size, part.shows);
    return size;
  }

  /** One shard's connections, as it last reported them (0 for one that never did). */
  connectionsOf(shard: number): number {
    return this.parts.get(shard)?.connections ?? 0;
  }

  /** The shards that reported (the coordinator's own agents among them, as their shard). */
  shards(): number[] {
    return [...this.parts.keys()];
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
    return this.parts.get(this.follows.ownerOf(userId))?.users.get(userId);
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
      part = newShardPart(old);
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
    part.connections = report.connections;
    part.reportNo = report.no ?? part.reportNo;
    part.pushDue = true;
    part.ownChanged ||= report.ownChanged ?? false;
    part.shows = report.shows ?? 0;
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

  /**
   * What the pushes since the last call changed in the head, as a diff (the room's diff while
   * the room fits in the head), and whether `recent` changed: for the webhook, the recent list's
   * storage and `onPresenceChanged`.
   */
  takeChange(): { diff: DiffMessage | null; recentChanged: boolean } {
    const { change } = this;
    this.change = { diff: null, recentChanged: false };
    return change;
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
    this.applyRecent(now);
    const candidates = this.candidates();
    const head = candidates.slice(0, this.headSize);
    const headIds = new Set(head.map((user) => user.id));
    const headUsers: PresenceUser[] = [];
    for (const user of head) {
      const before = this.published.get(user.id);
      if (!before || (this.changed.has(user.id) && !sameJson(before, user))) headUsers.push(user);
    }
    const headLeft = [...this.published.keys()].filter((id) => !headIds.has(id)).sort(byLeaveOrder);
    const headChanged = headUsers.length > 0 || headLeft.length > 0;
    const before = this.published;
    if (headChanged) this.published = new Map(head.map((user) => [user.id, user]));
    const { last } = this.headBounds(candidates);
    const everyone = this.headSize === SHOWS_EVERYONE;
    const { headSize } = this.options;
    updateRequests(this.parts, { everyone, last, exposed: candidates.length, size: headSize }, this.spares);
    const count = this.userCount;
    const anonymous = this.anonymous;
    // every push carries `recent` when it changed, so a newcomer's sync or a resync at any shard is exact
    const recentDue = this.recentChanged;
    const roomChanged =
      !this.pushedYet ||
      headChanged ||
      recentDue ||
      count !== this.publishedCount ||
      anonymous !== this.publishedAnonymous;
    const pushes = new Map<number, HeadPush>();
    const followedUser = (id: string) => this.followedUser(id);
    const parts = [...this.parts].map(([shard, part]) => {
      return { shard, part, push: takeShardNews(shard, part, this.changed, this.follows, followedUser) };
    });
    // a new number whenever a socket anywhere sees a change, so no client ever sees one number twice
    const visible =
      roomChanged ||
      parts.some(({ part, push }) => part.ownChanged || (push && push.followed.length + push.followedLeft.length > 0));
    const exact = this.exact;
    const exactChanged = exact !== this.publishedExact;
    this.publishedExact = exact;
    this.changed.clear();
    for (const { part } of parts) part.ownChanged = false;
    if (!visible && !exactChanged && parts.every(({ push }) => push === null)) return pushes;
    if (!visible) {
      // news for some shards only (what to expose or watch, a report taken): under the same number
      for (const { shard, part, push } of parts) {
        if (push || exactChanged) pushes.set(shard, this.pushOf(shard, part, push, [], [], exact, now));
      }
      return pushes;
    }
    this.seqNumber++;
    this.pushedYet = true;
    this.publishedCount = count;
    this.publishedAnonymous = anonymous;
    const recent = recentDue ? { recent: this.recent() } : {};
    this.recentChanged = false;
    this.change = {
      diff: roomChanged
        ? {
            type: "presence:diff",
            seq: this.seqNumber,
            joined: headUsers.filter((user) => !before.has(user.id)),
            updated: headUsers.filter((user) => before.has(user.id)),
            left: headLeft,
            anonymous,
            count,
            ...(headLeft.length > 0 && { leftAt: now }),
          }
        : null,
      recentChanged: recentDue || this.change.recentChanged,
    };
    for (const { shard, part, push } of parts) {
      pushes.set(shard, { ...this.pushOf(shard, part, push, headUsers, headLeft, exact, now), ...recent });
    }
    return pushes;
  }

  /** One shard's push of this interval, numbered next for it (its whole part when it is due one). */
  private pushOf(
    shard: number,
    part: ShardPart,
    push: ShardNews | null,
    head: PresenceUser[],
    headLeft: string[],
    exact: boolean,
    at: number,
  ): HeadPush {
    part.pushNo++;
    if (part.fullNext) return this.snapshotFor(shard);
    const { seqNumber: seq, publishedCount: count, publishedAnonymous: anonymous } = this;
    return partialPush(part, push, { seq, exact, head, headLeft, count, anonymous, at });
  }

  /** Everything one shard's copy needs, under the current number: its first push, or after a gap. */
  snapshotFor(shard: number): HeadPush {
    const followed: PresenceUser[] = [];
    for (const id of this.follows.followedBy(shard)) {
      const user = this.followedUser(id);
      if (user) followed.push(user);
    }
    const { seqNumber: seq, exact, publishedCount: count, publishedAnonymous: anonymous } = this;
    const room = { seq, exact, head: [...this.published.values()], count, anonymous, at: this.clock.now() };
    const own = { followed, recent: this.recent(), watch: this.follows.takeWatchList(shard) };
    return fullPush(this.parts.get(shard), room, own);
  }

  private total(of: (part: ShardPart) => number): number {
    let total = 0;
    for (const part of this.parts.values()) total += of(part);
    return total;
  }

  /** Every exposed user in arrival order (`exposedUsers`): rebuilt only when a report changed users. */
  private candidates(): PresenceUser[] {
    this.sorted ??= exposedUsers(this.parts.values());
    return this.sorted;
  }

  private headBounds(candidates: PresenceUser[]): { full: boolean; last: PresenceUser | undefined } {
    const { headSize } = this;
    const full = candidates.length >= headSize;
    return { full, last: full ? candidates[headSize - 1] : undefined };
  }

  /**
   * Who left since the last push joins `recent` as leaving at this push, the moment the room's
   * diff tells the clients (`leftAt`), as in a room of one object; who came back leaves it.
   */
  private applyRecent(now: number): void {
    const ended = this.ended.map((user) => ({ ...user, leftAt: now }));
    if (mergeRecent(this.recentList, this.returned, ended)) this.recentChanged = true;
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
