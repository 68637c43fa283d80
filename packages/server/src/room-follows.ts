import { PREFIXES } from "./storage-keys";

const FOLLOWS_PREFIX = PREFIXES.follows;

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

  constructor(private readonly storage: Pick<DurableObjectStorage, "list" | "put" | "delete">) {}

  /** After a start or a wake: the lists of the connections still open; the others' go. */
  async load(open: ReadonlySet<string>): Promise<void> {
    const entries = await this.storage.list<string[]>({ prefix: FOLLOWS_PREFIX });
    const gone: string[] = [];
    for (const [key, ids] of entries) {
      const id = key.slice(FOLLOWS_PREFIX.length);
      if (open.has(id)) this.byConnection.set(id, ids);
      else gone.push(key);
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
    this.byConnection.set(connectionId, ids);
    void this.storage.put(FOLLOWS_PREFIX + connectionId, ids);
  }

  /** A connection closed: its list goes. */
  forget(connectionId: string): void {
    if (!this.byConnection.delete(connectionId)) return;
    void this.storage.delete(FOLLOWS_PREFIX + connectionId);
  }
}
