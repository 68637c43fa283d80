import { type Clock, systemClock } from "../clock";
import { DEFAULTS, type DiffMessage, type PresenceUser } from "../protocol";
import type { ConnectionEvent, RestoredConnection } from "./connections";
import { DiffBuilder } from "./diff";
import { JoinOrderedRoom } from "./join-order";
import type { PublishedRoom } from "./room-mirror";
import type { RoomPresence } from "./room-presence";
import { morePresent } from "./user-status";

/**
 * A user as one shard has them: `connections` counts that shard's sockets; `stateAt` says whose
 * state is newest, `identityAt` whose name and info.
 */
export interface ShardUser extends PresenceUser {
  stateAt: number;
  identityAt?: number;
}

/** What a shard tells its coordinator, at most once per diff interval. */
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
  /** When the shown name and info were set on their shard. */
  identityAt: number;
  /** When the shown state was set: it stays while the user does, though the shard it was set on has them no more. */
  stateAt: number;
  /** The latest `activeAt` of the shards that no longer have the user. */
  activeAt: number;
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
export class ShardTotals extends JoinOrderedRoom<Entry> {
  private readonly anonymousBy = new Map<number, number>();
  /** The users each shard has, so a shard's full report touches its own users, not the room's. */
  private readonly usersBy = new Map<number, Set<string>>();
  private readonly connectionsBy = new Map<number, Map<string, RestoredConnection>>();
  private readonly changes = new DiffBuilder();
  private events: ConnectionEvent[] = [];
  private anonymousTotal = 0;
  /** Whether the first diff was taken: the room a restarted coordinator rebuilt from its shards is put in join order then. */
  private ordered = false;

  constructor(options: { seq?: number; recentMs?: number; clock?: Clock } = {}) {
    super(options.clock ?? systemClock, options.recentMs ?? DEFAULTS.recentMs, options.seq);
  }

  get anonymous(): number {
    return this.anonymousTotal;
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
      const leftAt = new Map<string, number>();
      for (const event of report.events) {
        if (event.type === "leave" && event.userId !== null) leftAt.set(event.userId, event.at);
      }
      for (const id of report.left) this.removeFrom(shard, id, leftAt.get(id) ?? report.at);
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
    this.changes.settle(this.anonymousTotal);
    this.events = [];
  }

  /** A shard that is gone (it stopped answering): everyone on it leaves. */
  dropShard(shard: number, at: number): void {
    this.apply(shard, { full: true, users: [], left: [], anonymous: 0, events: [], connections: [], at });
  }

  /** The diff since the last call, or `null` when nothing clients see changed (see `DiffBuilder.take`). */
  takeDiff(): DiffMessage | null {
    const diff = this.takeChanges(this.changes);
    if (!this.ordered) {
      // seeded agents and shards' reports came in no particular order: everyone is sorted by the start of their stay
      this.ordered = true;
      this.users = new Map([...this.users].sort(([, a], [, b]) => a.user.since - b.user.since));
    }
    return diff;
  }

  /** Connection events since the last call, for the webhook. */
  takeEvents(): ConnectionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** The room as of the last diff's number (take the diff first): what a shard's copy starts from. */
  published(): PublishedRoom {
    return { seq: this.seqNumber, users: this.snapshotUsers(), anonymous: this.anonymousTotal, recent: this.recent() };
  }

  /** Every connection on every shard: for the webhook's snapshots. */
  snapshotConnections(): RestoredConnection[] {
    const all: RestoredConnection[] = [];
    for (const connections of this.connectionsBy.values()) all.push(...connections.values());
    return all;
  }

  protected show(entry: Entry): PresenceUser {
    return entry.user;
  }

