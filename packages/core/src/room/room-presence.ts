import type { DiffMessage, JsonObject, MemberIdentity, UserStatus } from "../protocol";
import { type ConnectionRecord, ConnectionTable, laneOf, type UserRecord } from "./connection-table";
import type {
  CloseKind,
  ConnectionEvent,
  ConnectResult,
  LeaveReason,
  LingeringConnection,
  RestoredConnection,
  RoomPresenceOptions,
  StateResult,
  StatusResult,
  TickResult,
  UserStateEntry,
} from "./connections";
import { DiffBuilder, sameJson } from "./diff";
import { UserStatuses } from "./user-status";

/**
 * The presence of one room: connections by id, users by id with their
 * connection counts (several tabs are one user), the anonymous count, custom
 * state, last-seen times, the leave grace, the stale cut-off and coalesced
 * diffs. Pure: time comes from the injected clock, nothing here does I/O.
 *
 * Adding, removing and touching a connection are O(1) (`ConnectionTable`). A
 * diff is built from the users changed since the last one, so it costs
 * O(changes), never O(room size).
 *
 * @example
 * const room = new RoomPresence({ clock });
 * room.connect("c1", { id: "u1", name: "Ann", info: {} });
 * const diff = room.takeDiff(); // { joined: [Ann], seq: 1, ... }
 */
export class RoomPresence extends ConnectionTable {
  private readonly changes = new DiffBuilder();
  private readonly stateChanges = new Map<string, UserStateEntry | null>();
  private readonly recordEvents: boolean;
  private events: ConnectionEvent[] = [];
  private readonly identityMoves = new Set<string>();

  constructor(options: RoomPresenceOptions = {}) {
    super(options);
    this.recordEvents = options.recordEvents ?? false;
  }

  /**
   * Registers an open socket. A connection id that is lingering comes back
   * without any event; a user who reconnects under a new id while one of
   * their connections lingers (a reload) takes that one's place, so neither
   * is a leave and a join. Throws if the id is already live: the caller must
   * give a second socket a fresh id instead.
   */
  connect(connectionId: string, identity: MemberIdentity | null, options: { pinned?: boolean } = {}): ConnectResult {
    if (this.live.has(connectionId)) {
      throw new Error(`connection ${connectionId} is already live; give the new socket a fresh id`);
    }
    const now = this.clock.now();
    const lingering = this.lingeringRecord(connectionId);
    if (lingering) {
      if (identity && lingering.user?.identity.id === identity.id) {
        const user = lingering.user;
        this.unlinger(connectionId);
        user.lingering.delete(connectionId);
        lingering.lingerUntil = null;
        lingering.lastSeen = now;
        this.live.set(connectionId, lingering);
        this.seen.add(lingering, laneOf(lingering.status));
        this.updateIdentity(user, identity);
        return { reclaimed: true, adopted: null };
      }
      this.drop(lingering, "closed", now);
    }

    let adopted: string | null = null;
    let user: UserRecord | null = null;
    if (identity) {
      user = this.users.get(identity.id) ?? null;
      if (user) {
        const [replaced] = user.lingering;
        if (replaced !== undefined) {
          adopted = replaced;
          const old = this.lingeringRecord(replaced);
          this.unlinger(replaced);
          user.lingering.delete(replaced);
          user.connections--;
          if (old) {
            user.statuses.remove(old.status, old.activeAt);
            this.emit({ type: "leave", connectionId: replaced, userId: identity.id, reason: "closed", at: now });
          }
        }
        if (!adopted) this.markDirty(user.identity.id);
        user.connections++;
        user.statuses.add("active");
        this.updateIdentity(user, identity);
      } else {
        this.markDirty(identity.id);
        const statuses = new UserStatuses(now);
        statuses.add("active");
        user = {
          identity,
          connections: 1,
          lingering: new Set(),
          state: {},
          stateAt: 0,
          identityAt: now,
          since: now,
          statuses,
        };
        this.users.set(identity.id, user);
      }
    } else {
      this.anonymousCount++;
    }
    const opened = {
      id: connectionId,
      user: identity,
      joinedAt: now,
      lastSeen: now,
      since: now,
      pinned: options.pinned,
    };
    const record = this.record(opened, user, null);
    this.live.set(connectionId, record);
    if (!record.pinned) this.seen.add(record, "visible");
    this.emit({ type: "join", connectionId, user: identity, at: now });
    return { reclaimed: false, adopted };
  }

