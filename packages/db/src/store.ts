import { DEFAULTS } from "@herenow/core";
import type { Kysely } from "kysely";
import { removeOldBatches } from "./batches";
import { type HistoryQuery, type OnlineHistory, onlineHistory } from "./online-history";
import { type PresenceQuality, presenceQuality } from "./presence-quality";
import { getAnonymousCount, getPresences, getRoom, getUsers, listRooms } from "./presence-reads";
import { findPresences, type PresencePage, type PresenceQuery } from "./presence-search";
import type {
  Presence,
  PresenceChangedEvent,
  PresentUser,
  RoomSummary,
  Session,
  StoredUserInput,
  WhoWasHere,
} from "./presence-types";
import { removeEmptyRooms, removeStalePresences, roomsOfConnection, touchConnection } from "./presence-writes";
import { changeOf, type RoomChanges } from "./room-plan";
import { busiestRooms, findRooms, type RoomPage, type RoomQuery } from "./room-search";
import { writeRoomEvents } from "./room-write";
import type { Database, EndReason } from "./schema";
import { listSessions, type SessionQuery, whoWasHere } from "./sessions";
import { STORE_INTERNALS } from "./store-internals";
import { type LastSeen, lastSeen, type Whereabouts, whereAre } from "./whereabouts";

/**
 * The default age after which a presence counts as stale, like `CHANNELS_PRESENCE_MAX_AGE = 60`.
 *
 * @example
 * await store.prunePresences({ maxAgeMs: Number(env.HERENOW_MAX_AGE_MS ?? DEFAULT_MAX_AGE_MS) });
 */
export const DEFAULT_MAX_AGE_MS: number = DEFAULTS.maxAgeMs;

/**
 * How long `pruneBatches` keeps the ids of applied webhook batches: one day.
 *
 * @example
 * await store.pruneBatches({ maxAgeMs: DEFAULT_BATCH_MAX_AGE_MS });
 */
export const DEFAULT_BATCH_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Options for {@link createPresenceStore}.
 *
 * @example
 * createPresenceStore(db, { onError: (error) => logger.error(error), now: () => fakeClock.now() });
 */
export interface PresenceStoreOptions {
  /** Gets what a presence listener threw (or rejected with); the store carries on either way. */
  onError?: (error: unknown, change: PresenceChangedEvent) => void;
  /** The clock for default timestamps. Default `() => new Date()`. */
  now?: () => Date;
}

/**
 * Receives every change after its transaction committed.
 *
 * @example
 * const listener: PresenceListener = ({ room, bulkChange, removedAll }) => metrics.count(room, removedAll.length);
 */
export type PresenceListener = (change: PresenceChangedEvent) => void | Promise<void>;

/**
 * What `add` did. `added` is false when the connection was already in the
 * room as the same user (then nothing is emitted).
 *
 * @example
 * const { added, presence } = await store.add("lobby", "c-1", { id: "u1", name: "Ann" });
 */
export interface AddResult {
  presence: Presence;
  added: boolean;
  /** The connection's previous row when it now carries a different user. */
  replaced: Presence | null;
}

/**
 * Options for `prunePresences` and `pruneBatches`.
 *
 * @example
 * await store.prunePresences({ maxAgeMs: 60_000 });
 */
export interface PruneOptions {
  /**
   * What is older than this goes: presences not seen for that long (default
   * 60 000), batch ids applied that long ago (default one day).
   */
  maxAgeMs?: number;
  now?: Date;
}

/**
 * The presence store: django-channels-presence's `Room` and `Presence`
 * managers and its `presence_changed` signal, async and on Postgres.
 *
 * @example
 * const store = createPresenceStore(db);
 * await store.add("lobby", "c-1", { id: "u1", name: "Ann" });
 * await store.getUsers("lobby"); // [{ id: "u1", name: "Ann", info: null, status: "active", activeAt: <now> }]
 */
