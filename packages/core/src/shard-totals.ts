import { type Clock, systemClock } from "./clock";
import { headOf, pageInJoinOrder, type UserPage } from "./page";
import { byArrival } from "./presence-view";
import { DEFAULTS, type DiffMessage, type PresenceUser, type RecentUser } from "./protocol";
import { RecentList } from "./recent-list";
import type { RoomState } from "./room-mirror";
import type { ConnectionEvent, RestoredConnection, RoomPresence } from "./room-presence";
import type { RoomReader } from "./room-window";
import { morePresent } from "./user-status";

/** A user as one shard has them: `connections` counts that shard's sockets; `stateAt` says whose state is newest. */
export interface ShardUser extends PresenceUser {
  stateAt: number;
}

/** What a shard tells its coordinator, at most once per diff window. */
export interface ShardReport {
  /**
   * Everything the shard has, sent when it or the coordinator started (or a
   * report was lost): it replaces what the coordinator knew of the shard.
   */
  full: boolean;
  /** Users on the shard that are new there or changed; with `full`, every user on it. */
  users: ShardUser[];
  /** Users no longer on the shard (empty with `full`). */
  left: string[];
  /** Anonymous connections on the shard now. */
  anonymous: number;
  /** Connection-level events since the last report, for the room's webhook (ignored with `full`). */
  events: ConnectionEvent[];
  /** With `full`: every connection on the shard, live or lingering. */
  connections?: RestoredConnection[];
  /** When the shard sent it (ms since the epoch): the time of leaves a full report implies. */
  at: number;
}

interface Entry {
  user: PresenceUser;
  /** The user as each shard that has them reported them. */
  on: Map<number, ShardUser>;
}

/**
 * The whole of a sharded room, kept by its coordinator from its shards'
 * reports: one user however many shards their tabs landed on (`connections`
 * summed, the newest state wins, the stay begins with the first connection
 * anywhere and ends with the last one anywhere, the most present status and
 * the latest `activeAt`), the anonymous total, the join order, every
 * connection for the webhook's snapshots, the recently left, and coalesced
 * diffs numbered like a single room's. Pure: no I/O; time from the clock.
 *
 * @example
 * const totals = new ShardTotals();
 * totals.apply(0, report);
 * const diff = totals.takeDiff(); // what every shard passes on to its sockets
 */
export class ShardTotals implements RoomReader {
  private readonly users = new Map<string, Entry>();
  private readonly anonymousBy = new Map<number, number>();
  /** The users each shard has, so a shard's full report touches its own users, not the room's. */
  private readonly usersBy = new Map<number, Set<string>>();
  private readonly connectionsBy = new Map<number, Map<string, RestoredConnection>>();
  /** What the last diff said of each user changed since (`null`: absent). */
  private readonly dirty = new Map<string, PresenceUser | null>();
  private events: ConnectionEvent[] = [];
  private publishedAnonymous = 0;
  private anonymousTotal = 0;
  private seqNumber: number;
  private readonly clock: Clock;
  private readonly recentUsers: RecentList;

  constructor(options: { seq?: number; recentMs?: number; clock?: Clock } = {}) {
    this.seqNumber = options.seq ?? 0;
    this.clock = options.clock ?? systemClock;
    this.recentUsers = new RecentList(options.recentMs ?? DEFAULTS.recentMs);
  }

  get seq(): number {
    return this.seqNumber;
  }

  get anonymous(): number {
    return this.anonymousTotal;
  }

  get userCount(): number {
    return this.users.size;
  }

  get connectionCount(): number {
    let total = 0;
    for (const connections of this.connectionsBy.values()) total += connections.size;
    return total;
  }

  /** The shards that have anyone on them. */
  shards(): number[] {
    return [...new Set([...this.connectionsBy.keys(), ...this.usersBy.keys(), ...this.anonymousBy.keys()])];
  }

  /** Applies one shard's report. */
  apply(shard: number, report: ShardReport): void {
    if (report.full) this.replaceShard(shard, report);
    else {
      for (const id of report.left) this.removeFrom(shard, id);
      this.applyEvents(shard, report.events);
    }
    for (const user of report.users) this.setOn(shard, user);
    this.setAnonymous(shard, report.anonymous);
  }

  /**
   * A shard's full report of what clients and the webhook already saw (a restarted
   * coordinator's own agent members): applied without a diff or events. Call before any other report.
   */
  seed(shard: number, report: ShardReport): void {
    this.apply(shard, report);
    this.dirty.clear();
    this.events = [];
  }

  /** A shard that is gone (it stopped answering): everyone on it leaves. */
  dropShard(shard: number, at: number): void {
    this.apply(shard, { full: true, users: [], left: [], anonymous: 0, events: [], connections: [], at });
  }