  /** A full report: users and connections the shard no longer has go, with a leave event each. */
  private replaceShard(shard: number, report: ShardReport): void {
    const { at } = report;
    const present = new Set(report.users.map((user) => user.id));
    for (const id of [...(this.usersBy.get(shard) ?? [])]) if (!present.has(id)) this.removeFrom(shard, id, at);
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
      entry = { user, identityAt: user.identityAt ?? 0, stateAt: user.stateAt, activeAt: 0, on: new Map() };
      this.users.set(user.id, entry);
    } else this.markDirty(user.id, entry.user);
    const before = entry.on.get(shard);
    if (entry.on.size === 1 && before && before.since !== user.since) {
      // the stay began again on the only shard that has the user: nothing of the old one stays
      entry.stateAt = -1;
      entry.activeAt = 0;
    }
    const since = sinceOf(entry, before, user);
    entry.on.set(shard, user);
    // the newest name and info win, whatever order the shards' reports of one interval came in
    const newer = (user.identityAt ?? 0) >= entry.identityAt;
    if (newer) entry.identityAt = user.identityAt ?? 0;
    entry.user = { ...merged(entry, user, newer), since };
    entry.stateAt = Math.max(entry.stateAt, user.stateAt);
    let mine = this.usersBy.get(shard);
    if (!mine) {
      mine = new Set();
      this.usersBy.set(shard, mine);
    }
    mine.add(user.id);
  }

  /** The user has no connection left on the shard since `at`. */
  private removeFrom(shard: number, userId: string, at: number): void {
    const entry = this.users.get(userId);
    const gone = entry?.on.get(shard);
    if (!entry || !gone) return;
    entry.on.delete(shard);
    // the last moment they were active there outlives the shard's part, as it does in one room
    entry.activeAt = Math.max(entry.activeAt, gone.status === "active" ? at : gone.activeAt);
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
    this.changes.mark(userId, () => published);
  }
}

/**
 * The room's view of a user from every shard that has them: connections
 * summed, the newest state, the name and info of the latest report, the
 * stay that began when the first of their connections arrived anywhere, the
 * most present status and the latest moment any shard saw them active.
 */
function merged(entry: Entry, latest: ShardUser | null, newIdentity = false): PresenceUser {
  let connections = 0;
  let newest: { state: PresenceUser["state"]; stateAt: number } = { state: entry.user.state, stateAt: entry.stateAt };
  let status: PresenceUser["status"] | null = null;
  let activeAt = entry.activeAt;
  for (const user of entry.on.values()) {
    connections += user.connections;
    if (user.stateAt > newest.stateAt) newest = user;
    status = status ? morePresent(status, user.status) : user.status;
    activeAt = Math.max(activeAt, user.activeAt);
  }
  const identity = newIdentity && latest ? latest : entry.user;
  return {
    id: entry.user.id,
    name: identity.name,
    info: identity.info,
    connections,
    state: newest.state,
    since: entry.user.since,
    status: status ?? entry.user.status,
    // an active user's `activeAt` is only the time of a report: kept as it was, news to nobody
    activeAt: !status || (status === "active" && entry.user.status === "active") ? entry.user.activeAt : activeAt,
    ...(identity.kind ? { kind: identity.kind } : {}),
  };
}

/**
 * When the user's stay in the room began, as a shard reports them: with the first connection
 * anywhere, whichever shard reported first within one diff interval; but when the shard that alone has the
 * user reports a new start, the stay began again there.
 */
function sinceOf(entry: Entry, before: ShardUser | undefined, reported: ShardUser): number {
  const alone = entry.on.size === (before ? 1 : 0);
  if (alone && before && before.since !== reported.since) return reported.since;
  return Math.min(entry.user.since, reported.since);
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
  const moves = room.takeIdentityMoves();
  const diff = room.takeDiff();
  const events = room.takeEvents();
  const withStateAt = (user: PresenceUser): ShardUser => {
    const times = room.userState(user.id);
    return { ...user, stateAt: times?.stateAt ?? 0, identityAt: times?.identityAt ?? 0 };
  };
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
  // a name brought again is news to the coordinator (another shard may have a newer one) though not to this shard's clients
  const reported = diff ? [...diff.joined, ...diff.updated] : [];
  const listed = new Set(reported.map((user) => user.id));
  for (const id of moves) {
    const user = listed.has(id) ? undefined : room.presentUser(id);
    if (user) reported.push(user);
  }
  if (reported.length === 0 && !diff && events.length === 0) return null;
  const users = reported.map(withStateAt);
  return { full: false, users, left: diff?.left ?? [], anonymous: room.anonymous, events, at };
}
