import type { DiffMessage, PresenceUser } from "../protocol";
import { bySince } from "./apply";
import { byLeaveOrder, type RecentList } from "./recent-list";

/**
 * Whether clients must hear of a user again: the one rule of every model of a room. Values are
 * compared, not objects (the same state set twice is no news); an active user's `activeAt` is the
 * moment of the message, news to nobody; a new `since` is a stay that began again.
 */
function changed(before: PresenceUser, after: PresenceUser): boolean {
  return (
    before.connections !== after.connections ||
    before.since !== after.since ||
    before.status !== after.status ||
    (after.status !== "active" && before.activeAt !== after.activeAt) ||
    before.name !== after.name ||
    before.kind !== after.kind ||
    !sameJson(before.state, after.state) ||
    !sameJson(before.info, after.info)
  );
}

export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** What a room needs to build its diff: its users in join order and how an entry shows. */
export interface DiffSource<T> {
  users: Map<string, T>;
  show(entry: T, now: number): PresenceUser;
  recent: RecentList;
  anonymous: number;
  seq: number;
}

/**
 * The changes of a room since its last diff, coalesced: what clients last saw of each user
 * changed since (kept from their first change since the last diff), and the anonymous count they saw.
 * `take` builds the next numbered diff from them in O(changes), never O(room size).
 *
 * @example
 * changes.mark(userId, () => shown(userId)); // before changing the user
 * const diff = changes.take({ users, show, recent, anonymous, seq }, now);
 */
export class DiffBuilder {
  /** What the last diff said of each user changed since (`null`: absent). */
  private readonly dirty = new Map<string, PresenceUser | null>();
  private publishedAnonymous = 0;

  /** Remembers what clients last saw of a user, before their first change since the last diff. */
  mark(userId: string, published: () => PresenceUser | null): void {
    if (!this.dirty.has(userId)) this.dirty.set(userId, published());
  }

  /** Clients already saw everything (a restored or seeded room): nothing is news. */
  settle(anonymous: number): void {
    this.dirty.clear();
    this.publishedAnonymous = anonymous;
  }

  /**
   * The next diff, numbered `seq + 1`, or `null` when nothing clients see changed. A user who
   * joined and left since the last diff is in neither list; one who left and came back is
   * `updated` with the new `since`. Users who left join `recent` at the diff's `leftAt`; the
   * interval's arrivals (newcomers and restarted stays) go to the end of `users` in arrival order.
   */
  take<T>(room: DiffSource<T>, now: number): DiffMessage | null {
    const joined: PresenceUser[] = [];
    const updated: PresenceUser[] = [];
    const left: PresenceUser[] = [];
    /** Users whose stay began again since the last diff (left and came back). */
    const restarted: PresenceUser[] = [];
    for (const [id, before] of this.dirty) {
      const entry = room.users.get(id);
      if (entry === undefined) {
        if (before) left.push(before);
        continue;
      }
      const after = room.show(entry, now);
      if (!before) {
        room.recent.returned(id);
        joined.push(after);
      } else if (changed(before, after)) {
        updated.push(after);
        if (before.since !== after.since) restarted.push(after);
      }
    }
    this.dirty.clear();
    // One order for the users who left in one interval, wherever they were (on which shard): the
    // recent list, newest first, shows those who left together by id. It changes exactly as
    // clients see it change: with this diff, at its `leftAt`.
    left.sort((a, b) => byLeaveOrder(a.id, b.id));
    for (const user of left) room.recent.left(user, now);
    const anonymousChanged = room.anonymous !== this.publishedAnonymous;
    this.publishedAnonymous = room.anonymous;
    if (joined.length === 0 && updated.length === 0 && left.length === 0 && !anonymousChanged) return null;
    // The interval's arrivals, newcomers and stays that began again, go to the end by the start of
    // their stay (reports of one interval come shard by shard, so a sharded room's map is not yet
    // in order): exactly as `applyDiff` puts them, ties included, so the join order is by `since`.
    joined.sort(bySince);
    for (const user of [...joined, ...restarted].sort(bySince)) {
      const entry = room.users.get(user.id) as T;
      room.users.delete(user.id);
      room.users.set(user.id, entry);
    }
    const diff: DiffMessage = {
      type: "presence:diff",
      seq: room.seq + 1,
      joined,
      updated,
      left: left.map((user) => user.id),
      anonymous: room.anonymous,
    };
    if (left.length > 0) diff.leftAt = now;
    return diff;
  }
}
