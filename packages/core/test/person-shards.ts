// A room sharded by person for the tests: shards of core's real `RoomPresence`, each with its
// `ShardReporter` and `ShardView`, and a `RoomHead` coordinator, run one diff interval at a time.
import {
  type LingeringConnection,
  type ManualClock,
  mergePages,
  type RestoredConnection,
  RoomHead,
  RoomPresence,
  ShardReporter,
  ShardView,
  shardOf,
  type UserPage,
} from "../src/engine";

export interface Shard {
  room: RoomPresence;
  reporter: ShardReporter;
  view: ShardView;
  /** The people its sockets follow, one entry per socket's follow. */
  follows: string[];
}

export interface PersonShardsOptions {
  shards: number;
  headSize: number;
  spares?: number;
  recentMs: number;
  room?: ConstructorParameters<typeof RoomPresence>[0];
}

/** The shards and coordinator of one room, each user on the shard of their id, anonymous ones on their connection's. */
export class PersonShards {
  readonly shards: Shard[];
  head: RoomHead;
  /** What a restarted shard's storage gives back: connections lingering in their grace. */
  readonly lingering = new Map<string, LingeringConnection>();
  /** Reports the coordinator refused, and shards that must report everything next. */
  refused = 0;
  private readonly needFull = new Set<number>();
  private coordinatorRestarted = false;

  constructor(
    readonly clock: ManualClock,
    readonly options: PersonShardsOptions,
  ) {
    this.head = this.newHead(0);
    this.shards = Array.from({ length: options.shards }, () => this.newShard(new RoomPresence(this.roomOptions())));
    // a shard's first report since it started is full
    for (let index = 0; index < options.shards; index++) this.needFull.add(index);
  }

  /** The shard of a socket: its user's, or its own connection id's when it is anonymous. */
  shardIndex(connectionId: string, userId: string | null): number {
    return shardOf(userId ?? connectionId, this.options.shards);
  }

  at(connectionId: string, userId: string | null): RoomPresence {
    return (this.shards[this.shardIndex(connectionId, userId)] as Shard).room;
  }

  follow(shard: number, userId: string): void {
    const part = this.shards[shard] as Shard;
    part.follows.push(userId);
    part.reporter.follow(userId);
  }

  unfollow(shard: number, userId: string): void {
    const part = this.shards[shard] as Shard;
    const at = part.follows.indexOf(userId);
    if (at < 0) return;
    part.follows.splice(at, 1);
    part.reporter.unfollow(userId);
  }

  /** One diff interval: every shard reports, the coordinator pushes, every shard applies its push. */
  flush(): void {
    const at = this.clock.now();
    const restarted = this.coordinatorRestarted;
    this.coordinatorRestarted = false;
    for (const [index, shard] of this.shards.entries()) {
      shard.room.tick();
      const full = this.needFull.delete(index);
      const { report } = shard.reporter.take({ full, at });
      const refused = report !== null && this.head.apply(index, report) === "needs-full";
      if (refused) {
        this.refused++;
        shard.reporter.unsent(report);
      }
      // a restarted coordinator asks every shard for everything; a report already on its way is refused first
      if (refused || (restarted && !full)) {
        const again = shard.reporter.take({ full: true, at }).report;
        if (again) this.head.apply(index, again);
      }
    }
    for (const [index, push] of this.head.takePushes()) {
      const shard = this.shards[index] as Shard;
      let applied = shard.view.apply(push);
      let heard = push;
      if (applied === "gap") {
        heard = this.head.snapshotFor(index);
        applied = shard.view.apply(heard);
      }
      if (applied !== "duplicate") shard.reporter.heard(heard);
    }
  }

  /** A shard's process restarted: its room comes back from its sockets and storage, it reports everything. */
  restartShard(index: number): void {
    const old = this.shards[index] as Shard;
    const { room } = old;
    const withState = <C extends RestoredConnection>(connection: C): C => {
      const state = connection.user ? room.userState(connection.user.id) : null;
      return state ? { ...connection, state: state.state, stateAt: state.stateAt, since: state.since } : connection;
    };
    const live = room.snapshotConnections().filter((connection) => room.isLive(connection.id));
    const lingering = [...this.lingering.values()].filter((item) => room.has(item.id) && !room.isLive(item.id));
    const fresh = new RoomPresence(this.roomOptions());
    fresh.restore(live.map(withState), lingering.map(withState), room.seq);
    fresh.restoreRecent(room.recent());
    const shard = this.newShard(fresh);
    for (const userId of old.follows) {
      shard.follows.push(userId);
      shard.reporter.follow(userId);
    }
    this.shards[index] = shard;
    this.needFull.add(index);
  }

  /** The coordinator restarted with its number and recent list: it asks every shard for a full report. */
  restartCoordinator(): void {
    const old = this.head;
    this.head = this.newHead(old.seq);
    this.head.restoreRecent(old.recent());
    this.coordinatorRestarted = true;
  }

  /** Every page of the room, `limit` users each, gathered from every shard. */
  pages(limit: number): UserPage[] {
    const pages: UserPage[] = [];
    let after: string | null = null;
    do {
      const cursor = after;
      const page = mergePages(
        this.shards.map((shard) => shard.view.page(cursor, limit)),
        limit,
      );
      if (!page) throw new Error(`no page after ${cursor}`);
      pages.push(page);
      after = page.next;
    } while (after !== null);
    return pages;
  }

  private roomOptions() {
    return { ...this.options.room, clock: this.clock, recordEvents: true, recentMs: this.options.recentMs };
  }

  private newHead(seq: number): RoomHead {
    const { shards, headSize, spares, recentMs } = this.options;
    return new RoomHead({ headSize, shards, spares, recentMs, seq, clock: this.clock });
  }

  private newShard(room: RoomPresence): Shard {
    const view = new ShardView(room, { clock: this.clock, recentMs: this.options.recentMs });
    return { room, reporter: new ShardReporter(room), view, follows: [] };
  }
}
