import { systemClock } from "../clock";
import type { JsonObject, MemberIdentity, PresenceUser, UserStatus } from "../protocol";
import { DEFAULTS, LIMITS } from "../protocol";
import { RateLimit } from "../rate-limit";
import type { CloseKind, LingeringConnection, RestoredConnection, RoomPresenceOptions } from "./connections";
import { first, JoinOrderedRoom } from "./join-order";
import { type SeenLane, SeenOrder } from "./seen-order";
import type { UserStatuses } from "./user-status";

/** One connection as the room keeps it, live or lingering in its grace. */
export interface ConnectionRecord {
  id: string;
  user: UserRecord | null;
  joinedAt: number;
  lastSeen: number;
  lingerUntil: number | null;
  /** State changes: 20 a second, the newest of the rest held. */
  stateRate: RateLimit<JsonObject>;
  status: UserStatus;
  /** The last moment the connection was active, kept once it is not. */
  activeAt: number;
  /** Status changes: 20 a second, the newest of the rest held. */
  statusRate: RateLimit<UserStatus>;
  /** Never pruned for silence (a member without a socket): it is in no last-seen queue. */
  pinned: boolean;
}

/** One present user: their connections (several tabs are one user), state and statuses. */
export interface UserRecord {
  identity: MemberIdentity;
  connections: number;
  lingering: Set<string>;
  state: JsonObject;
  stateAt: number;
  /** When the name and info were last set: a sharded room keeps the newest from any shard. */
  identityAt: number;
  since: number;
  statuses: UserStatuses;
}

/**
 * Where a room's connections are: live ones by id and again in last-seen order per max age
 * (`SeenOrder`: a touch moves one to the end), lingering ones in one Map per grace length kept
 * in grace-end order (the oldest of each is its first entry), the anonymous count and the
 * connections holding a rate-limited change back. `RoomPresence` builds the room's rules on it:
 * what a connect, a close, a tick does to the users clients see.
 *
 * @example
 * if (!room.mayTake(connectionId, userId)) connectionId = crypto.randomUUID();
 */
export abstract class ConnectionTable extends JoinOrderedRoom<UserRecord> {
  readonly maxAgeMs: number;
  readonly hiddenMaxAgeMs: number;
  readonly leaveGraceMs: number;
  readonly awayGraceMs: number;
  protected readonly live = new Map<string, ConnectionRecord>();
  /** The live connections again, in last-seen order per max age (hidden ones get longer). */
  protected readonly seen: SeenOrder<ConnectionRecord>;
  /**
   * The connections lingering in their grace, one queue per grace length, each in grace-end
   * order (a close appends to its own queue), so the first entry of each is the next to expire.
   */
  protected readonly graceEnds: Record<CloseKind, Map<string, ConnectionRecord>> = { away: new Map(), lost: new Map() };
  /** Connections holding a state change back (rate-limited), applied when their second ends. */
  protected readonly pendingStates = new Set<ConnectionRecord>();
  /** Connections holding a status change back (rate-limited), applied when their second ends. */
  protected readonly pendingStatuses = new Set<ConnectionRecord>();
  protected anonymousCount = 0;

  constructor(options: RoomPresenceOptions) {
    super(options.clock ?? systemClock, options.recentMs ?? DEFAULTS.recentMs, options.seq);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULTS.maxAgeMs;
    this.hiddenMaxAgeMs = Math.max(options.hiddenMaxAgeMs ?? DEFAULTS.hiddenMaxAgeMs, this.maxAgeMs);
    this.seen = new SeenOrder({ visible: this.maxAgeMs, hidden: this.hiddenMaxAgeMs });
    this.leaveGraceMs = options.leaveGraceMs ?? DEFAULTS.leaveGraceMs;
    this.awayGraceMs = Math.min(options.awayGraceMs ?? DEFAULTS.awayGraceMs, this.leaveGraceMs);
  }

  get anonymous(): number {
    return this.anonymousCount;
  }

  /** Live connections plus those lingering in their grace. */
  get connectionCount(): number {
    return this.live.size + this.graceEnds.away.size + this.graceEnds.lost.size;
  }

  /** Whether a connection with this id has an open socket (not merely lingering). */
  isLive(connectionId: string): boolean {
    return this.live.has(connectionId);
  }

  /** Whether the connection is live or lingering. */
  has(connectionId: string): boolean {
    return this.live.has(connectionId) || this.lingeringRecord(connectionId) !== undefined;
  }

  /**
   * Whether a new socket of this user (`null`: anonymous) may take this id:
   * it is free, or lingers in the grace of this same user. Anyone else must
   * get a fresh id, or they would end that user's presence at once.
   */
  mayTake(connectionId: string, userId: string | null): boolean {
    if (this.live.has(connectionId)) return false;
    const lingering = this.lingeringRecord(connectionId);
    return !lingering || (userId !== null && lingering.user?.identity.id === userId);
  }

  /** Refreshes a live connection's last-seen time. Returns false for an unknown id. */
  touch(connectionId: string): boolean {
    const record = this.live.get(connectionId);
    if (!record) return false;
    record.lastSeen = this.clock.now();
    this.seen.touch(record);
    return true;
  }

