import { LIMITS } from "@herenow/core";
import {
  ManualClock,
  type MirrorChanges,
  type PublishedRoom,
  RoomMirror,
  RoomPresence,
  type ShardReport,
  ShardTotals,
  takeShardReport,
} from "@herenow/core/engine";
import type { Ops } from "./sim-crowd";
import { cpuUs, Meter } from "./sim-meter";
import { WindowSockets } from "./window-sockets";

/** The first moment of every simulated room (ms). */
const START = 1_000_000;

/** FNV-1a of the connection id: the shard a socket lands on. */
function shardOf(connectionId: string, shards: number): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < connectionId.length; i++) {
    hash ^= connectionId.charCodeAt(i);
    hash = Math.imul(hash, 16_777_619);
  }
  return (hash >>> 0) % shards;
}

/** A way to lay a room out over objects, driven one 50 ms window at a time. */
export interface Layout {
  /** One 50 ms window of room time; `counts`: a count interval ends with it. */
  window(ops: Ops, counts: boolean): void;
  meters(): Meter[];
  /** The member who arrived first of those here: their leave changes every window. */
  firstMember(): number;
}

/** One object that holds every connection, as a room does today: the baseline. */
export class OneRoom implements Layout {
  private readonly clock = new ManualClock(START);
  private readonly room = new RoomPresence({ clock: this.clock, leaveGraceMs: 0, recordEvents: true });
  readonly meter: Meter;

  constructor(private readonly windowSize: number) {
    this.meter = new Meter(new WindowSockets(this.windowSize));
  }

  window(ops: Ops, counts: boolean): void {
    this.clock.advance(LIMITS.diffIntervalMs);
    const { room } = this;
    const sockets = this.meter.sockets as WindowSockets;
    this.meter.run(() => {
      for (const socket of ops.joined) room.connect(socket.connectionId, socket.user);
      for (const id of ops.left) {
        room.leave(id);
        sockets.remove(id);
      }
      for (const id of ops.touched) room.touch(id);
      const diff = room.takeDiff();
      room.takeEvents(); // the webhook's
      if (diff) sockets.deliver(room, diff);
      for (const socket of ops.joined) {
        sockets.add(socket);
        sockets.sync(room, socket);
      }
      if (counts) sockets.counts(room);
    });
  }

  meters(): Meter[] {
    return [this.meter];
  }

  firstMember(): number {
    return Number(this.room.headIds(1)[0]?.slice(1));
  }
}

interface ServedShard {
  mirror: RoomMirror;
  meter: Meter;
}

/** The room over shards and a coordinator; `served` shards are simulated in full. */
export class ShardedRoom implements Layout {
  readonly clock = new ManualClock(START);
  readonly coordinator = new Meter(null);
  readonly served = new Map<number, ServedShard>();
  private readonly local: RoomPresence[];
  private readonly totals = new ShardTotals();

  /** `mirrors`: how many of the shards are simulated in full (evenly spread). */
  constructor(
    private readonly shardCount: number,
    private readonly windowSize: number,
    mirrors: number,
  ) {
    const options = { clock: this.clock, leaveGraceMs: 0, recordEvents: true };
    this.local = Array.from({ length: shardCount }, () => new RoomPresence(options));
    for (let k = 0; k < mirrors; k++) {
      const mirror = new RoomMirror();
      mirror.replace(this.totals.published());
      this.served.set(Math.floor((k * shardCount) / mirrors), {
        mirror,
        meter: new Meter(new WindowSockets(this.windowSize)),
      });
    }
  }

