// A room of 10^5 to 10^6 members over shard objects, without sockets: core's RoomPresence (each
// shard's own connections), takeShardReport, ShardTotals (the coordinator), RoomMirror (each
// shard's copy of the whole room) and WindowedDiff (each socket's part), in 50 ms diff windows
// of a fake clock. Members land on shards by a hash of their connection id; heartbeats stay on
// their shard; each window every shard with changes sends one report, the coordinator applies
// them and takes one diff, serialised once and sent to every shard with members; each shard
// applies it to its copy and sends its part to each socket whose window it touches, and counts
// once a second. Measured: a join storm from 0 to N, steady churn, the memory of a shard's copy
// and of the coordinator, and, as the baseline, one object holding everyone (as in §9).
// Run: npm run shard-sim -w @herenow/bench -- --n 100000,1000000 --shards 100
import { parseArgs } from "node:util";
import {
  DEFAULTS,
  LIMITS,
  ManualClock,
  type MirrorChanges,
  RoomMirror,
  RoomPresence,
  type RoomState,
  type ShardReport,
  ShardTotals,
  takeShardReport,
} from "@herenow/core";
import { machineBusySeconds } from "./lib/process-stats";
import { machine, median, table } from "./lib/run";
import { type SimSocket, type SocketTraffic, WindowSockets } from "./lib/window-sockets";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100000,1000000" },
    shards: { type: "string", default: "100" },
    window: { type: "string", default: "100" },
    /** Joins a second (and as many leaves), one row each. */
    churn: { type: "string", default: "50,500" },
    /** Seconds of room time measured for each churn row (after one second not measured). */
    seconds: { type: "string", default: "10" },
    "storm-rate": { type: "string", default: "10000" },
    /**
     * Shards simulated in full (copy of the room, sockets, windows, counts), evenly spread, and
     * at most as many as hold 5 million copied users between them (5 at 1,000,000). The others
     * keep their own rooms and report; every shard gets the same diffs, so a sample gives the
     * median while 100 copies of a million users need not fit in one process.
     */
    mirrors: { type: "string", default: "10" },
    "count-ms": { type: "string", default: "1000" },
  },
});
const sizes = (values.n ?? "").split(",").map(Number);
const shardCount = Number(values.shards);
const windowSize = Number(values.window);
const churnRates = (values.churn ?? "").split(",").map(Number);
const seconds = Number(values.seconds);
const stormRate = Number(values["storm-rate"]);
const mirrorsFor = (n: number) => Math.max(1, Math.min(shardCount, Number(values.mirrors), Math.floor(5e6 / n)));
const countMs = Number(values["count-ms"]);

const WINDOW_MS = LIMITS.diffWindowMs;
const WINDOWS_PER_SECOND = 1000 / WINDOW_MS;
const START = 1_000_000;
/** A Durable Object's memory limit (Cloudflare: 128 MB per isolate). */
const OBJECT_MEMORY = 128 * 2 ** 20;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (npm run shard-sim -w @herenow/bench does)");

/** A small deterministic random source, so runs compare. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** FNV-1a of the connection id: the shard a socket lands on. */
function shardOf(connectionId: string): number {
  let hash = 2_166_136_261;
  for (let i = 0; i < connectionId.length; i++) {
    hash ^= connectionId.charCodeAt(i);
    hash = Math.imul(hash, 16_777_619);
  }
  return (hash >>> 0) % shardCount;
}

/** Events a second spread over the 50 ms windows: how many fall in window `w`. */
const inWindow = (perSecond: number, w: number) =>
  Math.floor(((w + 1) * perSecond) / WINDOWS_PER_SECOND) - Math.floor((w * perSecond) / WINDOWS_PER_SECOND);

/** What the crowd does in one window. */
interface Step {
  joins: number;
  leaves: number;
  /** A given member who leaves (the first of the room, to change everyone's window). */
  leaving?: number;
}

/** One 50 ms window's work: newcomers' sockets, connections that left, heartbeats. */
interface Ops {
  joined: SimSocket[];
  left: string[];
  touched: string[];
}

/**
 * Who is in the room, who comes and who goes: the same sequence for every layout (seeded).
 * Random leaves never pick the members of the storm's first window, who make up the first
 * users everyone sees, so churn is the steady cost; a leave from those first users changes
 * every window in the room and is measured on its own (`leaving`). At random it would come
 * `leaves × window ÷ N` times a second.
 */
