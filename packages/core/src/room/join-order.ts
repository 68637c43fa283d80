import type { Clock } from "../clock";
import type { DiffMessage, PresenceUser, RecentUser } from "../protocol";
import type { DiffBuilder } from "./diff";
import { headOf, pageInJoinOrder, type UserPage } from "./page";
import { RecentList } from "./recent-list";
import type { RoomReader } from "./room-window";

/** The first value of a map (the oldest entry of an insertion-ordered queue), or `undefined`. */
export function first<V>(map: ReadonlyMap<string, V>): V | undefined {
  for (const value of map.values()) return value;
  return undefined;
}

/**
 * A room's users in join order, with the reads every model of a room serves the same way
 * (`RoomReader`), for a model of a room that keeps its users in join order (`RoomPresence`,
 * through `ConnectionTable`); a subclass says what an entry holds and how it shows as a user.
 *
 * @example
 * class Copy extends JoinOrderedRoom<PresenceUser> {
 *   protected show(user: PresenceUser) { return user; }
 * }
 */
export abstract class JoinOrderedRoom<T> implements RoomReader {
  /** Present users by id, in join order: arrivals are appended (`arrive`), so the map's order is the room's. */
  protected users = new Map<string, T>();
  protected readonly recentUsers: RecentList;
  protected seqNumber: number;
  abstract readonly anonymous: number;

  constructor(
    protected readonly clock: Clock,
    recentMs: number,
    seq = 0,
  ) {
    this.recentUsers = new RecentList(recentMs);
    this.seqNumber = seq;
  }

  /** How an entry shows as a user at `now`. */
  protected abstract show(entry: T, now: number): PresenceUser;

  /** The number of the last diff. */
  get seq(): number {
    return this.seqNumber;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** The ids of the first `limit` users in join order: O(limit), for windows. */
  headIds(limit: number): string[] {
    return headOf(this.users, limit);
  }

  /** Whether a user is present. */
  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /** One present user as the room shows them, or `undefined`. */
  presentUser(userId: string): PresenceUser | undefined {
    const entry = this.users.get(userId);
    return entry === undefined ? undefined : this.show(entry, this.clock.now());
  }

  /** Every present user in join order. O(room size): for syncs and snapshots. */
  snapshotUsers(): PresenceUser[] {
    const now = this.clock.now();
    return Array.from(this.users.values(), (entry) => this.show(entry, now));
  }

  /** One page of every present user in join order, after a cursor an earlier page returned (see `pageInJoinOrder`). */
  page(after: string | null, limit: number): UserPage | null {
    const now = this.clock.now();
    const show = (entry: T) => this.show(entry, now);
    return pageInJoinOrder(this.users, (entry) => show(entry).since, show, after, limit);
  }

  /** The next numbered diff from the changes since the last one (see `DiffBuilder.take`), or `null`. */
  protected takeChanges(changes: DiffBuilder): DiffMessage | null {
    const diff = changes.take(
      {
        users: this.users,
        show: (entry, now) => this.show(entry, now),
        recent: this.recentUsers,
        anonymous: this.anonymous,
        seq: this.seqNumber,
      },
      this.clock.now(),
    );
    if (diff) this.seqNumber = diff.seq;
    return diff;
  }

  /** Users who left within the recent time, newest first (protocol 1.2). */
  recent(): RecentUser[] {
    return this.recentUsers.list(this.clock.now());
  }

  /** Brings back the recent list kept in storage (after hibernation or a restart), keeping its order. */
  restoreRecent(entries: readonly RecentUser[]): void {
    this.recentUsers.replace(entries);
  }
}
