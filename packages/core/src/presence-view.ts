import type { DiffMessage, PresenceUser, SyncMessage, UserIdentity } from "./protocol";

/** What a client knows of a room, as an immutable value that changes identity on every change. */
export interface PresenceSnapshot {
  /** `false` until the first `presence:sync` arrived. */
  synced: boolean;
  room: string | null;
  seq: number;
  self: { connectionId: string; user: UserIdentity | null } | null;
  /** Users in the order they arrived. */
  users: readonly PresenceUser[];
  anonymous: number;
}

/** The outcome of applying one server message. */
export type ApplyResult = "applied" | "duplicate" | "gap";

/** One frozen empty snapshot, so server renders and first renders compare equal. */
export const EMPTY_SNAPSHOT: PresenceSnapshot = Object.freeze({
  synced: false,
  room: null,
  seq: 0,
  self: null,
  users: Object.freeze([]) as readonly PresenceUser[],
  anonymous: 0,
});

/**
 * A client's copy of a room, kept exactly as the protocol says: a sync
 * replaces it, each diff must carry the previous number plus one, an old
 * diff is ignored and a gap is reported so the caller asks for
 * `presence:resync`.
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

  /** The present state; the same object until something changes. */
  get snapshot(): PresenceSnapshot {
    if (this.stale) {
      this.stale = false;
      this.current = { ...this.current, users: Array.from(this.users.values()) };
    }
    return this.current;
  }

  /** How many users the view holds, without building the list. */
  get size(): number {
    return this.users.size;
  }

  /** One user by id, without building the list. */
  user(id: string): PresenceUser | undefined {
    return this.users.get(id);
  }

  apply(message: SyncMessage | DiffMessage): ApplyResult {
    if (message.type === "presence:sync") {
      this.users = new Map(message.users.map((user) => [user.id, user]));
      this.current = {
        synced: true,
        room: message.room,
        seq: message.seq,
        self: message.self,
        users: message.users,
        anonymous: message.anonymous,
      };
      this.stale = this.users.size !== message.users.length;
      return "applied";
    }
    if (!this.current.synced || message.seq <= this.current.seq) return "duplicate";
    if (message.seq !== this.current.seq + 1) return "gap";
    for (const id of message.left) this.users.delete(id);
    for (const user of message.joined) {
      // a stale entry must not keep its old place: joins go to the end
      this.users.delete(user.id);
      this.users.set(user.id, user);
    }
    for (const user of message.updated) this.users.set(user.id, user);
    this.current = { ...this.current, seq: message.seq, anonymous: message.anonymous };
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
