import { type Clock, systemClock } from "../clock";
import { DEFAULTS, type DiffMessage, type PresenceUser, type RecentUser } from "../protocol";
import { applyDiff } from "./apply";
import { sameJson } from "./diff";
import { JoinOrderedRoom } from "./join-order";

/** The whole of a sharded room as its coordinator last published it. */
export interface PublishedRoom {
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
 * mirror.replace(await coordinator.published());
 * if (mirror.apply(diff) === "gap") mirror.replace(await coordinator.published());
 */
export class RoomMirror extends JoinOrderedRoom<PresenceUser> {
  private anonymousCount = 0;
  private loaded = false;

  constructor(options: { recentMs?: number; clock?: Clock } = {}) {
    super(options.clock ?? systemClock, options.recentMs ?? DEFAULTS.recentMs);
  }

  get anonymous(): number {
    return this.anonymousCount;
  }

  /** `false` until the first state arrived: syncs wait for it. */
  get ready(): boolean {
    return this.loaded;
  }

  /** Applies the coordinator's next diff: `gap` when one was missed (or none loaded yet), `duplicate` for an old one. */
  apply(diff: MirrorChanges): "applied" | "duplicate" | "gap" {
    if (!this.loaded) return "gap";
    const result = applyDiff(this.users, this.seqNumber, diff, this.recentUsers, false, this.clock.now());
    if (result !== "applied") return result;
    this.seqNumber = diff.seq;
    this.anonymousCount = diff.anonymous;
    return result;
  }

  /**
   * Replaces the copy with the room's state (after a gap, a wake or a
   * coordinator's restart) and returns what changed for the shard's sockets:
   * the same diff the coordinator would have sent, under the state's number.
   * `null` when the state is not newer than the copy.
   */
  replace(state: PublishedRoom): MirrorChanges | null {
    if (this.loaded && state.seq <= this.seqNumber) return null;
    const before = this.users;
    const after = new Map(state.users.map((user) => [user.id, user]));
    const joined: PresenceUser[] = [];
    const updated: PresenceUser[] = [];
    const left: string[] = [];
    for (const [id, user] of after) {
      const old = before.get(id);
      if (!old) joined.push(user);
      else if (!sameJson(old, user)) updated.push(user);
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

  protected show(user: PresenceUser): PresenceUser {
    return user;
  }
}