  window(ops: Ops, counts: boolean): void {
    const at = this.clock.advance(LIMITS.diffIntervalMs);
    // each shard's own sockets: joins, leaves and heartbeats stay on it
    const byShard = new Map<number, Ops>();
    const of = (id: string) => {
      const shard = shardOf(id, this.shardCount);
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
    for (const [shard, work] of byShard) {
      const room = this.local[shard] as RoomPresence;
      const served = this.served.get(shard);
      const apply = () => {
        for (const socket of work.joined) room.connect(socket.connectionId, socket.user);
        for (const id of work.left) {
          room.leave(id);
          served?.meter.sockets?.remove(id);
        }
        for (const id of work.touched) room.touch(id);
      };
      if (served) served.meter.run(apply);
      else apply();
    }
    // every shard with changes reports once; the coordinator parses and applies each report
    const { coordinator, totals } = this;
    for (const [shard, room] of this.local.entries()) {
      const served = this.served.get(shard);
      const take = () => {
        const report = takeShardReport(room, { full: false, at });
        return report && JSON.stringify(report);
      };
      const text = served ? served.meter.run(take) : take();
      if (text === null) continue;
      if (served) {
        served.meter.messagesOut++;
        served.meter.bytesOut += text.length;
      }
      coordinator.messagesIn++;
      coordinator.bytesIn += text.length;
      coordinator.run(() => totals.apply(shard, JSON.parse(text) as ShardReport));
    }
    // one diff, serialised once, the same text to every shard with members
    const sent = coordinator.run(() => {
      const diff = totals.takeDiff();
      totals.takeEvents(); // the webhook's
      return diff && { text: JSON.stringify(diff), recipients: totals.shards().length };
    });
    if (sent) {
      coordinator.messagesOut += sent.recipients;
      coordinator.bytesOut += sent.text.length * sent.recipients;
    }
    for (const [shard, { mirror, meter }] of this.served) {
      const sockets = meter.sockets as WindowSockets;
      meter.run(() => {
        if (sent) {
          const diff = JSON.parse(sent.text) as MirrorChanges;
          if (mirror.apply(diff) !== "applied") throw new Error(`shard ${shard}'s copy missed a diff`);
          sockets.deliver(mirror, diff);
        }
        // newcomers' syncs come from the copy, which now has them
        for (const socket of byShard.get(shard)?.joined ?? []) {
          sockets.add(socket);
          sockets.sync(mirror, socket);
        }
        if (counts) sockets.counts(mirror);
      });
      if (sent) {
        meter.messagesIn++;
        meter.bytesIn += sent.text.length;
      }
    }
  }

  meters(): Meter[] {
    return [this.coordinator, ...[...this.served.values()].map((shard) => shard.meter)];
  }

  firstMember(): number {
    return Number(this.totals.headIds(1)[0]?.slice(1));
  }

  /** Checks each full copy against the coordinator: the simulation must keep them equal. */
  check(): void {
    const head = this.totals.headIds(this.windowSize).join();
    for (const [shard, { mirror }] of this.served) {
      if (mirror.userCount !== this.totals.userCount || mirror.headIds(this.windowSize).join() !== head) {
        throw new Error(`shard ${shard}'s copy disagrees with the coordinator`);
      }
    }
  }

  /**
   * The heap and CPU of one shard's copy built from the room's state (as a new shard gets it),
   * of a coordinator rebuilt from every shard's full report (as after its restart), and of one
   * full report applied to the running coordinator (as after one shard's restart).
   */
  memory(): Restarts {
    const stateText = JSON.stringify(this.totals.published());
    const before = heap();
    const mirror = new RoomMirror();
    const copyUs = cpuUs(() => mirror.replace(JSON.parse(stateText) as PublishedRoom));
    const mirrorBytes = heap() - before;
    if (mirror.userCount !== this.totals.userCount) throw new Error("the copy from the state lost users");
    const at = this.clock.now();
    const reports = this.local.map((room) => JSON.stringify(takeShardReport(room, { full: true, at })));
    const start = heap();
    const rebuilt = new ShardTotals();
    const rebuildUs = cpuUs(() => {
      for (const [shard, text] of reports.entries()) rebuilt.apply(shard, JSON.parse(text) as ShardReport);
      rebuilt.takeDiff();
      rebuilt.takeEvents();
    });
    const coordinatorBytes = heap() - start;
    if (rebuilt.userCount !== this.totals.userCount) throw new Error("the rebuilt coordinator lost users");
    const oneShardUs = cpuUs(() => {
      this.totals.apply(0, JSON.parse(reports[0] as string) as ShardReport);
      // the shard came back with what it had: nothing changed for anyone
      if (this.totals.takeDiff() !== null) throw new Error("a shard's unchanged full report made a diff");
    });
    return {
      mirrorBytes,
      coordinatorBytes,
      stateBytes: stateText.length,
      copyUs,
      rebuildUs,
      oneShardUs,
      reportBytes: reports[0]?.length ?? 0,
    };
  }
}

export interface Restarts {
  mirrorBytes: number;
  coordinatorBytes: number;
  /** The room's state as the coordinator sends it to a new shard. */
  stateBytes: number;
  copyUs: number;
  rebuildUs: number;
  oneShardUs: number;
  /** One shard's full report. */
  reportBytes: number;
}

/** The heap in use after a full collection. */
function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (npm run shard-sim -w @herenow/bench does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
