/** The watch list of one shard: who it must report, and the changes not yet sent to it. */
interface WatchList {
  ids: Set<string>;
  added: Set<string>;
  removed: Set<string>;
}

/**
 * Who follows whom in a room sharded by person, as its coordinator keeps it: for each followed
 * person the shards whose sockets follow them, and for each shard the people it must watch (the
 * followed people it holds, `ownerOf`), with the changes not yet sent to it.
 *
 * @example
 * const follows = new FollowIndex((id) => shardOf(id, 128));
 * follows.follow(3, "u7"); // shard 3's sockets follow u7: u7's shard watches u7
 * follows.takeWatchChanges(shardOf("u7", 128)); // { add: ["u7"], remove: [] }
 */
export class FollowIndex {
  private readonly followers = new Map<string, Set<number>>();
  private readonly watches = new Map<number, WatchList>();

  constructor(private readonly ownerOf: (userId: string) => number) {}

  /** Whether any shard follows the person. */
  has(userId: string): boolean {
    return this.followers.has(userId);
  }

  /** Whether `shard` follows the person. */
  follows(shard: number, userId: string): boolean {
    return this.followers.get(userId)?.has(shard) ?? false;
  }

  follow(shard: number, userId: string): void {
    let shards = this.followers.get(userId);
    if (!shards) {
      shards = new Set();
      this.followers.set(userId, shards);
      this.setWatch(userId, true);
    }
    shards.add(shard);
  }

  unfollow(shard: number, userId: string): void {
    const shards = this.followers.get(userId);
    if (!shards?.delete(shard) || shards.size > 0) return;
    this.followers.delete(userId);
    this.setWatch(userId, false);
  }

  /** Everyone `shard` must watch: for its full push. Changes not yet sent are sent with it. */
  takeWatchList(shard: number): string[] {
    const list = this.watchOf(shard);
    list.added.clear();
    list.removed.clear();
    return [...list.ids];
  }

  /** The watch list's changes since the last call, or `undefined` when there are none. */
  takeWatchChanges(shard: number): { add: string[]; remove: string[] } | undefined {
    const list = this.watches.get(shard);
    if (!list || (list.added.size === 0 && list.removed.size === 0)) return undefined;
    const changes = { add: [...list.added], remove: [...list.removed] };
    list.added.clear();
    list.removed.clear();
    return changes;
  }

  private setWatch(userId: string, on: boolean): void {
    const list = this.watchOf(this.ownerOf(userId));
    if (on) {
      list.ids.add(userId);
      if (!list.removed.delete(userId)) list.added.add(userId);
    } else {
      list.ids.delete(userId);
      if (!list.added.delete(userId)) list.removed.add(userId);
    }
  }

  private watchOf(shard: number): WatchList {
    let list = this.watches.get(shard);
    if (!list) {
      list = { ids: new Set(), added: new Set(), removed: new Set() };
      this.watches.set(shard, list);
    }
    return list;
  }
}