  /** A live connection's status and the last moment it was active, for its socket's attachment. */
  connectionStatus(connectionId: string): { status: UserStatus; activeAt: number } | null {
    const record = this.live.get(connectionId);
    return record ? { status: record.status, activeAt: record.activeAt } : null;
  }

  /**
   * The live connections a prune would take now: silent for longer than their max age (the
   * hidden max age for a `hidden` one), as far as the room saw.
   */
  overdue(now: number = this.clock.now()): string[] {
    return this.seen.overdue(now).map((record) => record.id);
  }

  /**
   * Moves last-seen times forward to when connections showed life where the room did not see
   * it (the runtime answered their bare heartbeats itself, without waking the room), keeping
   * live connections in last-seen order. Older times than the room's own are ignored.
   */
  noteSeen(seen: Iterable<readonly [connectionId: string, at: number]>): void {
    let moved = false;
    for (const [id, at] of seen) {
      const record = this.live.get(id);
      if (!record || at <= record.lastSeen) continue;
      record.lastSeen = at;
      moved = true;
    }
    if (moved) this.seen.resort();
  }

  /**
   * The earliest moment something is due: a stale cut-off, a grace end or a
   * held state change. Schedule the room's alarm for it; `null` when idle.
   */
  nextDue(): number | null {
    let due = this.seen.nextDue() ?? Number.POSITIVE_INFINITY;
    for (const queue of Object.values(this.graceEnds)) {
      const lingering = first(queue);
      if (lingering?.lingerUntil != null) due = Math.min(due, lingering.lingerUntil);
    }
    // held states belong only to connections flooding state changes, never to the whole room
    for (const record of this.pendingStates) due = Math.min(due, record.stateRate.dueAt ?? due);
    for (const record of this.pendingStatuses) due = Math.min(due, record.statusRate.dueAt ?? due);
    return Number.isFinite(due) ? due : null;
  }

  /** Every connection, live or lingering, with its user and times: for webhook snapshots. */
  snapshotConnections(): RestoredConnection[] {
    const all: RestoredConnection[] = [];
    for (const map of [this.live, this.graceEnds.away, this.graceEnds.lost]) {
      for (const record of map.values()) {
        all.push({
          id: record.id,
          user: record.user?.identity ?? null,
          joinedAt: record.joinedAt,
          lastSeen: record.lastSeen,
          since: record.user?.since ?? record.joinedAt,
          status: record.status,
          activeAt: record.activeAt,
        });
      }
    }
    return all;
  }

  /**
   * Puts back the connections of users already restored (`users`): live ones in last-seen
   * order, lingering ones in grace-end order, each counted on its user.
   */
  protected restoreConnections(liveConnections: RestoredConnection[], lingering: LingeringConnection[]): void {
    const bySeen = [...liveConnections].sort((a, b) => a.lastSeen - b.lastSeen);
    for (const item of bySeen) {
      const user = item.user ? (this.users.get(item.user.id) ?? null) : null;
      if (user) user.connections++;
      else this.anonymousCount++;
      const record = this.record(item, user, null);
      user?.statuses.add(record.status, record.activeAt);
      this.live.set(item.id, record);
      if (!record.pinned) this.seen.add(record, laneOf(record.status));
    }
    for (const item of [...lingering].sort((a, b) => a.lingerUntil - b.lingerUntil)) {
      const user = this.users.get(item.user.id);
      if (!user) continue;
      user.connections++;
      user.lingering.add(item.id);
      const record = this.record(item, user, item.lingerUntil);
      user.statuses.add(record.status, record.activeAt);
      // sorted, and every grace started from now on ends later than one from before the restart
      this.graceEnds.lost.set(item.id, record);
    }
  }

  /** A connection record for a socket that opened (or one brought back from storage). */
  protected record(item: RestoredConnection, user: UserRecord | null, lingerUntil: number | null): ConnectionRecord {
    return {
      id: item.id,
      user,
      joinedAt: item.joinedAt,
      lastSeen: item.lastSeen,
      lingerUntil,
      stateRate: new RateLimit(LIMITS.stateChangesPerSecond),
      status: item.status ?? "active",
      activeAt: item.activeAt ?? item.lastSeen,
      statusRate: new RateLimit(LIMITS.statusChangesPerSecond),
      pinned: item.pinned === true,
    };
  }

  protected lingeringRecord(connectionId: string): ConnectionRecord | undefined {
    return this.graceEnds.away.get(connectionId) ?? this.graceEnds.lost.get(connectionId);
  }

  protected unlinger(connectionId: string): void {
    for (const queue of Object.values(this.graceEnds)) queue.delete(connectionId);
  }

  protected show(user: UserRecord, now: number): PresenceUser {
    return toPresenceUser(user, now);
  }
}

/** Which max age a connection of this status has. */
export function laneOf(status: UserStatus): SeenLane {
  return status === "hidden" ? "hidden" : "visible";
}

function toPresenceUser(user: UserRecord, now: number): PresenceUser {
  return {
    id: user.identity.id,
    name: user.identity.name,
    info: user.identity.info,
    connections: user.connections,
    state: user.state,
    since: user.since,
    status: user.statuses.status,
    activeAt: user.statuses.activeAt(now),
    ...(user.identity.kind ? { kind: user.identity.kind } : {}),
  };
}
