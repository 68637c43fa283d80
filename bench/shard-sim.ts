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
import { LIMITS } from "@herenow/core";
import { machineBusySeconds } from "./lib/process-stats";
import { machine, median, table } from "./lib/run";
import { type Layout, OneRoom, ShardedRoom } from "./lib/shard-layouts";
import { Crowd, type Step } from "./lib/sim-crowd";
import type { Phase } from "./lib/sim-meter";
import type { SocketTraffic } from "./lib/window-sockets";

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

const WINDOW_MS = LIMITS.diffIntervalMs;
const WINDOWS_PER_SECOND = 1000 / WINDOW_MS;
/** A Durable Object's memory limit (Cloudflare: 128 MB per isolate). */
const OBJECT_MEMORY = 128 * 2 ** 20;

if (!(globalThis as { gc?: unknown }).gc) {
  throw new Error("run with --expose-gc (npm run shard-sim -w @herenow/bench does)");
}

/** Events a second spread over the 50 ms windows: how many fall in window `w`. */
const inWindow = (perSecond: number, w: number) =>
  Math.floor(((w + 1) * perSecond) / WINDOWS_PER_SECOND) - Math.floor((w * perSecond) / WINDOWS_PER_SECOND);

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
  const crowd = new Crowd(n, windowSize);
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
  const sharded = new ShardedRoom(shardCount, windowSize, mirrorsFor(n));
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
  const oneRun = simulate(new OneRoom(windowSize), n);
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
