import type { DiffMessage } from "@herenow/core";
import {
  type ConnectionEvent,
  type HeadPush,
  type HeadReport,
  RoomHead,
  type RoomPresence,
  ShardReporter,
  shardOf,
} from "@herenow/core/engine";
import type { KickTarget, ShardRpc } from "./room-rpc";
import type { ReportReply } from "./shard-link";
import { KEYS } from "./storage-keys";

/** What `RoomCoordinator` needs of the object it serves. */
export interface CoordinatorHost {
  shard(index: number): ShardRpc;
  /** How many shards the room spreads over (`HERENOW_SHARDS`). */
  readonly shardCount: number;
  /** How many users the head holds while no shard has sockets that list the whole room. */
  readonly headSize: number;
  readonly storage: Pick<DurableObjectStorage, "get" | "put">;
  /** How long the room remembers who left (`HERENOW_RECENT_MS`). */
  readonly recentMs?: number;
  /** The coordinator's own members (agents without a socket): the room's "virtual shard". */
  readonly own: RoomPresence;
  /** A shard reported: the room's pushes go out at the end of the coalescing window. */
  changed(): void;
  /** The room changed (once per window): for the webhook, the recent list and `onPresenceChanged`. */
  published(diff: DiffMessage | null, events: ConnectionEvent[], at: number, recentChanged: boolean): void;
  log(message: string): void;
}

const SEQ_KEY = KEYS.coordinatorSeq;
const SHARDS_KEY = KEYS.coordinatorShards;
/** How long a restarted coordinator waits for its shards to tell it everything before it gives up on the silent ones. */
export const REBUILD_MS = 3000;
/** Where the coordinator's own members (agents) sit among the shards: no object, never sent anything. */
const OWN_SHARD = -1;

/**
 * The coordinator half of a room sharded by person: the room's own object,
 * holding no sockets and no list of the room. It keeps what every client
 * needs (`RoomHead`: each shard's counts, the room's first users by arrival,
 * the people shards' sockets follow), numbers the room's pushes and sends
 * each shard its own every interval in which anything changed, and keeps
 * what it needs to come back: the last push's number and which shards have
 * anyone. After a restart it has nothing else, so it asks those shards for
 * everything and sends them the room once they answered (or after
 * `REBUILD_MS` without the silent ones): no user is shown who is not
 * connected, and nobody who is disappears.
 */
export class RoomCoordinator {
  head: RoomHead;
  /** The agents' side of the virtual shard: reported like a shard's people. */
  private readonly ownReporter: ShardReporter;
  private ownFull = true;
  private ownNo = 0;
  /** Shards that had anyone at the last push, as stored. */
  private live = new Set<number>();
  private rebuilding: { waiting: Set<number>; until: number } | null = null;
  private waiters: (() => void)[] = [];
  private savedSeq = 0;

  constructor(private readonly host: CoordinatorHost) {
    this.head = this.newHead(0);
    this.ownReporter = new ShardReporter(host.own);
  }

  async load(now: number): Promise<void> {
    this.savedSeq = (await this.host.storage.get<number>(SEQ_KEY)) ?? 0;
    this.head = this.newHead(this.savedSeq);
    // the agents it kept: clients and the webhook saw them before the restart
    this.takeOwn(now);
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

  /** A shard's report: taken (the push that includes it names its number), or refused until a full one comes. */
  report(shard: number, report: HeadReport): ReportReply {
    if (this.head.apply(shard, report) === "needs-full") return { need: "full" };
    this.rebuilding?.waiting.delete(shard);
    this.host.changed();
    return { ok: true };
  }

  /** Resolves once the next interval's pushes went out. */
  nextPush(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Ends a coalescing window: each shard with anyone gets its push. */
  flush(now: number): void {
    this.takeOwn(now);
    if (this.rebuilding) {
      if (this.rebuilding.waiting.size > 0 && now < this.rebuilding.until) return;
      for (const shard of this.rebuilding.waiting) {
        this.host.log(`shard ${shard} did not answer within ${REBUILD_MS} ms; its connections are dropped`);
        this.head.dropShard(shard, now);
      }
      this.rebuilding = null;
    }
    const pushes = this.head.takePushes();
    const live = this.shards();
    for (const [shard, push] of pushes) {
      if (shard === OWN_SHARD) this.ownReporter.heard(push);
      else if (live.includes(shard)) this.send(shard, push);
    }
    const { diff, recentChanged } = this.head.takeChange();
    this.finish(diff, recentChanged, live, now);
  }

  /** This shard's part of the room, whole: for a shard that missed a push or woke without its copy. */
  snapshotFor(shard: number): HeadPush {
    return this.head.snapshotFor(shard);
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
    return this.shardFor(target).herenowKick(target, banUntil);
  }

  /** Whether a person (a socket's user, not an agent) with this id is in the room: their shard knows. */
  hasPerson(userId: string): Promise<boolean> {
    return this.shardFor({ userId }).herenowHasUser(userId);
  }

  /** The shard objects with anyone on them (not the coordinator's own members). */
  shards(): number[] {
    return this.head.shards().filter((shard) => shard !== OWN_SHARD && this.head.connectionsOf(shard) > 0);
  }

  private shardFor(target: KickTarget): ShardRpc {
    const key = "userId" in target ? target.userId : target.connectionId;
    return this.host.shard(shardOf(key, this.host.shardCount));
  }

  private newHead(seq: number): RoomHead {
    const { own, shardCount } = this.host;
    return new RoomHead({
      headSize: this.host.headSize,
      shards: shardCount,
      // an agent is watched at the coordinator, a person on their shard
      ownerOf: (userId) => (own.hasUser(userId) ? OWN_SHARD : shardOf(userId, shardCount)),
      seq,
      recentMs: this.host.recentMs,
    });
  }

  /** What changed among the agents, as the virtual shard's report. */
  private takeOwn(at: number): void {
    const { report } = this.ownReporter.take({ full: this.ownFull, at, no: this.ownNo + 1 });
    if (!report) return;
    this.ownNo++;
    this.ownFull = false;
    this.head.apply(OWN_SHARD, report);
  }

  private send(shard: number, push: HeadPush): void {
    // a shard that misses a push sees the gap in the next one and asks for its part of the room
    this.host
      .shard(shard)
      .herenowPush(JSON.stringify(push))
      .catch((error) => this.host.log(`shard ${shard} missed a push: ${String(error)}`));
  }

  private finish(diff: DiffMessage | null, recentChanged: boolean, shards: number[], now: number): void {
    const events = this.head.takeEvents();
    if (this.head.seq !== this.savedSeq) {
      this.savedSeq = this.head.seq;
      void this.host.storage.put(SEQ_KEY, this.head.seq);
    }
    const live = new Set(shards);
    if (live.size !== this.live.size || [...live].some((shard) => !this.live.has(shard))) {
      this.live = live;
      void this.host.storage.put(SHARDS_KEY, [...live]);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    this.host.published(diff, events, now, recentChanged);
  }
}
