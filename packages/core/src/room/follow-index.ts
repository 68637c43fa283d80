/** The changes of one shard's watch list not yet sent to it. */
interface WatchChanges {
  added: Set<string>;
  removed: Set<string>;
}

/**
 * Who follows whom in a room sharded by person, as its coordinator keeps it: for each followed
 * person the shards whose sockets follow them (one number while it is one shard, as it mostly
 * is: a person followed costs the coordinator what it must know and little more), and the
 * watch list changes not yet sent to the shard that holds each person (`ownerOf`).
 *
 * @example
 * const follows = new FollowIndex((id) => shardOf(id, 128));
 * follows.follow(3, "u7"); // shard 3's sockets follow u7: u7's shard watches u7
 * follows.takeWatchChanges(shardOf("u7", 128)); // { add: ["u7"], remove: [] }
 */
export class FollowIndex {
  private readonly followers = new Map<string, number | Set<number>>();
  private readonly pending = new Map<number, WatchChanges>();

  constructor(readonly ownerOf: (userId: string) => number) {}

  /** Whether any shard follows the person. */
  has(userId: string): boolean {
    return this.followers.has(userId);
  }

  /** Whether `shard` follows the person. */
  follows(shard: number, userId: string): boolean {
    const shards = this.followers.get(userId);
    return typeof shards === "number" ? shards === shard : (shards?.has(shard) ?? false);
  }

  /** The people `shard` follows: O(people followed), for a shard's full report or its drop. */
  *followedBy(shard: number): Generator<string> {
    for (const id of this.followers.keys()) if (this.follows(shard, id)) yield id;
  }

  follow(shard: number, userId: string): void {
    const shards = this.followers.get(userId);
    if (shards === undefined) {
      this.followers.set(userId, shard);
      this.setWatch(userId, true);
    } else if (typeof shards === "number") {
      if (shards !== shard) this.followers.set(userId, new Set([shards, shard]));
    } else shards.add(shard);
  }

  unfollow(shard: number, userId: string): void {
    const shards = this.followers.get(userId);
    if (shards === undefined) return;
    if (typeof shards !== "number") {
      shards.delete(shard);
      if (shards.size === 1) this.followers.set(userId, shards.values().next().value as number);
      return;
    }
    if (shards !== shard) return;
    this.followers.delete(userId);
    this.setWatch(userId, false);
  }

  /** Everyone `shard` must watch: for its full push (O(people followed)). Changes not yet sent go with it. */
  takeWatchList(shard: number): string[] {
    this.pending.delete(shard);
    return [...this.followers.keys()].filter((id) => this.ownerOf(id) === shard);
  }

  /** The watch list's changes since the last call, or `undefined` when there are none. */
  takeWatchChanges(shard: number): { add: string[]; remove: string[] } | undefined {
    const changes = this.pending.get(shard);
    if (!changes) return undefined;
    this.pending.delete(shard);
    return { add: [...changes.added], remove: [...changes.removed] };
  }

  private setWatch(userId: string, on: boolean): void {
    const owner = this.ownerOf(userId);
    let changes = this.pending.get(owner);
    if (!changes) {
      changes = { added: new Set(), removed: new Set() };
      this.pending.set(owner, changes);
    }
    if (on && !changes.removed.delete(userId)) changes.added.add(userId);
    if (!on && !changes.added.delete(userId)) changes.removed.add(userId);
  }
}
