import { LIMITS } from "@herenow/core";
import {
  type HeadPush,
  type HeadReport,
  ManualClock,
  RoomHead,
  RoomPresence,
  ShardReporter,
  ShardView,
  shardOf,
  type ViewChanges,
} from "@herenow/core/engine";
import type { Ops } from "./sim-crowd";
import { Meter } from "./sim-meter";
import { WindowSockets } from "./window-sockets";

/** The first moment of every simulated room (ms). */
export const START = 1_000_000;
const INTERVAL = LIMITS.diffIntervalMs;

/** A way to lay a room out over objects, driven one diff interval at a time. */
export interface Layout {
  window(ops: Ops): void;
  meters(): Meter[];
  /** The member who arrived first of those here: their leave changes every window. */
  firstMember(): number;
  /** The worst wait from a count change to the counts of every socket, since the last call (ms). */
  takeCountLag(): number;
}

/** One shard: its own people (`RoomPresence`), its reports, and, when simulated in full, its copy and sockets. */
export interface PersonShard {
  room: RoomPresence;
  reporter: ShardReporter;
  /** Only on shards simulated in full. */
  served: { view: ShardView; meter: Meter; sockets: WindowSockets } | null;
}

/**
 * A room sharded by person (issue 27): each member on the shard of their user id, every shard a
 * real `RoomPresence` of its own people and a `ShardReporter`; the coordinator a `RoomHead`. A
 * report sent at the end of one interval is applied by the coordinator in the next and its
 * pushes reach the shards at that one's end, as JSON text. `served` shards also keep a
 * `ShardView` and their sockets' windows (syncs, diffs, counts on the server's cadence).
 */
export class PersonShardedRoom implements Layout {
  readonly clock = new ManualClock(START);
  readonly coordinator = new Meter(null);
  readonly shards: PersonShard[];
  head: RoomHead;
  /** Reports on their way to the coordinator: applied in the next interval. */
  private inFlight: [number, string][] = [];
  private lastCount = 0;
  /** The people each socket that follows anyone follows, so its leave unfollows them. */
  private readonly followsBy = new Map<string, ReadonlySet<string>>();

  constructor(
    readonly shardCount: number,
    readonly headSize: number,
    private readonly windowSize: number,
    served: number,
  ) {
    this.head = new RoomHead({ headSize, shards: shardCount, clock: this.clock });
    const servedAt = new Set(Array.from({ length: served }, (_, k) => Math.floor((k * shardCount) / served)));
    this.shards = Array.from({ length: shardCount }, (_, index) => {
      const room = new RoomPresence({ clock: this.clock, leaveGraceMs: 0, recordEvents: true });
      const view = new ShardView(room, { clock: this.clock });
      const sockets = new WindowSockets(this.windowSize);
      return {
        room,
        reporter: new ShardReporter(room),
        served: servedAt.has(index) ? { view, meter: new Meter(sockets), sockets } : null,
      };
    });
    // every shard starts with a full report
    const at = this.clock.now();
    for (const [index, shard] of this.shards.entries())
      this.send(index, shard.reporter.take({ full: true, at }).report);
  }

  /** The shard of a member's socket: their user's. */
  shardOf(userId: string): number {
    return shardOf(userId, this.shardCount);
  }