export interface PresenceStore {
  /** Adds a connection (creating the room); `user` null or missing = anonymous. @example await store.add("lobby", "c-1", null) */
  add(
    room: string,
    connectionId: string,
    user?: StoredUserInput | null,
    options?: { at?: Date; generation?: string | null },
  ): Promise<AddResult>;
  /** Removes a connection from a room; resolves to the removed row, or null if it was not there. @example await store.remove("lobby", "c-1", "left") */
  remove(room: string, connectionId: string, reason?: EndReason, options?: { at?: Date }): Promise<Presence | null>;
  /** Refreshes a connection's last-seen time in every room; resolves to those rooms. @example await store.touch("c-1") */
  touch(connectionId: string, at?: Date): Promise<string[]>;
  /** Removes a connection from every room (one change per room). @example await store.leaveAll("c-1") */
  leaveAll(connectionId: string, reason?: EndReason, options?: { at?: Date }): Promise<Presence[]>;
  /** Removes presences older than `maxAgeMs`; one bulk change per room. @example await store.prunePresences({ maxAgeMs: 60_000 }) */
  prunePresences(options?: PruneOptions): Promise<Presence[]>;
  /** Deletes rooms nobody is in; resolves to their names. @example await store.pruneRooms() */
  pruneRooms(): Promise<string[]>;
  /**
   * Forgets the idempotency ids of webhook batches applied longer ago than
   * `maxAgeMs` (default one day); resolves to how many went. Rooms retry a
   * batch for minutes, not days, and the room's sequence numbers still catch
   * a very late copy. @example await store.pruneBatches()
   */
  pruneBatches(options?: PruneOptions): Promise<number>;
  /**
   * Distinct signed-in users, by first join, each with the most present
   * status of their connections and the last moment any was active.
   * @example const [ann] = await store.getUsers("lobby"); // { id: "u1", name: "Ann", info: null, status: "idle", activeAt }
   */
  getUsers(room: string): Promise<PresentUser[]>;
  /** Anonymous connections in a room. @example await store.getAnonymousCount("lobby") */
  getAnonymousCount(room: string): Promise<number>;
  /** Every connection in a room, with its own status and activeAt. @example await store.getPresences("lobby") */
  getPresences(room: string): Promise<Presence[]>;
  /** Every room with its counts. @example await store.listRooms() */
  listRooms(): Promise<RoomSummary[]>;
  /** One room with its counts (zeros once everyone left), or `null` for a room the database does not know. @example await store.getRoom("lobby") */
  getRoom(room: string): Promise<RoomSummary | null>;
  /**
   * One page of rooms by name, optionally only those whose name contains
   * `search` (ignoring case), and how many match in all.
   * @example const { rooms, total } = await store.findRooms({ search: "lob", limit: 50, offset: 0 })
   */
  findRooms(query?: RoomQuery): Promise<RoomPage>;
  /**
   * One page of a room's connections, earliest joined first, optionally only
   * those whose user name or id, or connection id, contains `search`
   * (ignoring case), how many match in all, and each listed user's
   * connections in the room.
   * @example const { presences, total } = await store.findPresences({ room: "stage", search: "ann", limit: 50 })
   */
  findPresences(query: PresenceQuery): Promise<PresencePage>;
  /**
   * The rooms with somebody in them, the most people (users plus anonymous
   * connections) first, then the most recently active, then by name: a
   * lobby's list. At most `limit` (1 to 500, default 50).
   * @example const rooms = await store.busiestRooms(20)
   */
  busiestRooms(limit?: number): Promise<RoomSummary[]>;
  /** Who was in a room at an instant, from history. @example await store.whoWasHere("lobby", new Date(Date.now() - 3_600_000)) */
  whoWasHere(room: string, at: Date): Promise<WhoWasHere>;
  /** Session history, newest first. @example await store.sessions({ userId: "u1", limit: 20 }) */
  sessions(query?: SessionQuery): Promise<Session[]>;
  /**
   * When and where each of these users (at most 1,000) was last seen, from
   * the session history; users never seen are absent from the map.
   * @example const ann = (await store.lastSeen(["u1"])).get("u1"); // { at, room: "lobby", here: false }
   */
  lastSeen(userIds: readonly string[]): Promise<Map<string, LastSeen>>;
  /**
   * For each of these users (at most 1,000; every id is in the map): the
   * rooms they are in with their status and since when, or, in none, when
   * they were last seen (null if never).
   * @example const ann = (await store.whereAre(["u1"])).get("u1"); // { rooms: [{ room, status, since }], lastSeen: null }
   */
  whereAre(userIds: readonly string[]): Promise<Map<string, Whereabouts>>;
  /**
   * People and connections online over the last hour (per minute), day (per
   * 10 minutes) or week (per hour), for the site or one room, from the
   * session history.
   * @example const { points } = await store.onlineHistory({ range: "hour", room: "stage" }); // [{ at, people, connections }, ...60]
   */
  onlineHistory(query: HistoryQuery): Promise<OnlineHistory>;
  /**
   * Flaps, vanished stays, time to leave (p50/p95) and restarts over the
   * same ranges, for the site (with the rooms that had any) or one room.
   * @example const { flaps, rooms } = await store.presenceQuality({ range: "hour" });
   */
  presenceQuality(query: HistoryQuery): Promise<PresenceQuality>;
  /** Subscribes to changes; returns the unsubscribe function. @example const off = store.onPresenceChanged(console.info) */
  onPresenceChanged(listener: PresenceListener): () => void;
}

/**
 * Creates a presence store over a database from `createDb` (or any
 * `Kysely<Database>`). Listeners run after each write committed; their
 * errors go to `options.onError` and never fail the write.
 *
 * @example
 * const store = createPresenceStore(createDb(), { onError: (e) => logger.warn(e) });
 * const off = store.onPresenceChanged(({ room, added, removedAll }) => broadcast(room));
 */
