import { type DiffMessage, LIMITS, type PresenceUser, type RecentUser } from "../protocol";
import { byArrival } from "./apply";
import type { UserPage } from "./page";

/**
 * How often `presence:count` goes out to the windowed connections of an object counting for
 * `crowd` (its windowed sockets or the users it counts, whichever the caller takes): every
 * 250 ms, a tenth of a ms more per one, at most a second (protocol 1.1), so that counts stay a
 * small part of a big room's work.
 *
 * @example
 * countIntervalFor(5_000); // 500
 */
export function countIntervalFor(crowd: number): number {
  const { countIntervalMs, countIntervalMaxMs } = LIMITS;
  return Math.min(countIntervalMaxMs, Math.max(countIntervalMs, Math.round(crowd / 10)));
}

/**
 * What windows, syncs and pages read of a room: its users in join order, by
 * id, and its counters. A room (`RoomPresence`) and a shard of a sharded room
 * (`ShardView`: the room's head, the followed people and its own) both
 * provide it, so every connection is served the same way wherever it is.
 */
export interface RoomReader {
  /** The number of the last diff. */
  readonly seq: number;
  readonly anonymous: number;
  readonly userCount: number;
  /** The ids of the first `limit` users in join order: O(limit). */
  headIds(limit: number): string[];
  hasUser(userId: string): boolean;
  presentUser(userId: string): PresenceUser | undefined;
  /** Every present user in join order: O(room size), for syncs and snapshots. */
  snapshotUsers(): PresenceUser[];
  /** One `presence:page` (see `pageInJoinOrder`); `null` for a string that is no cursor. */
  page(after: string | null, limit: number): UserPage | null;
  /** Protocol 1.2: users who left within the room's recent time, newest first. */
  recent(): RecentUser[];
}

/** What one connection sees of a large room: the first `size` users, its own user, the users it follows. */
export interface WindowSpec {
  size: number;
  selfUserId: string | null;
  follows: ReadonlySet<string>;
}

/** The changes of one diff as seen by one windowed connection. */
export interface WindowChanges {
  joined: PresenceUser[];
  updated: PresenceUser[];
  left: string[];
}

/**
 * A room's diff prepared for many windows: the head of the room (the first
 * users in join order) before and after it, and the diff's users by id.
 * Built once per diff; `changesFor` then costs each connection
 * O(changes), never O(room size).
 *
 * @example
 * const before = room.headIds(maxWindow);
 * const diff = room.takeDiff();
 * const windows = new WindowedDiff(room, diff, before, room.headIds(maxWindow));
 * for (const { socket, spec } of windowed) send(socket, windows.changesFor(spec));
 */
export class WindowedDiff {
  private readonly rankBefore: Map<string, number>;
  private readonly rankAfter: Map<string, number>;
  private readonly joined = new Map<string, PresenceUser>();
  private readonly updated = new Map<string, PresenceUser>();
  private readonly left: Set<string>;
  private readonly headChanges = new Map<number, string[]>();

  constructor(
    private readonly room: RoomReader,
    diff: Pick<DiffMessage, "joined" | "updated" | "left">,
    private readonly headBefore: readonly string[],
    private readonly headAfter: readonly string[],
  ) {
    this.rankBefore = new Map(headBefore.map((id, rank) => [id, rank]));
    this.rankAfter = new Map(headAfter.map((id, rank) => [id, rank]));
    for (const user of diff.joined) this.joined.set(user.id, user);
    for (const user of diff.updated) this.updated.set(user.id, user);
    this.left = new Set(diff.left);
  }

  /** This connection's part of the diff, or `null` when nothing in its window changed. */
  changesFor(spec: WindowSpec): WindowChanges | null {
    const joined: PresenceUser[] = [];
    const updated: PresenceUser[] = [];
    const left: string[] = [];
    const seen = new Set<string>();
    const consider = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const before = this.visibleBefore(id, spec);
      const after = this.visibleAfter(id, spec);
      if (before && !after) left.push(id);
      else if (!before && after) {
        const user = this.joined.get(id) ?? this.updated.get(id) ?? this.room.presentUser(id);
        if (user) joined.push(user);
      } else if (before && after) {
        const user = this.updated.get(id);
        if (user) updated.push(user);
      }
    };
    for (const id of this.joined.keys()) consider(id);
    for (const id of this.updated.keys()) consider(id);
    for (const id of this.left) consider(id);
    for (const id of this.headChangesOf(spec.size)) consider(id);
    if (joined.length === 0 && updated.length === 0 && left.length === 0) return null;
    joined.sort(byArrival);
    return { joined, updated, left };
  }

  /** Whether the first `size` users changed: every window of that size then has news. */
  changesHead(size: number): boolean {
    return this.headChangesOf(size).length > 0;
  }

  /** The users this diff is about (joined, updated or left): who their followers must hear of. */
  *users(): Generator<string> {
    yield* this.joined.keys();
    yield* this.updated.keys();
    yield* this.left;
  }

  /** Users who entered or left the first `size` users: someone ahead of them left, or they did. */
  private headChangesOf(size: number): string[] {
    let changes = this.headChanges.get(size);
    if (!changes) {
      changes = [];
      const end = Math.max(size, 0);
      for (const id of this.headBefore.slice(0, end)) if (!this.inHead(this.rankAfter, id, size)) changes.push(id);
      for (const id of this.headAfter.slice(0, end)) if (!this.inHead(this.rankBefore, id, size)) changes.push(id);
      this.headChanges.set(size, changes);
    }
    return changes;
  }

  private inHead(ranks: Map<string, number>, id: string, size: number): boolean {
    const rank = ranks.get(id);
    return rank !== undefined && rank < size;
  }

  private visibleBefore(id: string, spec: WindowSpec): boolean {
    if (this.inHead(this.rankBefore, id, spec.size)) return true;
    const present = this.left.has(id) || (this.room.hasUser(id) && !this.joined.has(id));
    return present && (id === spec.selfUserId || spec.follows.has(id));
  }

  private visibleAfter(id: string, spec: WindowSpec): boolean {
    if (this.inHead(this.rankAfter, id, spec.size)) return true;
    return this.room.hasUser(id) && (id === spec.selfUserId || spec.follows.has(id));
  }
}

/**
 * The users a windowed sync lists: the first `size` users in join order,
 * this connection's own user and the users it follows who are here, all
 * sorted by arrival (`since`, ties by id), the order clients keep a window in.
 */
export function windowUsers(room: RoomReader, spec: WindowSpec): PresenceUser[] {
  const head = room.headIds(spec.size);
  const inHead = new Set(head);
  const users = head.map((id) => room.presentUser(id)).filter((user) => user !== undefined);
  const extras: PresenceUser[] = [];
  const wanted = spec.selfUserId === null ? spec.follows : new Set([spec.selfUserId, ...spec.follows]);
  for (const id of wanted) {
    if (inHead.has(id)) continue;
    const user = room.presentUser(id);
    if (user) extras.push(user);
  }
  return [...users, ...extras].sort(byArrival);
}
