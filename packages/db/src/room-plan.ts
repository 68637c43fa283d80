import type { UserStatus, WebhookConnection } from "@herenow/core";
import type { OccupancyChange, Presence, PresenceChangedEvent, StoredUser } from "./presence-types";
import type { EndReason, Json } from "./schema";

// Every write of presence goes through here: the webhook receiver with a
// room's batch, the store's add, remove and leaveAll with a batch of one
// event. The plan says in memory what the events do to the room's rows and
// sessions; room-write.ts writes it with a fixed number of statements
// whatever its size. The rules of a stay (who is the same stay, when a new
// one begins, how the old one ends) exist here and nowhere else.

/**
 * One thing that happened in a room: a webhook event, or a store call.
 * Webhook events are these (their `reason` is one of the protocol's leave reasons).
 */
type RoomEvent =
  | {
      type: "join";
      connectionId: string;
      user: { id: string; name: string; info?: unknown; kind?: "agent" } | null;
      at: number;
    }
  | { type: "leave"; connectionId: string; reason: EndReason; at: number; leaveMs?: number }
  /** Protocol 1.2: the connection's status changed at `at`. */
  | { type: "status"; connectionId: string; status: UserStatus; at: number }
  /** The room is alive and its connections still there: extends the room's lease. */
  | { type: "keepalive"; at: number }
  /** The room's user count went from 0 to 1. */
  | { type: "occupied"; at: number }
  /** The room's user count went from 1 to 0. */
  | { type: "vacated"; at: number };

/**
 * What is planned for one room: a webhook batch is one, and so is a store
 * call. `generation` null (the store without one) keeps each row's own.
 */
export interface RoomChanges {
  room: string;
  generation: string | null;
  events: readonly RoomEvent[];
  /** Who is in the room after the events; rows it lacks end as `restart`. */
  snapshot?: readonly WebhookConnection[];
}

/** One session row to insert: complete when the stay began and ended inside the batch. */
interface NewSession {
  connectionId: string;
  user: StoredUser | null;
  joinedAt: Date;
  leftAt: Date | null;
  reason: EndReason | null;
  /** The room's measured time to leave, for a stay that ended after a close. */
  leaveMs: number | null;
}

/** The end of a session that was open in the database before the batch. */
interface ClosedSession {
  connectionId: string;
  reason: EndReason;
  at: Date;
  /** The room's measured time to leave, for a stay that ended after a close. */
  leaveMs: number | null;
}

/**
 * What applying events to one room does to the database.
 *
 * @example
 * const plan = planRoom(batch, await rowsBefore(trx, batch));
 * plan.upserts.length; // rows to insert or overwrite
 */
export interface RoomPlan {
  /** Rows present after the batch that are new or changed (written whole). */
  upserts: Presence[];
  /** Connections whose rows go. */
  deletes: string[];
  /** The latest keep-alive, which extends the room's lease (its other rows are not written), or null. */
  keepaliveAt: Date | null;
  closes: ClosedSession[];
  sessions: NewSession[];
  /** The latest instant the batch reports, for the room's last activity. */
  latestAt: Date | null;
  /** Connections that arrived (new stays), for the presence-changed signal. */
  added: Presence[];
  /** Rows that were in the database and went. */
  removed: Presence[];
  /** Every connection the events or the snapshot named that is present afterwards, as its row will read. */
  present: Presence[];
  /** The batch's `occupied` and `vacated`, in order, for the presence-changed signal. */
  occupancy: OccupancyChange[];
  /**
   * What becomes of the room's `occupied_since`: `since` (null: vacated);
   * with `keepEarlier` an occupied room keeps the time it has. Null: unchanged.
   */
  occupied: { since: Date | null; keepEarlier: boolean } | null;
}

interface Stay {
  user: StoredUser | null;
  joinedAt: Date;
  lastSeen: Date;
  status: UserStatus;
  /** The last moment the stay was active, once it is not (read only then). */
  activeAt: Date;
  /** The row this stay has in the database already (its session is open there), or null for a new stay. */
  stored: Presence | null;
}

