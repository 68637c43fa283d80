import {
  type CountMessage,
  DEFAULTS,
  type DiffMessage,
  type PresenceUser,
  type RecentUser,
  type RoomWindow,
  type SyncMessage,
  type UserIdentity,
} from "../protocol";
import { type ApplyResult, applyDiff, byArrival } from "./apply";
import { RecentList } from "./recent-list";

/** What a client knows of a room, as an immutable value that changes identity on every change. */
export interface PresenceSnapshot {
  /** `false` until the first `presence:sync` arrived. */
  synced: boolean;
  room: string | null;
  seq: number;
  self: { connectionId: string; user: UserIdentity | null } | null;
  /** Users in the order they arrived: all of them, or with `window` this connection's window. */
  users: readonly PresenceUser[];
  anonymous: number;
  /** How many users are in the room, listed or not. */
  count: number;
  /** Set while the room is large and `users` is a window of it (protocol 1.1). */
  window: RoomWindow | null;
  /** Users who left a short while ago, newest first (protocol 1.2): from the sync, then from each diff's `left`. */
  recent: readonly RecentUser[];
}

export type { ApplyResult };

/** One frozen empty snapshot, so server renders and first renders compare equal. */
export const EMPTY_SNAPSHOT: PresenceSnapshot = Object.freeze({
  synced: false,
  room: null,
  seq: 0,
  self: null,
  users: Object.freeze([]) as readonly PresenceUser[],
  anonymous: 0,
  count: 0,
  window: null,
  recent: Object.freeze([]) as readonly RecentUser[],
});

/**
 * A client's copy of a room, kept exactly as the protocol says: a sync
 * replaces it, each diff must carry the previous number plus one, an old
 * diff is ignored and a gap is reported so the caller asks for
 * `presence:resync`. In a windowed room (protocol 1.1) a connection only
 * gets the diffs that touch its window, so numbers may jump there; head
 * counts arrive in `presence:count`. A user reported `left` joins `recent`
 * with the diff's `leftAt` (outside a window); one who comes back leaves it.
 * Diffs apply through `applyDiff`.
 *
 * @example
 * const view = new PresenceView();
 * socket.onmessage = (e) => {
 *   const msg = JSON.parse(e.data);
 *   if (view.apply(msg) === "gap") socket.send('{"type":"presence:resync"}');
 * };
 */
export class PresenceView {
  private users = new Map<string, PresenceUser>();
  private current: PresenceSnapshot = EMPTY_SNAPSHOT;
  /** The users list is rebuilt only when read, so applying a diff costs O(changes). */
  private stale = false;
  private readonly recentUsers: RecentList;

  /** `recentMs`: how long a user who left stays in `recent` (default 10 minutes, the room's default). */
  constructor(options: { recentMs?: number } = {}) {
    this.recentUsers = new RecentList(options.recentMs ?? DEFAULTS.recentMs);
  }

  /** The present state; the same object until something changes. */
  get snapshot(): PresenceSnapshot {
    if (this.stale) {
      this.stale = false;
      const users = Array.from(this.users.values());
      // a window's newcomers may have arrived before users it already shows (someone ahead left)
      if (this.current.window) users.sort(byArrival);
      this.current = { ...this.current, users };
    }
    return this.current;
  }

  /** How many users the view holds, without building the list. */
  get size(): number {
    return this.users.size;
  }

  /** How many users the room has, listed or not, without building the list. */
  get count(): number {
    return this.current.count;
  }

  /** One user by id, without building the list. */
  user(id: string): PresenceUser | undefined {
    return this.users.get(id);
  }

  apply(message: SyncMessage | DiffMessage | CountMessage): ApplyResult {
    if (message.type === "presence:sync") {
      this.users = new Map(message.users.map((user) => [user.id, user]));
      this.recentUsers.replace(message.recent ?? []);
      this.current = {
        synced: true,
        room: message.room,
        seq: message.seq,
        self: message.self,
        users: message.users,
        anonymous: message.anonymous,
        count: message.count ?? this.users.size,
        window: message.window ?? null,
        recent: this.recentUsers.list(Date.now()),
      };
      this.stale = this.users.size !== message.users.length;
      return "applied";
    }
    if (message.type === "presence:count") {
      if (!this.current.synced || message.seq < this.current.seq) return "duplicate";
      if (message.count === this.current.count && message.anonymous === this.current.anonymous) return "duplicate";
      this.current = { ...this.current, count: message.count, anonymous: message.anonymous };
      return "applied";
    }
    if (!this.current.synced) return "duplicate";
    const windowed = !!this.current.window;
    const result = applyDiff(this.users, this.current.seq, message, this.recentUsers, windowed, Date.now());
    if (result !== "applied") return result;
    const count = message.count ?? (windowed ? this.current.count : this.users.size);
    // the same list until someone leaves or comes back
    const recent = this.recentUsers.list(Date.now());
    this.current = { ...this.current, seq: message.seq, anonymous: message.anonymous, count, recent };
    this.stale = true;
    return "applied";
  }

  /** Forget everything (a closed socket, a different room). */
  reset(): void {
    this.users = new Map();
    this.current = EMPTY_SNAPSHOT;
    this.stale = false;
  }
}
