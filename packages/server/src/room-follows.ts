import { PREFIXES } from "./storage-keys";

const FOLLOWS_PREFIX = PREFIXES.follows;

/** Who hears of every follow and unfollow, counted per connection (a shard's reporter). */
export interface FollowWatcher {
  follow(userId: string): void;
  unfollow(userId: string): void;
}

/**
 * The users each connection follows (`presence:follow`), kept in the
 * room's storage rather than in the socket's attachment: 100 ids of 128
 * characters are 12.8 KB, and the runtime refuses an attachment over
 * 16 KiB, after which the room could neither touch nor close that socket.
 * Held in memory for the windows, and read back when the room wakes.
 *
 * @example
 * follows.set(connectionId, ["u7", "u42"]);
 * follows.of(connectionId); // ["u7", "u42"]
 */
export class RoomFollows {
  private readonly byConnection = new Map<string, readonly string[]>();
  private watcher: FollowWatcher | null = null;

  constructor(private readonly storage: Pick<DurableObjectStorage, "list" | "put" | "delete">) {}

  /** From now on `watcher` hears of every list that changes, and of every one kept now. */
  watchWith(watcher: FollowWatcher): void {
    this.watcher = watcher;
    for (const ids of this.byConnection.values()) for (const id of ids) watcher.follow(id);
  }

  /** After a start or a wake: the lists of the connections still open; the others' go. */
  async load(open: ReadonlySet<string>): Promise<void> {
    const entries = await this.storage.list<string[]>({ prefix: FOLLOWS_PREFIX });
    const gone: string[] = [];
    for (const [key, ids] of entries) {
      const id = key.slice(FOLLOWS_PREFIX.length);
      if (!open.has(id)) gone.push(key);
      else if (!this.byConnection.has(id)) this.keep(id, ids);
    }
    if (gone.length > 0) await this.storage.delete(gone);
  }

  /** The users a connection follows (none until it sent `presence:follow`). */
  of(connectionId: string): readonly string[] {
    return this.byConnection.get(connectionId) ?? [];
  }

  /** Replaces a connection's list. */
  set(connectionId: string, ids: readonly string[]): void {
    if (ids.length === 0) {
      this.forget(connectionId);
      return;
    }
    this.drop(connectionId);
    this.keep(connectionId, ids);
    void this.storage.put(FOLLOWS_PREFIX + connectionId, ids);
  }

  /** A connection closed: its list goes. */
  forget(connectionId: string): void {
    if (!this.drop(connectionId)) return;
    void this.storage.delete(FOLLOWS_PREFIX + connectionId);
  }

  private keep(connectionId: string, ids: readonly string[]): void {
    this.byConnection.set(connectionId, ids);
    for (const id of ids) this.watcher?.follow(id);
  }

  private drop(connectionId: string): boolean {
    const ids = this.byConnection.get(connectionId);
    if (!ids) return false;
    this.byConnection.delete(connectionId);
    for (const id of ids) this.watcher?.unfollow(id);
    return true;
  }
}
