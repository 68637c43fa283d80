import type { PresenceUser } from "@herenow/core";
import { byArrival, mergePages, type RestoredConnection, type RoomPresence, type UserPage } from "@herenow/core/engine";
import type { ShardRpc } from "./room-rpc";

/** What `RoomGather` needs of a sharded room's coordinator. */
export interface GatherHost {
  /** The shards that have anyone on them now. */
  shards(): number[];
  shard(index: number): ShardRpc;
  /** The coordinator's own members (agents without a socket). */
  readonly own: RoomPresence;
  log(message: string): void;
}

/** How long one shard has to answer one call before it is asked once more, then given up on. */
export const GATHER_TIMEOUT_MS = 5000;
/** Users per call when the whole room is read: a few MiB at most over RPC, with the largest state and info. */
const USERS_PER_CALL = 1000;

/**
 * A shard did not answer (twice): whatever was being gathered would be short
 * of its people, so nothing is answered from it. The caller says "try again".
 */
export class ShardUnavailable extends Error {
  override readonly name = "ShardUnavailable";

  constructor(
    readonly shard: number,
    cause: unknown,
  ) {
    super(
      `shard ${shard} of the room did not answer (${cause instanceof Error ? cause.message : String(cause)}): try again`,
      {
        cause,
      },
    );
  }
}

/**
 * What a sharded room's coordinator reads of the whole room at the moment it
 * is asked, from every shard with anyone and its own members, since no object
 * keeps a list of the whole room: a `presence:page`, every user for the HTTP
 * snapshot, every connection for the webhook's snapshot. Shards are asked at
 * once; one that fails is asked once more, and if it fails again the whole
 * answer fails with `ShardUnavailable` rather than leave its people out.
 *
 * @example
 * const gather = new RoomGather({ shards: () => [0, 2], shard: (k) => stub(k), own: presence, log });
 * const page = await gather.page(null, 100); // null: `after` is no cursor
 */
export class RoomGather {
  constructor(private readonly host: GatherHost) {}

  /** One page of the room in join order, merged from the same page of every shard's own users. */
  async page(after: string | null, limit: number): Promise<UserPage | null> {
    const pages = await this.fromEveryShard((shard) => shard.herenowOwnPage(after, limit));
    return mergePages([...pages, this.host.own.page(after, limit)], limit);
  }

  /** Every user of the room in join order: each shard's own users read page by page, then merged. */
  async users(): Promise<PresenceUser[]> {
    const lists = await this.fromEveryShard(async (shard) => {
      const users: PresenceUser[] = [];
      let after: string | null = null;
      do {
        const page: UserPage | null = await shard.herenowOwnPage(after, USERS_PER_CALL);
        // only a cursor this loop took from the shard itself: never a bad one
        if (!page) throw new Error(`refused its own cursor ${after}`);
        users.push(...page.users);
        after = page.next;
      } while (after !== null);
      return users;
    });
    return [...lists.flat(), ...this.host.own.snapshotUsers()].sort(byArrival);
  }

  /** Every connection of the room: every shard's and the coordinator's own members'. */
  async connections(): Promise<RestoredConnection[]> {
    const lists = await this.fromEveryShard((shard) => shard.herenowOwnConnections());
    return [...lists.flat(), ...this.host.own.snapshotConnections()];
  }

  /** One call to every shard with anyone, at once; a shard that fails twice fails the whole call. */
  private fromEveryShard<T>(call: (shard: ShardRpc) => Promise<T>): Promise<T[]> {
    return Promise.all(this.host.shards().map((index) => this.ask(index, call)));
  }

  private async ask<T>(index: number, call: (shard: ShardRpc) => Promise<T>): Promise<T> {
    try {
      return await withTimeout(call(this.host.shard(index)));
    } catch (first) {
      this.host.log(`shard ${index} did not answer a gather (${String(first)}); asking once more`);
      try {
        return await withTimeout(call(this.host.shard(index)));
      } catch (second) {
        throw new ShardUnavailable(index, second);
      }
    }
  }
}

/** A call's answer, or a rejection once `GATHER_TIMEOUT_MS` passed without one. */
function withTimeout<T>(answer: Promise<T>): Promise<T> {
  let cancel = () => {};
  const timeout = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${GATHER_TIMEOUT_MS} ms`)), GATHER_TIMEOUT_MS);
    cancel = () => clearTimeout(timer);
  });
  return Promise.race([answer, timeout]).finally(() => cancel());
}