  /**
   * Sets a connection's status (protocol 1.2). At most 20 changes a second per connection are
   * applied; the rest are answered `rate_limited`, but the last of them is applied when the
   * second ends, so the room converges on the newest status.
   */
  setStatus(connectionId: string, status: UserStatus): StatusResult {
    const record = this.live.get(connectionId);
    if (!record) return "unknown";
    const now = this.clock.now();
    if (!record.statusRate.offer(status, now)) {
      this.pendingStatuses.add(record);
      return "rate_limited";
    }
    this.pendingStatuses.delete(record);
    this.applyStatus(record, status, now);
    return "applied";
  }

  /**
   * Replaces the user's custom state from one of their connections. At most
   * 20 changes a second per connection are applied; the rest are answered
   * `rate_limited`, but the last of them is applied when the second ends.
   */
  setState(connectionId: string, state: JsonObject): StateResult {
    const record = this.live.get(connectionId);
    if (!record) return "unknown";
    if (!record.user) return "anonymous";
    const now = this.clock.now();
    if (!record.stateRate.offer(state, now)) {
      this.pendingStates.add(record);
      return "rate_limited";
    }
    this.pendingStates.delete(record);
    this.applyState(record.user, state, now);
    return "applied";
  }

  /** The state a user has now, for persisting it beside their connections. */
  userState(userId: string): { state: JsonObject; stateAt: number; since: number; identityAt: number } | null {
    const user = this.users.get(userId);
    return user ? { state: user.state, stateAt: user.stateAt, since: user.since, identityAt: user.identityAt } : null;
  }

  /** Replaces the name and info of a live connection's user (a member without a socket its owner refreshed). */
  identify(connectionId: string, identity: MemberIdentity): boolean {
    const user = this.live.get(connectionId)?.user;
    if (!user || user.identity.id !== identity.id) return false;
    this.updateIdentity(user, identity);
    return true;
  }

  /** `presence:leave`: the connection goes at once, without grace. */
  leave(connectionId: string): boolean {
    return this.remove(connectionId, "left");
  }

  /**
   * A socket closed without `presence:leave`. A signed-in user stays present
   * for a grace so a quick reconnect is neither a leave nor a join: the away
   * grace after the browser's 1001 (a reload comes back within it, a closed
   * tab is gone soon after), the leave grace after any other close. Anonymous
   * connections have no grace. Returns the lingering record to persist, or
   * `null` when the connection went at once.
   */
  close(connectionId: string, kind: CloseKind = "lost"): LingeringConnection | null {
    const record = this.live.get(connectionId);
    if (!record) return null;
    const user = record.user;
    const graceMs = kind === "away" ? this.awayGraceMs : this.leaveGraceMs;
    if (!user || graceMs <= 0) {
      this.remove(connectionId, "closed");
      return null;
    }
    const now = this.clock.now();
    this.live.delete(connectionId);
    this.seen.delete(connectionId);
    record.lingerUntil = now + graceMs;
    record.stateRate.drop();
    this.pendingStates.delete(record);
    record.statusRate.drop();
    this.pendingStatuses.delete(record);
    if (record.status === "active") record.activeAt = now;
    this.graceEnds[kind].set(connectionId, record);
    user.lingering.add(connectionId);
    return {
      id: connectionId,
      user: user.identity,
      joinedAt: record.joinedAt,
      lastSeen: record.lastSeen,
      since: user.since,
      state: user.state,
      stateAt: user.stateAt,
      status: record.status,
      activeAt: record.activeAt,
      lingerUntil: record.lingerUntil,
    };
  }

  /** Removes a live or lingering connection at once (leave, kick, stale). */
  remove(connectionId: string, reason: LeaveReason): boolean {
    const record = this.live.get(connectionId) ?? this.lingeringRecord(connectionId);
    if (!record) return false;
    this.drop(record, reason, this.clock.now());
    return true;
  }

  /** Does what is due now: ends graces, prunes stale connections, applies held states. */
  tick(): TickResult {
    const now = this.clock.now();
    const result: TickResult = { stale: [], expired: [] };
    for (const queue of Object.values(this.graceEnds)) {
      for (const record of queue.values()) {
        if (record.lingerUntil == null || record.lingerUntil > now) break;
        this.drop(record, "closed", now);
        result.expired.push(record.id);
      }
    }
    for (const record of this.seen.overdue(now)) {
      this.drop(record, "stale", now);
      result.stale.push(record.id);
    }
    for (const record of this.pendingStates) {
      const held = record.stateRate.takeDue(now);
      if (!held) continue;
      this.pendingStates.delete(record);
      if (record.user) this.applyState(record.user, held.value, now);
    }
    for (const record of this.pendingStatuses) {
      const held = record.statusRate.takeDue(now);
      if (!held) continue;
      this.pendingStatuses.delete(record);
      this.applyStatus(record, held.value, now);
    }
    return result;
  }