  /** The diff since the last call, or `null` when nothing clients see changed. */
  takeDiff(): DiffMessage | null {
    const now = this.clock.now();
    const joined: Entry[] = [];
    const updated: PresenceUser[] = [];
    const left: string[] = [];
    /** Newcomers and users who left and came back within the window: they go to the end of the order. */
    const arrived: Entry[] = [];
    for (const [id, before] of this.dirty) {
      const entry = this.users.get(id);
      if (!entry) {
        if (!before) continue;
        left.push(id);
        this.recentUsers.left(before, now);
      } else if (!before) {
        this.recentUsers.returned(id);
        joined.push(entry);
        arrived.push(entry);
      } else if (changed(before, entry.user)) {
        updated.push(entry.user);
        if (before.since !== entry.user.since) arrived.push(entry);
      }
    }
    this.dirty.clear();
    const anonymousChanged = this.anonymousTotal !== this.publishedAnonymous;
    this.publishedAnonymous = this.anonymousTotal;
    if (joined.length === 0 && updated.length === 0 && left.length === 0 && !anonymousChanged) return null;
    this.seqNumber++;
    // Shards report one after another, so the window's arrivals are put in the order they
    // arrived in (as a shard's copy does with the diff, `RoomMirror.apply`): they are the
    // last entries of the map, and moving each to the end in turn sorts them.
    arrived.sort((a, b) => byArrival(a.user, b.user));
    for (const entry of arrived) {
      this.users.delete(entry.user.id);
      this.users.set(entry.user.id, entry);
    }
    joined.sort((a, b) => byArrival(a.user, b.user));
    const diff: DiffMessage = {
      type: "presence:diff",
      seq: this.seqNumber,
      joined: joined.map((entry) => entry.user),
      updated,
      left,
      anonymous: this.anonymousTotal,
    };
    if (left.length > 0) diff.leftAt = now;
    return diff;
  }

  /** Users who left within the recent time, newest first (protocol 1.2). */
  recent(): RecentUser[] {
    return this.recentUsers.list(this.clock.now());
  }

  /** Brings back the recent list the coordinator kept in storage. */
  restoreRecent(entries: readonly RecentUser[]): void {
    this.recentUsers.replace(entries);
  }

  /** Connection events since the last call, for the webhook. */
  takeEvents(): ConnectionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** The room as of the last diff's number (take the diff first): what a shard's copy starts from. */
  state(): RoomState {
    return { seq: this.seqNumber, users: this.snapshotUsers(), anonymous: this.anonymousTotal, recent: this.recent() };
  }

  /** Every connection on every shard: for the webhook's snapshots. */
  snapshotConnections(): RestoredConnection[] {
    const all: RestoredConnection[] = [];
    for (const connections of this.connectionsBy.values()) all.push(...connections.values());
    return all;
  }

  headIds(limit: number): string[] {
    return headOf(this.users, limit);
  }

  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  presentUser(userId: string): PresenceUser | undefined {
    return this.users.get(userId)?.user;
  }

  snapshotUsers(): PresenceUser[] {
    return Array.from(this.users.values(), (entry) => entry.user);
  }

  page(after: string | null, limit: number): UserPage | null {
    return pageInJoinOrder(
      this.users,
      (entry) => entry.user.since,
      (entry) => entry.user,
      after,
      limit,
    );
  }

  /** A full report: users and connections the shard no longer has go, with a leave event each. */
  private replaceShard(shard: number, report: ShardReport): void {
    const { at } = report;
    const present = new Set(report.users.map((user) => user.id));
    for (const id of [...(this.usersBy.get(shard) ?? [])]) if (!present.has(id)) this.removeFrom(shard, id);
    const before = this.connectionsBy.get(shard) ?? new Map<string, RestoredConnection>();
    const after = new Map((report.connections ?? []).map((connection) => [connection.id, connection]));
    for (const [id, connection] of before) {
      if (after.has(id)) continue;
      this.events.push({ type: "leave", connectionId: id, userId: connection.user?.id ?? null, reason: "closed", at });
    }
    for (const [id, connection] of after) {
      if (!before.has(id))
        this.events.push({ type: "join", connectionId: id, user: connection.user, at: connection.joinedAt });
    }
    if (after.size > 0) this.connectionsBy.set(shard, after);
    else this.connectionsBy.delete(shard);
  }

  private applyEvents(shard: number, events: ConnectionEvent[]): void {
    let connections = this.connectionsBy.get(shard);
    for (const event of events) {
      this.events.push(event);
      if (event.type === "join") {
        if (!connections) {
          connections = new Map();
          this.connectionsBy.set(shard, connections);
        }
        const { connectionId: id, user, at } = event;
        connections.set(id, { id, user, joinedAt: at, lastSeen: at, since: at });
      } else if (event.type === "status") {
        const connection = connections?.get(event.connectionId);
        if (!connection) continue;
        const wasActive = (connection.status ?? "active") === "active";
        connections?.set(event.connectionId, {
          ...connection,
          status: event.status,
          activeAt: wasActive ? event.at : connection.activeAt,
        });
      } else connections?.delete(event.connectionId);
    }
    if (connections?.size === 0) this.connectionsBy.delete(shard);
  }

