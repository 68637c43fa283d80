import type { DiffMessage } from "@herenow/core";
import { type ConnectionEvent, type ShardReport, ShardTotals, shardOf } from "@herenow/core/engine";
import type { KickTarget, ShardRpc } from "./room-rpc";
import type { ReportReply, ShardPush } from "./shard-link";
import { KEYS } from "./storage-keys";

/** What `RoomCoordinator` needs of the object it serves. */
export interface CoordinatorHost {
  shard(index: number): ShardRpc;
  /** How many shards the room spreads over (`HERENOW_SHARDS`). */
  readonly shardCount: number;
  readonly storage: Pick<DurableObjectStorage, "get" | "put">;
  /** How long the room remembers who left (`HERENOW_RECENT_MS`). */
  readonly recentMs?: number;
  /** A shard reported: the room's diff goes out at the end of the coalescing window. */
  changed(): void;
  /**
   * What changed among the coordinator's own members (agents without a socket) since the
   * last call, as a shard's report, or `null`: they are the room's "virtual shard".
   */
  ownReport?(full: boolean, at: number): ShardReport | null;
  /** The room changed (once per window): for the webhook and `onPresenceChanged`. */
  published(diff: DiffMessage | null, events: ConnectionEvent[], at: number): void;
  log(message: string): void;
}

const SEQ_KEY = KEYS.coordinatorSeq;
const SHARDS_KEY = KEYS.coordinatorShards;
/** How long a restarted coordinator waits for its shards to tell it everything before it gives up on the silent ones. */
export const REBUILD_MS = 3000;
/** Where the coordinator's own members (agents) sit among the shards: no object, never sent anything. */
const OWN_SHARD = -1;

/**
 * The coordinator half of a sharded room: the room's own object, holding no
 * sockets. It adds up the shards' reports (`ShardTotals`), numbers the room's
 * diffs, sends each diff once to every shard that has anyone, and keeps
 * what it needs to come back: the last diff's number and which shards have
 * anyone. After a restart it has nothing else, so it asks those shards for
 * everything and sends them the whole room once they answered (or after
 * `REBUILD_MS` without the silent ones): no user is shown who is not
 * connected, and nobody who is disappears.
 */
export class RoomCoordinator {
  totals: ShardTotals;
  /** Shards that sent everything since this process started: a partial report from another is refused. */
  private readonly known = new Set<number>();
  /** Shards that had anyone at the last diff, as stored. */
  private live = new Set<number>();
  private rebuilding: { waiting: Set<number>; until: number } | null = null;
  private waiters: ((seq: number) => void)[] = [];

  constructor(private readonly host: CoordinatorHost) {
    this.totals = new ShardTotals({ recentMs: host.recentMs });
  }

  async load(now: number): Promise<void> {
    const seq = (await this.host.storage.get<number>(SEQ_KEY)) ?? 0;
    this.totals = new ShardTotals({ seq, recentMs: this.host.recentMs });
    // the agents it kept: clients and the webhook saw them before the restart
    const own = this.host.ownReport?.(true, now);
    if (own) this.totals.seed(OWN_SHARD, own);
    this.live = new Set((await this.host.storage.get<number[]>(SHARDS_KEY)) ?? []);
    if (this.live.size === 0) return;
    this.rebuilding = { waiting: new Set(this.live), until: now + REBUILD_MS };
    for (const shard of this.live) {
      this.host
        .shard(shard)
        .herenowRefresh()
        .catch((error) => this.host.log(`shard ${shard} did not answer its restarted coordinator: ${String(error)}`));
    }
  }

  /** When a restarted coordinator stops waiting for silent shards, or `null`. */
  rebuildDue(): number | null {
    return this.rebuilding?.until ?? null;
  }

  /** A shard's report; resolves with the number of the diff that includes it. */
  async report(shard: number, report: ShardReport): Promise<ReportReply> {
    if (report.full) this.known.add(shard);
    else if (!this.known.has(shard)) return { need: "full" };
    this.totals.apply(shard, report);
    this.rebuilding?.waiting.delete(shard);
    this.host.changed();
    return { seq: await this.nextDiff() };
  }

  /** Resolves with the number of the room's next diff once it went out. */
  nextDiff(): Promise<number> {
    return new Promise<number>((resolve) => this.waiters.push(resolve));
  }

  /** Ends a coalescing window: the room's diff to every shard with anyone. */
  flush(now: number): void {
    const own = this.host.ownReport?.(false, now);
    if (own) this.totals.apply(OWN_SHARD, own);
    if (this.rebuilding) {
      if (this.rebuilding.waiting.size > 0 && now < this.rebuilding.until) return;
      for (const shard of this.rebuilding.waiting) {
        this.host.log(`shard ${shard} did not answer within ${REBUILD_MS} ms; its connections are dropped`);
        this.totals.dropShard(shard, now);
      }
      this.rebuilding = null;
      const diff = this.totals.takeDiff();
      // Every connection the shards reported reads as a join to totals that started empty; the
      // webhook's new generation begins with a snapshot of them instead (sent after this point).
      this.totals.takeEvents();
      // a restarted coordinator cannot say what changed since its last diff: the shards get the whole room
      this.send(this.shards(), JSON.stringify({ published: this.totals.published() } satisfies ShardPush));
      this.finish(diff, now);
      return;
    }
    const diff = this.totals.takeDiff();
    if (diff) this.send(this.shards(), JSON.stringify({ diff } satisfies ShardPush));
    this.finish(diff, now);
  }

  /** Sends a text to every shard with anyone (an application's message to the whole room). */
  broadcast(text: string): void {
    for (const shard of this.shards()) {
      this.host
        .shard(shard)
        .herenowBroadcast(text)
        .catch((error) => this.host.log(`shard ${shard} missed a broadcast: ${String(error)}`));
    }
  }

  /**
   * Closes a user's or a connection's sockets: they are all on one shard (the
   * user's, or the one the connection's id hashes to), asked even when the
   * coordinator does not know it has anyone, since a socket that just opened
   * may not be reported yet. Resolves to how many connections went.
   */
  kick(target: KickTarget, banUntil: number | null = null): Promise<number> {
    const key = "userId" in target ? target.userId : target.connectionId;
    return this.host.shard(shardOf(key, this.host.shardCount)).herenowKick(target, banUntil);
  }

  /** The shard objects with anyone on them (not the coordinator's own members). */
  private shards(): number[] {
    return this.totals.shards().filter((shard) => shard !== OWN_SHARD);
  }

  private send(shards: number[], push: string): void {
    for (const shard of shards) {
      // a shard that misses a diff sees the gap in the next one and asks for the room
      this.host
        .shard(shard)
        .herenowPush(push)
        .catch((error) => this.host.log(`shard ${shard} missed diff: ${String(error)}`));
    }
  }

  private finish(diff: DiffMessage | null, now: number): void {
    const events = this.totals.takeEvents();
    if (diff) void this.host.storage.put(SEQ_KEY, diff.seq);
    const live = new Set(this.shards());
    if (live.size !== this.live.size || [...live].some((shard) => !this.live.has(shard))) {
      this.live = live;
      void this.host.storage.put(SHARDS_KEY, [...live]);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(this.totals.seq);
    this.host.published(diff, events, now);
  }
}