  /**
   * Takes the coalesced changes since the last diff, numbered with the next
   * `seq`, or `null` when nothing visible changed. A user who joined and
   * left since the last diff is in neither list; one who left and came back
   * is `updated`.
   */
  takeDiff(): DiffMessage | null {
    this.identityMoves.clear();
    return this.takeChanges(this.changes);
  }

  /** Users a connection brought its name and info to since the last diff, changed or not: call before `takeDiff`. */
  takeIdentityMoves(): string[] {
    const ids = [...this.identityMoves];
    this.identityMoves.clear();
    return ids;
  }

  /** Connection events since the last call (only with `recordEvents`). */
  takeEvents(): ConnectionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** Users whose state was set (entry) or who left with state set (`null`) since the last call, for storage. */
  takeStateChanges(): Map<string, UserStateEntry | null> {
    const changes = new Map(this.stateChanges);
    this.stateChanges.clear();
    return changes;
  }

  /**
   * Rebuilds the room from what outlived the process: the sockets that are
   * still open (woken from hibernation) and the connections lingering in
   * their grace. Emits no events and marks nothing as changed, since clients
   * already saw all of it. Call once, on an empty room.
   */
  restore(liveConnections: RestoredConnection[], lingering: LingeringConnection[] = [], seq?: number): void {
    if (this.connectionCount > 0) throw new Error("restore() needs an empty room");
    if (seq !== undefined) this.seqNumber = seq;
    const all = [...liveConnections, ...lingering].sort((a, b) => a.since - b.since);
    for (const item of all) {
      if (!item.user) continue;
      const existing = this.users.get(item.user.id);
      if (!existing) {
        this.users.set(item.user.id, {
          identity: item.user,
          connections: 0,
          lingering: new Set(),
          state: item.state ?? {},
          stateAt: item.stateAt ?? 0,
          // the name and info came with the newest connection, as far as anyone stored
          identityAt: item.joinedAt,
          since: item.since,
          statuses: new UserStatuses(item.since),
        });
        continue;
      }
      if ((item.stateAt ?? 0) > existing.stateAt) {
        existing.state = item.state ?? {};
        existing.stateAt = item.stateAt ?? 0;
      }
      if (item.joinedAt > existing.identityAt) {
        existing.identity = item.user;
        existing.identityAt = item.joinedAt;
      }
    }
    this.restoreConnections(liveConnections, lingering);
    this.changes.settle(this.anonymousCount);
  }

  private drop(record: ConnectionRecord, reason: LeaveReason, now: number): void {
    const wasLingering = record.lingerUntil != null;
    if (wasLingering) this.unlinger(record.id);
    else {
      this.live.delete(record.id);
      this.seen.delete(record.id);
    }
    this.pendingStates.delete(record);
    this.pendingStatuses.delete(record);
    const user = record.user;
    if (user) {
      this.markDirty(user.identity.id);
      user.lingering.delete(record.id);
      user.connections--;
      // a lingering connection stopped being active when it closed, a live one now
      user.statuses.remove(record.status, wasLingering ? record.activeAt : now);
      if (user.connections <= 0) {
        this.users.delete(user.identity.id);
        if (user.stateAt > 0) this.stateChanges.set(user.identity.id, null);
      }
    } else {
      this.anonymousCount--;
    }
    this.emit({ type: "leave", connectionId: record.id, userId: user?.identity.id ?? null, reason, at: now });
  }

  private applyStatus(record: ConnectionRecord, status: UserStatus, now: number): void {
    const from = record.status;
    if (from === status) return;
    if (record.user) {
      this.markDirty(record.user.identity.id);
      record.user.statuses.change(from, status, now);
    }
    if (from === "active") record.activeAt = now;
    record.status = status;
    this.emit({ type: "status", connectionId: record.id, userId: record.user?.identity.id ?? null, status, at: now });
    if (!record.pinned && laneOf(from) !== laneOf(status)) this.seen.move(record, laneOf(status));
  }

  private applyState(user: UserRecord, state: JsonObject, now: number): void {
    this.markDirty(user.identity.id);
    user.state = state;
    user.stateAt = now;
    this.stateChanges.set(user.identity.id, { state, stateAt: now });
  }

  /** The newest connection's name and info win, here and over shards (where the same name here may be news). */
  private updateIdentity(user: UserRecord, identity: MemberIdentity): void {
    user.identityAt = this.clock.now();
    this.identityMoves.add(identity.id);
    if (user.identity.name === identity.name && sameJson(user.identity.info, identity.info)) return;
    this.markDirty(user.identity.id);
    user.identity = identity;
  }

  /** Remembers what clients last saw of a user, before their first change since the last diff. */
  private markDirty(userId: string): void {
    this.changes.mark(userId, () => this.presentUser(userId) ?? null);
  }

  private emit(event: ConnectionEvent): void {
    if (this.recordEvents) this.events.push(event);
  }
}
