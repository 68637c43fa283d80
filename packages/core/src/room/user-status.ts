import { USER_STATUSES, type UserStatus } from "../protocol";

/** How present each status is: lower is more present. */
const RANK: Record<UserStatus, number> = { active: 0, idle: 1, hidden: 2 };

/**
 * The more present of two statuses (`active` > `idle` > `hidden`): a user's
 * status is that of their most present connection, in a room of one object
 * and across the shards of a sharded room alike.
 *
 * @example
 * morePresent("hidden", "idle"); // "idle"
 */
export function morePresent(a: UserStatus, b: UserStatus): UserStatus {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * One user's connections counted by status, and the last moment any of them
 * was `active`: enough to give the user's merged `status` and `activeAt` in
 * O(1) whatever the number of their tabs.
 *
 * @example
 * const statuses = new UserStatuses(joinedAt);
 * statuses.add("active");
 * statuses.change("active", "hidden", now); // the user is hidden, activeAt = now
 */
export class UserStatuses {
  private readonly counts: Record<UserStatus, number> = { active: 0, idle: 0, hidden: 0 };
  private lastActive: number;

  /** `activeAt`: when the stay began, or the last `activeAt` known (after a restart). */
  constructor(activeAt: number) {
    this.lastActive = activeAt;
  }

  /** The most present status of the user's connections (`active` with none, as a new connection starts). */
  get status(): UserStatus {
    for (const status of USER_STATUSES) if (this.counts[status] > 0) return status;
    return "active";
  }

  /** The last moment a connection was active: `now` while one still is. */
  activeAt(now: number): number {
    return this.counts.active > 0 ? now : this.lastActive;
  }

  /** The stored `activeAt`, ignoring connections active now: what changes when a user stops being active. */
  get lastActiveAt(): number {
    return this.lastActive;
  }

  add(status: UserStatus, activeAt?: number): void {
    this.counts[status]++;
    if (activeAt !== undefined) this.lastActive = Math.max(this.lastActive, activeAt);
  }

  /** A connection went; `at` is the last moment it was active, when it was. */
  remove(status: UserStatus, at: number): void {
    this.counts[status]--;
    if (status === "active") this.lastActive = Math.max(this.lastActive, at);
  }

  change(from: UserStatus, to: UserStatus, now: number): void {
    this.remove(from, now);
    this.add(to);
  }
}