class Crowd {
  /** The storm's first window: the head of the room. */
  private readonly first: number[] = [];
  private readonly present: number[] = [];
  private nextMember = 0;
  private heartbeat = 0;
  private readonly pick = random(7);
  private readonly pickFollows = random(11);
  private readonly none = new Set<string>();

  constructor(private readonly n: number) {}

  get size(): number {
    return this.first.length + this.present.length;
  }

  /** One window: `joins` newcomers, `leaves` random members (and the member given), the heartbeats due. */
  window({ joins, leaves, leaving }: Step): Ops {
    const left: string[] = [];
    if (leaving !== undefined) {
      const list = this.first.includes(leaving) ? this.first : this.present;
      list.splice(list.indexOf(leaving), 1);
      left.push(`c${leaving}`);
    }
    for (let k = 0; k < leaves && this.present.length > 0; k++) {
      const at = Math.floor(this.pick() * this.present.length);
      left.push(`c${this.present[at]}`);
      this.present[at] = this.present[this.present.length - 1] as number;
      this.present.pop();
    }
    // every member heartbeats once per interval: a slice of the room each window
    const touched: string[] = [];
    const due = Math.round((this.size * WINDOW_MS) / DEFAULTS.heartbeatMs);
    for (let k = 0; k < due; k++) {
      this.heartbeat = (this.heartbeat + 1) % this.size;
      const member =
        this.heartbeat < this.first.length
          ? this.first[this.heartbeat]
          : this.present[this.heartbeat - this.first.length];
      touched.push(`c${member}`);
    }
    const joined: SimSocket[] = [];
    const head = this.nextMember === 0;
    for (let k = 0; k < joins; k++) {
      const member = this.nextMember++;
      (head ? this.first : this.present).push(member);
      // one member in ten follows five others
      const follows =
        member % 10 === 0
          ? new Set(Array.from({ length: 5 }, () => `u${Math.floor(this.pickFollows() * this.n)}`))
          : this.none;
      joined.push({
        connectionId: `c${member}`,
        user: { id: `u${member}`, name: `User ${member}`, info: {} },
        spec: { size: windowSize, selfUserId: `u${member}`, follows },
        countsAt: 0,
      });
    }
    return { joined, left, touched };
  }
}

/** One object's CPU in each second of room time, and the messages it exchanged with other objects. */
class Meter {
  perSecond: number[] = [];
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  private cpuUs = 0;

  constructor(readonly sockets: WindowSockets | null) {}

  run<T>(work: () => T): T {
    let result: T | undefined;
    this.cpuUs += cpuUs(() => {
      result = work();
    });
    return result as T;
  }

  endSecond(): void {
    this.perSecond.push(this.cpuUs);
    this.cpuUs = 0;
  }

  /** What the phase that ends here measured; counting starts afresh. */
  take(): Phase {
    if (this.cpuUs > 0) this.endSecond();
    const phase: Phase = {
      cpuUs: this.perSecond,
      messagesIn: this.messagesIn,
      bytesIn: this.bytesIn,
      messagesOut: this.messagesOut,
      bytesOut: this.bytesOut,
      sockets: this.sockets?.size ?? 0,
      traffic: this.sockets?.resetTraffic() ?? null,
    };
    this.perSecond = [];
    this.messagesIn = this.bytesIn = this.messagesOut = this.bytesOut = 0;
    return phase;
  }
}

interface Phase {
  cpuUs: number[];
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  sockets: number;
  traffic: SocketTraffic | null;
}

interface Layout {
  /** One 50 ms window of room time; `counts`: a count interval ends with it. */
  window(ops: Ops, counts: boolean): void;
  meters(): Meter[];
  /** The member who arrived first of those here: their leave changes every window. */
  firstMember(): number;
}

/** One object that holds every connection, as a room does today: the baseline. */
class OneRoom implements Layout {
  private readonly clock = new ManualClock(START);
  private readonly room = new RoomPresence({ clock: this.clock, leaveGraceMs: 0, recordEvents: true });
  readonly meter = new Meter(new WindowSockets(windowSize));

