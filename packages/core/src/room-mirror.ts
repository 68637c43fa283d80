import { type Clock, systemClock } from "./clock";
import { headOf, pageInJoinOrder, type UserPage } from "./page";
import { byArrival } from "./presence-view";
import { DEFAULTS, type DiffMessage, type PresenceUser, type RecentUser } from "./protocol";
import { RecentList } from "./recent-list";
import type { RoomReader } from "./room-window";

/** The whole of a sharded room as its coordinator last published it. */
export interface RoomState {
  seq: number;
  /** Every present user, in join order. */
  users: PresenceUser[];
  anonymous: number;
  /** Version 1.2: the recently left, newest first. */
  recent?: RecentUser[];
}

/** The changes a shard passes on to its own sockets. */
export type MirrorChanges = Pick<DiffMessage, "joined" | "updated" | "left" | "anonymous" | "seq" | "leftAt">;

/**
 * A shard's copy of the whole of a sharded room, kept from the coordinator's
 * diffs exactly as a client keeps its view: each diff must carry the previous
 * number plus one, an old one is ignored, a gap is reported so the shard asks
 * for the room's state. The shard serves its sockets' syncs, windows and
 * pages from it without asking anyone, so nothing a client does waits on
 * another object except its first sync.
 *
 * @example
 * const mirror = new RoomMirror();
 * mirror.replace(await coordinator.state());
 * if (mirror.apply(diff) === "gap") mirror.replace(await coordinator.state());
 */
export class RoomMirror implements RoomReader {
  private users = new Map<string, PresenceUser>();
  private seqNumber = 0;
  private anonymousCount = 0;
  private loaded = false;
  private readonly recentUsers: RecentList;
  private readonly clock: Clock;

  constructor(options: { recentMs?: number; clock?: Clock } = {}) {
    this.recentUsers = new RecentList(options.recentMs ?? DEFAULTS.recentMs);
    this.clock = options.clock ?? systemClock;
  }

  get seq(): number {
    return this.seqNumber;
  }

  get anonymous(): number {
    return this.anonymousCount;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** `false` until the first state arrived: syncs wait for it. */
  get ready(): boolean {
    return this.loaded;
  }

  /** Applies the coordinator's next diff: `gap` when one was missed (or none loaded yet), `duplicate` for an old one. */
  apply(diff: MirrorChanges): "applied" | "duplicate" | "gap" {
    if (!this.loaded) return "gap";
    if (diff.seq <= this.seqNumber) return "duplicate";
    if (diff.seq !== this.seqNumber + 1) return "gap";
    const leftAt = diff.leftAt ?? this.clock.now();
    for (const id of diff.left) {
      const user = this.users.get(id);
      if (user) this.recentUsers.left(user, leftAt);
      this.users.delete(id);
    }
    for (const user of diff.joined) this.recentUsers.returned(user.id);
    // newcomers, and users whose stay began again, go to the end in arrival order, as the coordinator puts them
    const arrived = [...diff.joined];
    for (const user of diff.updated) {
      const old = this.users.get(user.id);
      if (old && old.since !== user.since) arrived.push(user);
      else if (old) this.users.set(user.id, user);
    }
    arrived.sort(byArrival);
    for (const user of arrived) {
      this.users.delete(user.id);
      this.users.set(user.id, user);
    }
    this.seqNumber = diff.seq;
    this.anonymousCount = diff.anonymous;
    return "applied";
  }

  /**
   * Replaces the copy with the room's state (after a gap, a wake or a
   * coordinator's restart) and returns what changed for the shard's sockets:
   * the same diff the coordinator would have sent, under the state's number.
   * `null` when the state is not newer than the copy.
   */
  replace(state: RoomState): MirrorChanges | null {
    if (this.loaded && state.seq <= this.seqNumber) return null;
    const before = this.users;
    const after = new Map(state.users.map((user) => [user.id, user]));
    const joined: PresenceUser[] = [];
    const updated: PresenceUser[] = [];
    const left: string[] = [];
    for (const [id, user] of after) {
      const old = before.get(id);
      if (!old) joined.push(user);
      else if (JSON.stringify(old) !== JSON.stringify(user)) updated.push(user);
    }
    for (const id of before.keys()) if (!after.has(id)) left.push(id);
    this.users = after;
    this.seqNumber = state.seq;
    this.anonymousCount = state.anonymous;
    this.recentUsers.replace(state.recent ?? []);
    this.loaded = true;
    const changes: MirrorChanges = { seq: state.seq, joined, updated, left, anonymous: state.anonymous };
    if (left.length > 0) changes.leftAt = this.clock.now();
    return changes;
  }

  /** Forgets everything: the next diff is a gap (the coordinator restarted). */
  reset(): void {
    this.loaded = false;
  }

  /** Users who left within the recent time, newest first (protocol 1.2). */
  recent(): RecentUser[] {
    return this.recentUsers.list(this.clock.now());
  }

  headIds(limit: number): string[] {
    return headOf(this.users, limit);
  }

  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  presentUser(userId: string): PresenceUser | undefined {
    return this.users.get(userId);
  }

  snapshotUsers(): PresenceUser[] {
    return [...this.users.values()];
  }

  page(after: string | null, limit: number): UserPage | null {
    return pageInJoinOrder(
      this.users,
      (user) => user.since,
      (user) => user,
      after,
      limit,
    );
  }
}