export function createPresenceStore(db: Kysely<Database>, options: PresenceStoreOptions = {}): PresenceStore {
  const listeners = new Set<PresenceListener>();
  const now = options.now ?? (() => new Date());

  const report = (error: unknown, change: PresenceChangedEvent) => {
    try {
      options.onError?.(error, change);
    } catch {
      // An error handler that throws must not break the write either.
    }
  };

  const emit = (change: PresenceChangedEvent): void => {
    // A copy, so a listener that unsubscribes itself does not skip the next one.
    for (const listener of [...listeners]) {
      try {
        const result = listener(change);
        if (result && typeof result.then === "function") result.then(undefined, (error) => report(error, change));
      } catch (error) {
        report(error, change);
      }
    }
  };

  /** Writes one room's events as the webhook receiver writes a batch, and tells the listeners. */
  const write = async (changes: RoomChanges, at: Date) => {
    const plan = await writeRoomEvents(db, changes, at);
    const change = plan && changeOf(changes.room, plan);
    if (change) emit(change);
    return plan;
  };

  const store: PresenceStore = {
    async add(room, connectionId, user = null, opts = {}) {
      requireName("add", "room", room);
      requireName("add", "connectionId", connectionId);
      if (user) requireName("add", "user.id", user.id);
      const at = opts.at ?? now();
      const join = { type: "join", connectionId, user, at: at.getTime() } as const;
      const plan = await write({ room, generation: opts.generation ?? null, events: [join] }, at);
      const presence = plan?.present[0];
      if (!plan || !presence) throw new Error(`store.add: nothing was planned for ${connectionId} in ${room}`);
      return { presence, added: plan.added.length > 0, replaced: plan.removed[0] ?? null };
    },

    async remove(room, connectionId, reason = "closed", opts = {}) {
      const at = opts.at ?? now();
      const leave = { type: "leave", connectionId, reason, at: at.getTime() } as const;
      const plan = await write({ room, generation: null, events: [leave] }, at);
      return plan?.removed[0] ?? null;
    },

    touch: (connectionId, at) => touchConnection(db, connectionId, at ?? now()),

    async leaveAll(connectionId, reason = "closed", opts = {}) {
      const at = opts.at ?? now();
      const leave = { type: "leave", connectionId, reason, at: at.getTime() } as const;
      const removed: Presence[] = [];
      // one room after another, each as its own write: every room's lock, plan and signal are its own
      for (const room of await roomsOfConnection(db, connectionId)) {
        const plan = await write({ room, generation: null, events: [leave] }, at);
        removed.push(...(plan?.removed ?? []));
      }
      return removed;
    },

    async prunePresences({ maxAgeMs = DEFAULT_MAX_AGE_MS, now: at = now() } = {}) {
      if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
        throw new RangeError(`prunePresences: maxAgeMs must be a non-negative number of milliseconds, got ${maxAgeMs}`);
      }
      const removed = await removeStalePresences(db, new Date(at.getTime() - maxAgeMs), at);
      const byRoom = new Map<string, Presence[]>();
      for (const presence of removed) {
        const inRoom = byRoom.get(presence.room);
        if (inRoom) inRoom.push(presence);
        else byRoom.set(presence.room, [presence]);
      }
      for (const [room, removedAll] of byRoom) {
        emit({ room, added: null, removed: null, bulkChange: true, addedAll: [], removedAll, occupancy: [] });
      }
      return removed;
    },

    pruneRooms: () => removeEmptyRooms(db),

    async pruneBatches({ maxAgeMs = DEFAULT_BATCH_MAX_AGE_MS, now: at = now() } = {}) {
      if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
        throw new RangeError(`pruneBatches: maxAgeMs must be a non-negative number of milliseconds, got ${maxAgeMs}`);
      }
      return removeOldBatches(db, new Date(at.getTime() - maxAgeMs));
    },

    getUsers: (room) => getUsers(db, room, now()),
    getAnonymousCount: (room) => getAnonymousCount(db, room),
    getPresences: (room) => getPresences(db, room, now()),
    listRooms: () => listRooms(db),
    getRoom: (room) => getRoom(db, room),
    findRooms: (query) => findRooms(db, query),
    findPresences: (query) => findPresences(db, query, now()),
    busiestRooms: (limit) => busiestRooms(db, limit),
    whoWasHere: (room, at) => whoWasHere(db, room, at),
    sessions: (query) => listSessions(db, query),
    lastSeen: (userIds) => lastSeen(db, userIds, now()),
    whereAre: (userIds) => whereAre(db, userIds, now()),
    onlineHistory: (query) => onlineHistory(db, query, now()),
    presenceQuality: (query) => presenceQuality(db, query, now()),

    onPresenceChanged(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  // what createWebhookHandler({ store }) writes through: this database, these listeners
  Object.defineProperty(store, STORE_INTERNALS, { value: { db, emit } });
  return store;
}

function requireName(method: string, field: string, value: unknown): void {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`store.${method} needs ${field} as a non-empty string, got ${JSON.stringify(value)}`);
  }
}