/**
 * Plans events against the room's rows before them, read as of `now` (the
 * time the plan's active connections are active at). `before` must hold the
 * row of every connection the events name, and with a snapshot every row of
 * the room. Events apply in order; then a snapshot, if any, decides who is
 * present: rows it lacks end with reason `restart` at their last-seen time,
 * connections in both keep their row and open session, taking the
 * snapshot's status. A join starts active; a status event for a connection
 * that is not there is ignored, like a leave.
 *
 * @example
 * const plan = planRoom(batch, new Map(rows.map((p) => [p.connectionId, p])), new Date());
 */
export function planRoom(batch: RoomChanges, before: ReadonlyMap<string, Presence>, now: Date): RoomPlan {
  const state = new Map<string, Stay | null>();
  const closes: ClosedSession[] = [];
  const sessions: NewSession[] = [];
  const removed: Presence[] = [];
  const occupancy: OccupancyChange[] = [];
  let occupied: RoomPlan["occupied"] = null;
  let keepaliveAt: number | null = null;
  let latestAt: number | null = null;

  const current = (id: string): Stay | null => {
    if (state.has(id)) return state.get(id) ?? null;
    const row = before.get(id);
    return row
      ? {
          user: row.user,
          joinedAt: row.joinedAt,
          lastSeen: row.lastSeenAt,
          status: row.status,
          activeAt: row.activeAt,
          stored: row,
        }
      : null;
  };
  const end = (id: string, stay: Stay, reason: EndReason, at: Date, leaveMs: number | null = null) => {
    if (stay.stored) {
      closes.push({ connectionId: id, reason, at, leaveMs });
      removed.push(stay.stored);
    } else {
      sessions.push({ connectionId: id, user: stay.user, joinedAt: stay.joinedAt, leftAt: at, reason, leaveMs });
    }
    state.set(id, null);
  };
  // A connection seen again as the same user keeps its stay (name and info
  // may change); with another user on it, a new stay begins. The old one
  // then ends "left" at a join, like store.add, or "restart" at its last-seen
  // time when a snapshot says so. A join keeps the status of a stay it
  // continues and starts a new one active; a snapshot's status is the room's.
  const arrive = (
    id: string,
    user: StoredUser | null,
    joinedAt: Date,
    lastSeen: Date,
    via: "join" | { status: UserStatus; activeAt: Date },
  ) => {
    const stay = current(id);
    const reported = via === "join" ? null : via;
    if (stay && stay.user?.id === user?.id) {
      state.set(id, { ...stay, ...reported, user, lastSeen: later(stay.lastSeen, lastSeen) });
      return;
    }
    if (stay) end(id, stay, via === "join" ? "left" : "restart", via === "join" ? joinedAt : stay.lastSeen);
    state.set(id, { user, joinedAt, lastSeen, status: "active", activeAt: joinedAt, ...reported, stored: null });
  };

  for (const event of batch.events) {
    latestAt = Math.max(latestAt ?? event.at, event.at);
    if (event.type === "keepalive") {
      keepaliveAt = Math.max(keepaliveAt ?? event.at, event.at);
    } else if (event.type === "occupied" || event.type === "vacated") {
      const at = new Date(event.at);
      occupancy.push({ type: event.type, at });
      occupied = { since: event.type === "occupied" ? at : null, keepEarlier: false };
    } else if (event.type === "join") {
      const at = new Date(event.at);
      arrive(event.connectionId, toUser(event.user), at, at, "join");
    } else if (event.type === "status") {
      const stay = current(event.connectionId);
      // leaving `active` is when its last active moment is known: the event's
      if (stay && stay.status !== event.status) {
        const activeAt = stay.status === "active" ? new Date(event.at) : stay.activeAt;
        state.set(event.connectionId, { ...stay, status: event.status, activeAt });
      }
    } else {
      const stay = current(event.connectionId);
      if (stay) end(event.connectionId, stay, event.reason, new Date(event.at), event.leaveMs ?? null);
      else state.set(event.connectionId, null);
    }
  }

  if (batch.snapshot) {
    const listed = new Map(batch.snapshot.map((c) => [c.connectionId, c]));
    for (const id of new Set([...before.keys(), ...state.keys()])) {
      const stay = listed.has(id) ? null : current(id);
      if (stay) end(id, stay, "restart", stay.lastSeen);
    }
    for (const c of listed.values()) {
      latestAt = Math.max(latestAt ?? c.lastSeen, c.lastSeen);
      // before 1.2 a room sent neither: active, and active since it joined
      const reported = { status: c.status ?? "active", activeAt: new Date(c.activeAt ?? c.joinedAt) };
      arrive(c.connectionId, toUser(c.user), new Date(c.joinedAt), new Date(c.lastSeen), reported);
    }
    occupied = occupiedBySnapshot(batch.snapshot, occupied);
  }

  const upserts: Presence[] = [];
  const deletes: string[] = [];
  const added: Presence[] = [];
  const present: Presence[] = [];
  for (const [id, stay] of state) {
    const row = before.get(id);
    if (!stay) {
      if (row) deletes.push(id);
      continue;
    }
    const lastSeenAt = keepaliveAt === null ? stay.lastSeen : later(stay.lastSeen, new Date(keepaliveAt));
    const presence: Presence = {
      room: batch.room,
      connectionId: id,
      user: stay.user,
      joinedAt: stay.joinedAt,
      lastSeenAt,
      generation: batch.generation ?? row?.generation ?? null,
      status: stay.status,
      activeAt: stay.status === "active" ? now : stay.activeAt,
    };
    present.push(presence);
    if (!stay.stored) {
      added.push(presence);
      sessions.push({
        connectionId: id,
        user: stay.user,
        joinedAt: stay.joinedAt,
        leftAt: null,
        reason: null,
        leaveMs: null,
      });
    }
    if (!row || !samePresence(row, presence)) upserts.push(presence);
  }

  return {
    upserts,
    deletes,
    keepaliveAt: keepaliveAt === null ? null : new Date(keepaliveAt),
    closes,
    sessions,
    latestAt: latestAt === null ? null : new Date(latestAt),
    added,
    removed,
    present,
    occupancy,
    occupied,
  };
}