  window(ops: Ops): void {
    const start = this.clock.now();
    const at = this.clock.advance(INTERVAL);
    const byShard = new Map<number, Ops>();
    const of = (connectionId: string) => {
      const shard = this.shardOf(`u${connectionId.slice(1)}`);
      let work = byShard.get(shard);
      if (!work) {
        work = { joined: [], left: [], touched: [] };
        byShard.set(shard, work);
      }
      return work;
    };
    for (const socket of ops.joined) of(socket.connectionId).joined.push(socket);
    for (const id of ops.left) of(id).left.push(id);
    for (const id of ops.touched) of(id).touched.push(id);
    for (const [index, work] of byShard) this.run(index, () => this.ownOps(index, work));
    // the coordinator applies what came in during the interval and pushes once at its end
    const arrived = this.inFlight;
    this.inFlight = [];
    const pushes = this.coordinator.run(() => {
      for (const [shard, text] of arrived) {
        this.coordinator.messagesIn++;
        this.coordinator.bytesIn += text.length;
        if (this.head.apply(shard, JSON.parse(text) as HeadReport) === "needs-full") {
          throw new Error(`the coordinator refused shard ${shard}'s report`);
        }
      }
      this.head.takeEvents(); // the webhook's
      return [...this.head.takePushes()].map(([shard, push]) => [shard, JSON.stringify(push)] as const);
    });
    const count = this.head.userCount;
    // a report leaves a shard at the end of an interval and is pushed at the end of the next: a
    // change at the start of the first is in the push two intervals later
    const changedAt = count !== this.lastCount ? start - INTERVAL : null;
    this.lastCount = count;
    const pushFor = new Map<number, string>();
    for (const [shard, text] of pushes) {
      this.coordinator.messagesOut++;
      this.coordinator.bytesOut += text.length;
      pushFor.set(shard, text);
    }
    for (const [index, shard] of this.shards.entries()) {
      const text = pushFor.get(index);
      this.run(index, () => {
        const push = text === undefined ? null : (JSON.parse(text) as HeadPush);
        const changes = push ? shard.served?.view.apply(push) : undefined;
        if (push && changes === "gap") throw new Error(`shard ${index} missed a push`);
        if (push) shard.reporter.heard(push);
        const { report, own } = shard.reporter.take({ full: false, at });
        const served = shard.served;
        if (served) {
          if (text !== undefined) served.meter.bytesIn += text.length;
          if (text !== undefined) served.meter.messagesIn++;
          const fromPush = typeof changes === "object" ? changes : null;
          const diff = mergeChanges(fromPush, own, served.view.seq, served.view.anonymous);
          if (diff) served.sockets.deliver(served.view, diff);
          for (const socket of byShard.get(index)?.joined ?? []) {
            served.sockets.add(socket);
            served.sockets.sync(served.view, socket);
          }
          if (changedAt !== null && push) served.sockets.countChanged(changedAt);
          served.sockets.tickCounts(served.view, at, served.sockets.size);
        }
        this.send(index, report);
      });
    }
  }

  meters(): Meter[] {
    return [this.coordinator, ...this.shards.flatMap((shard) => (shard.served ? [shard.served.meter] : []))];
  }

  firstMember(): number {
    return Number(this.head.head()[0]?.id.slice(1));
  }

  takeCountLag(): number {
    let worst = 0;
    for (const shard of this.shards) worst = Math.max(worst, shard.served?.sockets.takeCountLag() ?? 0);
    return worst;
  }

  /** A shard's own sockets: joins, leaves and heartbeats stay on it; follows go to its reporter. */
  private ownOps(index: number, work: Ops): void {
    const shard = this.shards[index] as PersonShard;
    const { room, reporter } = shard;
    for (const socket of work.joined) {
      room.connect(socket.connectionId, socket.user);
      for (const id of socket.spec.follows) reporter.follow(id);
      if (socket.spec.follows.size > 0) this.followsBy.set(socket.connectionId, socket.spec.follows);
    }
    for (const id of work.left) {
      room.leave(id);
      for (const followed of this.followsBy.get(id) ?? []) reporter.unfollow(followed);
      this.followsBy.delete(id);
      shard.served?.sockets.remove(id);
    }
    for (const id of work.touched) room.touch(id);
  }

  private run(index: number, work: () => void): void {
    const meter = this.shards[index]?.served?.meter;
    if (meter) meter.run(work);
    else work();
  }

  private send(index: number, report: HeadReport | null): void {
    if (!report) return;
    const text = JSON.stringify(report);
    const meter = this.shards[index]?.served?.meter;
    if (meter) {
      meter.messagesOut++;
      meter.bytesOut += text.length;
    }
    this.inFlight.push([index, text]);
  }
}

/** One diff for a shard's sockets: the push's changes (head, followed) and its own users'. */
function mergeChanges(
  push: ViewChanges | null,
  own: ViewChanges | null,
  seq: number,
  anonymous: number,
): ViewChanges | null {
  if (!push && !own) return null;
  const diff: ViewChanges = {
    seq,
    joined: [...(push?.joined ?? []), ...(own?.joined ?? [])],
    updated: [...(push?.updated ?? []), ...(own?.updated ?? [])],
    left: [...(push?.left ?? []), ...(own?.left ?? [])],
    anonymous,
  };
  const leftAt = push?.leftAt ?? own?.leftAt;
  if (leftAt !== undefined) diff.leftAt = leftAt;
  return diff;
}