  private setOn(shard: number, user: ShardUser): void {
    let entry = this.users.get(user.id);
    if (!entry) {
      this.markDirty(user.id, null);
      entry = { user, on: new Map() };
      this.users.set(user.id, entry);
    } else this.markDirty(user.id, entry.user);
    entry.on.set(shard, user);
    entry.user = merged(entry, user);
    let mine = this.usersBy.get(shard);
    if (!mine) {
      mine = new Set();
      this.usersBy.set(shard, mine);
    }
    mine.add(user.id);
  }

  private removeFrom(shard: number, userId: string): void {
    const entry = this.users.get(userId);
    if (!entry?.on.delete(shard)) return;
    const mine = this.usersBy.get(shard);
    mine?.delete(userId);
    if (mine?.size === 0) this.usersBy.delete(shard);
    this.markDirty(userId, entry.user);
    if (entry.on.size === 0) this.users.delete(userId);
    else entry.user = merged(entry, null);
  }

  private setAnonymous(shard: number, count: number): void {
    this.anonymousTotal += count - (this.anonymousBy.get(shard) ?? 0);
    if (count > 0) this.anonymousBy.set(shard, count);
    else this.anonymousBy.delete(shard);
  }

  private markDirty(userId: string, published: PresenceUser | null): void {
    if (!this.dirty.has(userId)) this.dirty.set(userId, published);
  }
}

/**
 * The room's view of a user from every shard that has them: connections
 * summed, the newest state, the name and info of the latest report, the
 * stay that began when the first of their connections arrived anywhere, the
 * most present status and the latest moment any shard saw them active.
 */
function merged(entry: Entry, latest: ShardUser | null): PresenceUser {
  let connections = 0;
  let newest: ShardUser | null = null;
  let status: PresenceUser["status"] | null = null;
  let activeAt = 0;
  for (const user of entry.on.values()) {
    connections += user.connections;
    if (!newest || user.stateAt > newest.stateAt) newest = user;
    status = status ? morePresent(status, user.status) : user.status;
    activeAt = Math.max(activeAt, user.activeAt);
  }
  const identity = latest ?? entry.user;
  return {
    id: entry.user.id,
    name: identity.name,
    info: identity.info,
    connections,
    state: newest?.state ?? entry.user.state,
    since: entry.user.since,
    status: status ?? entry.user.status,
    // an active user's `activeAt` is only the time of a report: kept as it was, news to nobody
    activeAt: !status || (status === "active" && entry.user.status === "active") ? entry.user.activeAt : activeAt,
    ...(identity.kind ? { kind: identity.kind } : {}),
  };
}

function changed(before: PresenceUser, after: PresenceUser): boolean {
  return (
    before.connections !== after.connections ||
    JSON.stringify(before.state) !== JSON.stringify(after.state) ||
    before.name !== after.name ||
    before.kind !== after.kind ||
    before.since !== after.since ||
    before.status !== after.status ||
    // an active user's `activeAt` is the time of the report, news to nobody
    (after.status !== "active" && before.activeAt !== after.activeAt) ||
    JSON.stringify(before.info) !== JSON.stringify(after.info)
  );
}

/**
 * A shard's report of what changed on it since the last one, taken from its
 * own room (its sockets only; the diff it takes is never sent to clients),
 * or `null` when nothing did. A full report lists everything it has.
 *
 * @example
 * const report = takeShardReport(local, { full: !coordinatorKnowsUs, at: Date.now() });
 * if (report) await coordinator.report(shard, report);
 */
export function takeShardReport(room: RoomPresence, options: { full: boolean; at: number }): ShardReport | null {
  const diff = room.takeDiff();
  const events = room.takeEvents();
  const withStateAt = (user: PresenceUser): ShardUser => ({ ...user, stateAt: room.userState(user.id)?.stateAt ?? 0 });
  const { at } = options;
  if (options.full) {
    const users = room.snapshotUsers().map(withStateAt);
    return {
      full: true,
      users,
      left: [],
      anonymous: room.anonymous,
      events: [],
      connections: room.snapshotConnections(),
      at,
    };
  }
  if (!diff && events.length === 0) return null;
  const users = diff ? [...diff.joined, ...diff.updated].map(withStateAt) : [];
  return { full: false, users, left: diff?.left ?? [], anonymous: room.anonymous, events, at };
}