/**
 * A snapshot says whether the room is occupied: empty of signed-in users it
 * is not; otherwise it keeps the time an `occupied` of the batch or the copy
 * gave it, else its earliest user's arrival.
 */
function occupiedBySnapshot(
  snapshot: readonly WebhookConnection[],
  occupied: RoomPlan["occupied"],
): RoomPlan["occupied"] {
  let first: number | null = null;
  for (const c of snapshot) if (c.user) first = Math.min(first ?? c.joinedAt, c.joinedAt);
  if (first === null) return { since: null, keepEarlier: false };
  if (occupied?.since) return occupied;
  return { since: new Date(first), keepEarlier: true };
}

/** The presence-changed signal of a plan, for the store's listeners: null when nobody came or went. */
export function changeOf(room: string, plan: RoomPlan): PresenceChangedEvent | null {
  const changed = new Set([...plan.added, ...plan.removed].map((p) => p.connectionId));
  if (changed.size === 0 && plan.occupancy.length === 0) return null;
  const single = changed.size === 1;
  return {
    room,
    added: single ? (plan.added[0] ?? null) : null,
    removed: single ? (plan.removed[0] ?? null) : null,
    bulkChange: !single,
    addedAll: plan.added,
    removedAll: plan.removed,
    occupancy: plan.occupancy,
  };
}

function toUser(user: { id: string; name: string; info?: unknown; kind?: "agent" } | null): StoredUser | null {
  if (!user) return null;
  const kind = user.kind === "agent" ? { kind: user.kind } : {};
  return { id: user.id, name: user.name, info: (user.info ?? null) as Json | null, ...kind };
}

function later(a: Date, b: Date): Date {
  return b > a ? b : a;
}

function samePresence(a: Presence, b: Presence): boolean {
  return (
    a.user?.id === b.user?.id &&
    a.user?.name === b.user?.name &&
    a.user?.kind === b.user?.kind &&
    JSON.stringify(a.user?.info ?? null) === JSON.stringify(b.user?.info ?? null) &&
    a.joinedAt.getTime() === b.joinedAt.getTime() &&
    a.lastSeenAt.getTime() === b.lastSeenAt.getTime() &&
    a.generation === b.generation &&
    a.status === b.status &&
    a.activeAt.getTime() === b.activeAt.getTime()
  );
}
