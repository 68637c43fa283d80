import { type Clock, systemClock } from "../clock";
import { DEFAULTS, type DiffMessage, type PresenceUser, type RecentUser } from "../protocol";
import type { ApplyResult } from "./apply";
import { byArrival } from "./apply";
import type { HeadPush } from "./head-messages";
import { cursorOf, type UserPage } from "./page";
import { byLeaveOrder, RecentList } from "./recent-list";
import type { RoomPresence } from "./room-presence";
import type { RoomReader } from "./room-window";

/** What changed for a shard's sockets with one push: users who came into or left what it can name, or changed. */
export type ViewChanges = Pick<DiffMessage, "joined" | "updated" | "left" | "anonymous" | "seq" | "leftAt">;

/**
 * What one shard of a room sharded by person serves its sockets from: the coordinator's head
 * and the followed people this shard asked for (`HeadPush`), the room's counts and `recent`, and
 * its own users (its `RoomPresence`), which are fresher than any copy. It names only those:
 * `snapshotUsers` is the head, which is the whole room only while the room has at most
 * `headSize` users (a larger room sends windows, never the whole list); `page` lists this
 * shard's own users, merged with every other shard's by `mergePages`.
 *
 * @example
 * const view = new ShardView(room);
 * const changes = view.apply(push); // "gap": ask the coordinator for `snapshotFor(shard)`
 * if (changes !== "gap" && changes !== "duplicate") windows.deliver(view, changes);
 */
export class ShardView implements RoomReader {
  private head: PresenceUser[] = [];
  private readonly headById = new Map<string, PresenceUser>();
  private readonly followed = new Map<string, PresenceUser>();
  private readonly recentList: RecentList;
  private readonly clock: Clock;
  private count = 0;
  private anonymousCount = 0;
  private seqNumber = 0;
  /** The number of the last push applied (`HeadPush.no`). */
  private pushNo = 0;
  private loaded = false;

  constructor(
    private readonly room: RoomPresence,
    options: { recentMs?: number; clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.recentList = new RecentList(options.recentMs ?? DEFAULTS.recentMs);
  }

  get seq(): number {
    return this.seqNumber;
  }

  /** The room's signed-in users, as the coordinator last counted them. */
  get userCount(): number {
    return this.count;
  }

  get anonymous(): number {
    return this.anonymousCount;
  }

  /** `false` until the first full push arrived: syncs wait for it. */
  get ready(): boolean {
    return this.loaded;
  }

  /** The coordinator restarted: its next push is full and replaces this copy, whatever its number. */
  reset(): void {
    this.loaded = false;
  }

  /**
   * Applies the coordinator's next push and returns what changed for the shard's sockets (users
   * who came into or left what the shard can name, other than its own), `gap` when a push was
   * missed (or no full one came yet), `duplicate` for an old one.
   */
  apply(push: HeadPush): ViewChanges | Exclude<ApplyResult, "applied"> {
    // a full push replaces the copy unless it is older than it; others must come one by one
    if (this.loaded && (push.full ? push.seq < this.seqNumber : push.no <= this.pushNo)) return "duplicate";
    if (!push.full && (!this.loaded || push.no !== this.pushNo + 1)) return "gap";
    const before = new Map([...this.headById, ...this.followed]);
    if (push.full) {
      this.headById.clear();
      this.followed.clear();
    }
    for (const id of push.headLeft) this.headById.delete(id);
    for (const user of push.head) this.headById.set(user.id, user);
    for (const id of push.followedLeft) this.followed.delete(id);
    for (const user of push.followed) this.followed.set(user.id, user);
    if (push.full || push.head.length > 0 || push.headLeft.length > 0) {
      this.head = [...this.headById.values()].sort(byArrival);
    }
    if (push.recent) this.recentList.replace(push.recent);
    this.count = push.count;
    this.anonymousCount = push.anonymous;
    this.seqNumber = push.seq;
    this.pushNo = push.no;
    this.loaded = true;
    const joined: PresenceUser[] = [];
    const updated: PresenceUser[] = [];
    const left: string[] = [];
    for (const user of [...push.head, ...push.followed]) {
      if (this.room.hasUser(user.id)) continue;
      (before.has(user.id) ? updated : joined).push(user);
    }
    for (const id of before.keys()) if (!this.named(id)) left.push(id);
    left.sort(byLeaveOrder);
    const changes: ViewChanges = { seq: push.seq, joined, updated, left, anonymous: push.anonymous };
    if (left.length > 0) changes.leftAt = push.at;
    return changes;
  }

  /** The first `limit` users of the room (at most the head's size). */
  headIds(limit: number): string[] {
    return this.head.slice(0, Math.max(limit, 0)).map((user) => user.id);
  }

  /** Whether a user the shard can name (in the head, followed, or its own) is present. */
  hasUser(userId: string): boolean {
    return this.room.hasUser(userId) || this.named(userId);
  }

  /** A user the shard can name: its own users as they are now, others as the coordinator last pushed them. */
  presentUser(userId: string): PresenceUser | undefined {
    return this.room.presentUser(userId) ?? this.headById.get(userId) ?? this.followed.get(userId);
  }

  /** The head: the whole room only while it has at most the head's size of users. */
  snapshotUsers(): PresenceUser[] {
    return this.head.map((user) => this.room.presentUser(user.id) ?? user);
  }

  /** One page of this shard's own users in join order: `mergePages` joins every shard's. */
  page(after: string | null, limit: number): UserPage | null {
    return this.room.page(after, limit);
  }

  recent(): RecentUser[] {
    return this.recentList.list(this.clock.now());
  }

  private named(userId: string): boolean {
    return this.headById.has(userId) || this.followed.has(userId);
  }
}

/**
 * One `presence:page` of a sharded room from the same page of every shard's own users (each
 * asked with the same cursor and limit): the first `limit` in join order, and the cursor of the
 * last when any shard has more, in `pageInJoinOrder`'s format (`cursorOf`). `null` when the cursor is none.
 *
 * @example
 * const pages = await Promise.all(shards.map((shard) => shard.page(after, limit)));
 * const page = mergePages(pages, limit);
 */
export function mergePages(pages: readonly (UserPage | null)[], limit: number): UserPage | null {
  const users: PresenceUser[] = [];
  let more = false;
  for (const page of pages) {
    if (page === null) return null;
    users.push(...page.users);
    // a shard with more after its page has more after the merged page too
    more ||= page.next !== null;
  }
  users.sort(byArrival);
  more ||= users.length > limit;
  const page = users.slice(0, Math.max(limit, 0));
  const last = page[page.length - 1];
  return { users: page, next: more && last ? cursorOf(last) : null };
}
