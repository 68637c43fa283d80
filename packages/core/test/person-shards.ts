// A room sharded by person for the tests: shards of core's real `RoomPresence`, each with its
// `ShardReporter` and `ShardView`, and a `RoomHead` coordinator (with its own agents, the virtual
// shard -1, when asked), run one diff interval at a time, as the server's `ShardLink` runs them.
import {
  type LingeringConnection,
  type ManualClock,
  mergePages,
  OwnChanges,
  type RestoredConnection,
  RoomHead,
  RoomPresence,
  ShardReporter,
  ShardView,
  shardOf,
  type UserPage,
  type ViewChanges,
} from "../src/engine";

/** Where the coordinator's own members (agents without a socket) sit among the shards. */
const AGENTS = -1;

export interface Shard {
  room: RoomPresence;
  reporter: ShardReporter;
  view: ShardView;
  /** The people its sockets follow, one entry per socket's follow. */
  follows: string[];
  /** How many of the room's first users its sockets show (`SHOWS_EVERYONE` with a version 1 client): its reports say `shows`. */
  shows: number;
  /** The number of its last report, and its own diffs by the report they went with, until a push includes them. */
  reportNo: number;
  own: OwnChanges;
}

export interface PersonShardsOptions {
  shards: number;
  headSize: number;
  spares?: number;
  recentMs: number;
  room?: ConstructorParameters<typeof RoomPresence>[0];
  /** The coordinator keeps its own members (agents) in `agents`, reported as the shard `AGENTS`. */
  agents?: boolean;
}

/** The shards and coordinator of one room, each user on the shard of their id, anonymous ones on their connection's. */
export class PersonShards {
  readonly shards: Shard[];
  head: RoomHead;
  /** The coordinator's own members, when `options.agents`. */
  agents: RoomPresence | null = null;
  private agentReporter: ShardReporter | null = null;
  private agentReportNo = 0;
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
    if (options.agents) this.setAgents(new RoomPresence(this.roomOptions()));
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

  /**
   * One diff interval: every shard reports, the coordinator pushes, every shard applies its push.
   * Returns what each shard's sockets are told: the push's changes with the shard's own diffs
   * of the reports it includes, as one diff under the push's number (the server's `OwnChanges`).
   */
  flush(): Map<number, ViewChanges> {
    const at = this.clock.now();
    const restarted = this.coordinatorRestarted;
    this.coordinatorRestarted = false;
    if (this.agents && this.agentReporter) {
      this.agents.tick();
      const { report } = this.agentReporter.take({ full: this.agentReportNo === 0, at, no: this.agentReportNo + 1 });
      if (report) this.head.apply(AGENTS, report);
      if (report) this.agentReportNo++;
    }
    for (const [index, shard] of this.shards.entries()) {
      shard.room.tick();
      const full = this.needFull.delete(index);
      const report = this.report(shard, full, at);
      const refused = report !== null && this.head.apply(index, report) === "needs-full";
      if (refused) {
        this.refused++;
        shard.reporter.unsent(report);
      }
      // a restarted coordinator asks every shard for everything; a report already on its way is refused first
      if (refused || (restarted && !full)) {
        const again = this.report(shard, true, at);
        if (again) this.head.apply(index, again);
      }
    }
    const told = new Map<number, ViewChanges>();
    for (const [index, push] of this.head.takePushes()) {
      if (index === AGENTS) {
        this.agentReporter?.heard(push);
        continue;
      }
      const shard = this.shards[index] as Shard;
      let applied = shard.view.apply(push);
      let heard = push;
      if (applied === "gap") {
        heard = this.head.snapshotFor(index);
        applied = shard.view.apply(heard);
      }
      if (applied === "duplicate" || applied === "gap") continue;
      shard.reporter.heard(heard);
      told.set(index, shard.own.mergeInto(applied, heard.reportNo, heard.at));
    }
    return told;
  }

  /** A shard's process restarted: its room comes back from its sockets and storage, it reports everything. */
  restartShard(index: number): void {
    const old = this.shards[index] as Shard;
    const shard = this.newShard(restarted(old.room, this.lingering, this.roomOptions()));
    shard.shows = old.shows;
    for (const userId of old.follows) {
      shard.follows.push(userId);
      shard.reporter.follow(userId);
    }
    this.shards[index] = shard;
    this.needFull.add(index);
  }

  /**
   * The coordinator restarted with its number and recent list (and its agents as `agents` gives
   * them back): it asks every shard for a full report, and each shard takes its next full push
   * whatever its number (`ShardView.reset`).
   */
  restartCoordinator(agents?: RoomPresence): void {
    const old = this.head;
    this.head = this.newHead(old.seq);
    this.head.restoreRecent(old.recent());
    if (agents) this.setAgents(agents);
    for (const shard of this.shards) shard.view.reset();
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

  /** A shard's report of this interval, numbered, its own diff kept until a push includes it. */
  private report(shard: Shard, full: boolean, at: number) {
    const no = shard.reportNo + 1;
    const { report, own } = shard.reporter.take({ full, at, no, shows: shard.shows });
    if (!report) return null;
    shard.reportNo = no;
    if (own) shard.own.add(no, own);
    return report;
  }

  private setAgents(agents: RoomPresence): void {
    this.agents = agents;
    this.agentReporter = new ShardReporter(agents);
    this.agentReportNo = 0;
  }

  private roomOptions() {
    return { ...this.options.room, clock: this.clock, recordEvents: true, recentMs: this.options.recentMs };
  }

  private newHead(seq: number): RoomHead {
    const { shards, headSize, spares, recentMs } = this.options;
    // an agent is watched at the coordinator, a person on their shard
    const ownerOf = (id: string) => (this.agents?.hasUser(id) ? AGENTS : shardOf(id, shards));
    return new RoomHead({ headSize, shards, spares, recentMs, seq, clock: this.clock, ownerOf });
  }

  private newShard(room: RoomPresence): Shard {
    const view = new ShardView(room, { clock: this.clock, recentMs: this.options.recentMs });
    return { room, reporter: new ShardReporter(room), view, follows: [], shows: 0, reportNo: 0, own: new OwnChanges() };
  }
}

/**
 * A room as its host brings it back after a restart: live connections from their sockets (the
 * `pinned` ones pinned), lingering ones as stored, each user's state and stay as kept.
 */
export function restarted(
  room: RoomPresence,
  lingering: ReadonlyMap<string, LingeringConnection>,
  options: ConstructorParameters<typeof RoomPresence>[0],
  pinned: ReadonlySet<string> = new Set(),
): RoomPresence {
  const withState = <C extends RestoredConnection>(connection: C): C => {
    const state = connection.user ? room.userState(connection.user.id) : null;
    return state ? { ...connection, state: state.state, stateAt: state.stateAt, since: state.since } : connection;
  };
  const live = room
    .snapshotConnections()
    .filter((connection) => room.isLive(connection.id))
    .map((connection) => withState(pinned.has(connection.id) ? { ...connection, pinned: true } : connection));
  const stillLingering = [...lingering.values()].filter((item) => room.has(item.id) && !room.isLive(item.id));
  const fresh = new RoomPresence(options);
  fresh.restore(live, stillLingering.map(withState), room.seq);
  fresh.restoreRecent(room.recent());
  return fresh;
}