  window(ops: Ops, counts: boolean): void {
    this.clock.advance(WINDOW_MS);
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
class ShardedRoom implements Layout {
  readonly clock = new ManualClock(START);
  readonly coordinator = new Meter(null);
  readonly served = new Map<number, ServedShard>();
  private readonly local: RoomPresence[];
  private readonly totals = new ShardTotals();

  constructor(mirrorCount: number) {
    const options = { clock: this.clock, leaveGraceMs: 0, recordEvents: true };
    this.local = Array.from({ length: shardCount }, () => new RoomPresence(options));
    for (let k = 0; k < mirrorCount; k++) {
      const mirror = new RoomMirror();
      mirror.replace(this.totals.state());
      this.served.set(Math.floor((k * shardCount) / mirrorCount), {
        mirror,
        meter: new Meter(new WindowSockets(windowSize)),
      });
    }
  }

  window(ops: Ops, counts: boolean): void {
    const at = this.clock.advance(WINDOW_MS);
    // each shard's own sockets: joins, leaves and heartbeats stay on it
    const byShard = new Map<number, Ops>();
    const of = (id: string) => {
      const shard = shardOf(id);
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
    const head = this.totals.headIds(windowSize).join();
    for (const [shard, { mirror }] of this.served) {
      if (mirror.userCount !== this.totals.userCount || mirror.headIds(windowSize).join() !== head) {
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
    const stateText = JSON.stringify(this.totals.state());
    const before = heap();
    const mirror = new RoomMirror();
    const copyUs = cpuUs(() => mirror.replace(JSON.parse(stateText) as RoomState));
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

interface Restarts {
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

function cpuUs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Runs windows of room time while `plan` gives steps; counts go out every `countMs`. */
function run(layout: Layout, crowd: Crowd, clock: { windows: number }, plan: (w: number) => Step | null) {
  const countEvery = Math.max(1, Math.round(countMs / WINDOW_MS));
  for (let w = 0; ; w++) {
    const step = plan(w);
    if (!step) break;
    clock.windows++;
    layout.window(crowd.window(step), clock.windows % countEvery === 0);
    if (clock.windows % WINDOWS_PER_SECOND === 0) for (const meter of layout.meters()) meter.endSecond();
  }
  return layout.meters().map((meter) => meter.take());
}

const storm = (n: number, crowd: Crowd) => (): Step | null =>
  crowd.size < n ? { joins: Math.min(Math.round(stormRate / WINDOWS_PER_SECOND), n - crowd.size), leaves: 0 } : null;
const churn = (rate: number, windows: number) => (w: number) =>
  w < windows ? { joins: inWindow(rate, w), leaves: inWindow(rate, w) } : null;
/** One window in which the first member leaves: every window in the room changes. */
const headChange = (layout: Layout) => (w: number) =>
  w === 0 ? { joins: 0, leaves: 0, leaving: layout.firstMember() } : null;

interface Measured {
  storm: Phase[];
  churn: Map<number, Phase[]>;
  headChange: Phase[];
  stormMs: number;
}

/** A storm from 0 to N, then each churn rate for a second not measured and `seconds` measured. */
function simulate(layout: Layout, n: number): Measured {
  const crowd = new Crowd(n);
  const clock = { windows: 0 };
  const started = performance.now();
  const stormPhases = run(layout, crowd, clock, storm(n, crowd));
  const stormMs = performance.now() - started;
  const churnPhases = new Map<number, Phase[]>();
  for (const rate of churnRates) {
    run(layout, crowd, clock, churn(rate, WINDOWS_PER_SECOND));
    churnPhases.set(rate, run(layout, crowd, clock, churn(rate, seconds * WINDOWS_PER_SECOND)));
  }
  const headPhases = run(layout, crowd, clock, headChange(layout));
  return { storm: stormPhases, churn: churnPhases, headChange: headPhases, stormMs };
}

/** The sharded room, measured and dropped before the baseline builds its own. */
function simulateSharded(n: number) {
  const sharded = new ShardedRoom(mirrorsFor(n));
  const measured = simulate(sharded, n);
  sharded.check();
  return { measured, memory: sharded.memory() };
}

const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
const fixed = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const percent = (us: number) => `${fixed(us / 1e4, us < 1e5 ? 2 : 1)} %`;
const clientFrames = (t: SocketTraffic) => t.diffFrames + t.countFrames;
const clientBytes = (t: SocketTraffic) => t.diffBytes + t.countBytes;

const churnRows: (string | number)[][] = [];
const stormRows: (string | number)[][] = [];
const memoryRows: (string | number)[][] = [];
const headRows: (string | number)[][] = [];
const restartRows: (string | number)[][] = [];

/** A churn table row for one object (or the median of the shards simulated in full). */
function churnRow(n: number, rate: number, role: string, phases: Phase[], baselineUs: number | null) {
  const per = (f: (p: Phase) => number) => median(phases.map(f)) / seconds;
  const cpuUs = median(phases.map((p) => median(p.cpuUs)));
  const traffic = (f: (t: SocketTraffic) => number) => (p: Phase) => (p.traffic ? f(p.traffic) : 0);
  const hasSockets = phases.some((p) => p.sockets > 0);
  const perClient = (f: (t: SocketTraffic) => number) =>
    hasSockets ? median(phases.map((p) => (p.traffic ? f(p.traffic) / p.sockets : 0))) / seconds : null;
  const frames = perClient(clientFrames);
  const bytes = perClient(clientBytes);
  churnRows.push([
    n.toLocaleString("en-US"),
    `${rate} + ${rate}`,
    role,
    percent(cpuUs),
    baselineUs === null ? "" : `${fixed(baselineUs / Math.max(cpuUs, 1), 0)} ×`,
    hasSockets ? fixed(per(traffic((t) => clientFrames(t) + t.syncs)), 0) : "–",
    phases[0]?.messagesIn
      ? `${fixed(
          per((p) => p.messagesIn),
          0,
        )} / ${fixed(per((p) => p.bytesIn) / 1e3, 1)}`
      : "–",
    phases[0]?.messagesOut
      ? `${fixed(
          per((p) => p.messagesOut),
          0,
        )} / ${fixed(per((p) => p.bytesOut) / 1e3, 1)}`
      : "–",
    frames === null ? "–" : fixed(frames, 3),
    bytes === null ? "–" : fixed(bytes, 0),
  ]);
  return cpuUs;
}

console.log(
  `shard simulation on ${machine()}; ${shardCount} shards (${sizes.map(mirrorsFor).join(", ")} simulated in full), window ${windowSize}, ` +
    `storm at ${stormRate} joins/s, churn ${churnRates.join(", ")} joins and as many leaves a second, ` +
    `${seconds} s measured each, counts every ${countMs} ms`,
);
const busyAtStart = machineBusySeconds();
const ownAtStart = process.cpuUsage();
for (const n of sizes) {
  const { measured: shardRun, memory } = simulateSharded(n);
  console.log(`  N=${n}: sharded storm ${fixed(shardRun.stormMs / 1000, 1)} s, memory measured`);
  const oneRun = simulate(new OneRoom(), n);
  console.log(`  N=${n}: one-room storm ${fixed(oneRun.stormMs / 1000, 1)} s`);

  for (const rate of churnRates) {
    const [oneRoom] = oneRun.churn.get(rate) ?? [];
    const [coordinator, ...shards] = shardRun.churn.get(rate) ?? [];
    if (!oneRoom || !coordinator) continue;
    const baselineUs = churnRow(n, rate, "one room (baseline)", [oneRoom], null);
    churnRow(n, rate, "coordinator", [coordinator], baselineUs);
    churnRow(n, rate, `shard (median of ${shards.length})`, shards, baselineUs);
  }

  const [oneHead] = oneRun.headChange;
  const [coordinatorHead, ...shardHeads] = shardRun.headChange;
  if (oneHead && coordinatorHead) {
    const ms = (p: Phase) => sum(p.cpuUs) / 1000;
    const frames = (p: Phase) => p.traffic?.diffFrames ?? 0;
    const kB = (p: Phase) => (p.traffic?.diffBytes ?? 0) / 1e3;
    const rows: [string, Phase[]][] = [
      ["one room (baseline)", [oneHead]],
      ["coordinator", [coordinatorHead]],
      [`shard (median of ${shardHeads.length})`, shardHeads],
    ];
    for (const [role, phases] of rows) {
      headRows.push([
        n.toLocaleString("en-US"),
        role,
        fixed(median(phases.map(ms)), 2),
        role === "coordinator" ? "–" : fixed(median(phases.map(frames)), 0),
        role === "coordinator" ? "–" : fixed(median(phases.map(kB)), 0),
      ]);
    }
  }

  // N² user entries: every newcomer's full list plus every join sent to everyone present
  const userBytes = memory.stateBytes / n;
  const fullListBytes = n * n * userBytes;
  const stormBytes = (phases: Phase[]) => {
    const bytes = sum(phases.map((p) => (p.traffic ? clientBytes(p.traffic) + p.traffic.syncBytes : 0)));
    return bytes / sum(phases.map((p) => p.sockets));
  };
  const [oneStorm] = oneRun.storm;
  const [coordinatorStorm, ...shardStorms] = shardRun.storm;
  if (oneStorm && coordinatorStorm) {
    const cpuS = (p: Phase) => sum(p.cpuUs) / 1e6;
    const shardCpu = median(shardStorms.map(cpuS));
    const rows: [string, number, number | null][] = [
      ["one room (baseline)", cpuS(oneStorm), stormBytes([oneStorm])],
      ["coordinator", cpuS(coordinatorStorm), null],
      [`shard (median of ${shardStorms.length})`, shardCpu, stormBytes(shardStorms)],
    ];
    for (const [role, cpu, perClient] of rows) {
      stormRows.push([
        n.toLocaleString("en-US"),
        role,
        fixed(cpu, 2),
        fixed((cpu * 1e6) / n, 1),
        perClient === null ? "–" : fixed(perClient / 1e3, 1),
        perClient === null ? "–" : fixed((perClient * n) / fullListBytes, 5),
      ]);
    }
    console.log(
      `  N=${n}: full lists would send ${fixed(fullListBytes / 1e9, 1)} GB (${fixed(userBytes, 0)} bytes per user entry)`,
    );
  }
  const copyPerUser = memory.mirrorBytes / n;
  const coordinatorPerUser = memory.coordinatorBytes / n;
  memoryRows.push([
    n.toLocaleString("en-US"),
    fixed(memory.mirrorBytes / 2 ** 20, 1),
    fixed(copyPerUser, 0),
    fixed(memory.coordinatorBytes / 2 ** 20, 1),
    fixed(coordinatorPerUser, 0),
    `${fixed(OBJECT_MEMORY / copyPerUser, 0)} / ${fixed(OBJECT_MEMORY / coordinatorPerUser, 0)}`,
  ]);
  restartRows.push([
    n.toLocaleString("en-US"),
    fixed(memory.stateBytes / 1e6, 1),
    fixed(memory.copyUs / 1e6, 2),
    fixed(memory.reportBytes / 1e6, 2),
    fixed(memory.oneShardUs / 1e3, 1),
    fixed(memory.rebuildUs / 1e6, 2),
  ]);
}
const ownS = (() => {
  const used = process.cpuUsage(ownAtStart);
  return (used.user + used.system) / 1e6;
})();
console.log(
  `\nthe simulation used ${fixed(ownS, 0)} CPU-s; the rest of the machine ${fixed(machineBusySeconds() - busyAtStart - ownS, 0)} CPU-s`,
);
console.log(
  `\n${table(
    [
      "members",
      "joins + leaves /s",
      "object",
      "CPU (% of a core)",
      "one room ÷ this",
      "frames to its sockets /s",
      "messages / kB in /s",
      "messages / kB out /s",
      "frames per client /s",
      "bytes per client /s",
    ],
    churnRows,
  )}`,
);
console.log(`\n${table(["members", "object", "CPU of the diff (ms)", "frames", "kB to sockets"], headRows)}`);
console.log(
  `\n${table(
    ["members", "object", "storm CPU (s)", "µs per join", "kB per client", "÷ full lists' N² bytes"],
    stormRows,
  )}`,
);
console.log(
  `\n${table(
    [
      "members",
      "a shard's copy (MiB)",
      "bytes per user",
      "coordinator (MiB)",
      "bytes per user",
      "users at 128 MiB: copy / coordinator",
    ],
    memoryRows,
  )}`,
);
console.log(
  `\n${table(
    [
      "members",
      "room state to a new shard (MB)",
      "its copy built (CPU s)",
      "a shard's full report (MB)",
      "applied by the coordinator (CPU ms)",
      "coordinator rebuilt from all shards (CPU s)",
    ],
    restartRows,
  )}`,
);
