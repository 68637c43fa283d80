import { type MemberIdentity, RECENT_USERS_MAX, type RecentUser } from "../protocol";

/**
 * The one order of users who left together (in one diff, wherever they were): by id, the
 * greatest first, as `recent` lists those who left at the same moment. For `Array.sort` of
 * distinct ids (the ids of one diff are).
 */
export function byLeaveOrder(a: string, b: string): number {
  return a < b ? 1 : -1;
}

/**
 * The users who left a room a short while ago, newest first (protocol 1.2):
 * at most 20, none older than `keepMs`, and a user who comes back leaves the
 * list. The room keeps one, a sharded room's coordinator keeps one from its
 * shards' reports (`mergeRecent`) and each shard's view one from its pushes,
 * and a client keeps one from its sync and diffs.
 *
 * @example
 * const recent = new RecentList(600_000);
 * recent.left({ id: "u1", name: "Ann", info: {} }, Date.now());
 * recent.list(Date.now()); // [{ id: "u1", name: "Ann", info: {}, leftAt: ... }]
 */
export class RecentList {
  private entries: RecentUser[] = [];

  /** `keepMs` 0 turns the list off. */
  constructor(readonly keepMs: number) {}

  /** The users who left within `keepMs` of `now`, newest first. */
  list(now: number): RecentUser[] {
    if (this.keepMs <= 0) return [];
    const cutOff = now - this.keepMs;
    if (this.entries.some((entry) => entry.leftAt < cutOff)) {
      this.entries = this.entries.filter((entry) => entry.leftAt >= cutOff);
    }
    return this.entries;
  }

  /** A user left at `at`. */
  left(user: MemberIdentity, at: number): void {
    if (this.keepMs <= 0) return;
    const rest = this.entries.filter((entry) => entry.id !== user.id);
    this.entries = [
      { id: user.id, name: user.name, info: user.info, ...(user.kind && { kind: user.kind }), leftAt: at },
      ...rest,
    ].slice(0, RECENT_USERS_MAX);
  }

  /** A user came back: the list is another array only if they were on it. Whether they were. */
  returned(userId: string): boolean {
    const rest = this.entries.filter((entry) => entry.id !== userId);
    if (rest.length === this.entries.length) return false;
    this.entries = rest;
    return true;
  }

  /** Replaces the list (a sync, a stored copy, the coordinator's state), keeping its order. */
  replace(entries: readonly RecentUser[]): void {
    this.entries = this.keepMs <= 0 ? [] : entries.slice(0, RECENT_USERS_MAX);
  }
}

/**
 * What a sharded room's shards reported over one interval, into its coordinator's list: users
 * back (they leave the list), then users who left, in the one order for those who left together
 * (newest first, ties by id, as `DiffBuilder` orders a room's). Whether the list changed. A
 * function beside the class, so a client's bundle, which never merges, leaves it out.
 */
export function mergeRecent(recent: RecentList, returned: readonly string[], left: RecentUser[]): boolean {
  let changed = false;
  for (const id of returned) changed = recent.returned(id) || changed;
  left.sort((a, b) => a.leftAt - b.leftAt || byLeaveOrder(a.id, b.id));
  for (const { leftAt, ...user } of left) recent.left(user, leftAt);
  return changed || (left.length > 0 && recent.keepMs > 0);
}
