// A room of 10^5 to 10^6 members sharded by person (issue 27), without sockets: each member on
// the shard of their user id (`shardOf`), every shard core's real `RoomPresence` of its own
// people with a `ShardReporter`, the coordinator a `RoomHead` that keeps no list of the room, and
// a sample of shards simulated in full with a `ShardView` and their sockets' windows
// (`WindowedDiff`), in 50 ms diff intervals of a fake clock. Reports and pushes travel as JSON
// text, one interval apart. Measured: a join storm from 0 to N, steady churn, one leave from the
// head, the memory of the coordinator and of the largest shard, and, as the baseline, one object
// holding everyone. The last line is the budget of issue 27.
// Run: npm run shard-sim -w @herenow/bench -- --n 1000000 --shards 128
import { parseArgs } from "node:util";
import { LIMITS } from "@herenow/core";
import { type Layout, PersonShardedRoom } from "./lib/person-layout";
import { machineBusySeconds } from "./lib/process-stats";
import { machine, median, table } from "./lib/run";
import { OneRoom } from "./lib/shard-layouts";
import { Crowd, POPULAR, random, type Step } from "./lib/sim-crowd";
import { type Held, measureHeld } from "./lib/sim-memory";
import type { Phase } from "./lib/sim-meter";
import type { SocketTraffic } from "./lib/window-sockets";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100000,1000000" },
    shards: { type: "string", default: "128" },
    window: { type: "string", default: "100" },
    /** The head the coordinator keeps: the largest window (1,000) or the window threshold. */
    head: { type: "string", default: "1000" },
    /** Joins a second (and as many leaves), one row each. */
    churn: { type: "string", default: "1000" },
    /** Seconds of room time measured for each churn row (after one second not measured). */
    seconds: { type: "string", default: "10" },
    "storm-rate": { type: "string", default: "10000" },
    /** Shards simulated in full (copy, sockets, windows, counts), evenly spread. */
    served: { type: "string", default: "8" },
    /** Skip the baseline of one object (for a quick look at the sharded side). */
    "no-baseline": { type: "boolean", default: false },
  },
});
const sizes = (values.n ?? "").split(",").map(Number);
const shardCount = Number(values.shards);
const windowSize = Number(values.window);
const headSize = Number(values.head);
const churnRates = (values.churn ?? "").split(",").map(Number);
const seconds = Number(values.seconds);
const stormRate = Number(values["storm-rate"]);
const served = Math.min(shardCount, Number(values.served));

const INTERVALS_PER_SECOND = 1000 / LIMITS.diffIntervalMs;
const MiB = 2 ** 20;

if (!(globalThis as { gc?: unknown }).gc) {
  throw new Error("run with --expose-gc (npm run shard-sim -w @herenow/bench does)");
}

/** Events a second spread over the intervals: how many fall in interval `w`. */
const inInterval = (perSecond: number, w: number) =>
  Math.floor(((w + 1) * perSecond) / INTERVALS_PER_SECOND) - Math.floor((w * perSecond) / INTERVALS_PER_SECOND);

interface Ran {
  phases: Phase[];
  /** The worst wait from a count change to every socket's counts (ms of room time). */
  countLagMs: number;
}

/** Runs intervals of room time while `plan` gives steps. */
function run(layout: Layout, crowd: Crowd, plan: (w: number) => Step | null): Ran {
  layout.takeCountLag();
  for (let w = 0; ; w++) {
    const step = plan(w);
    if (!step) break;
    layout.window(crowd.window(step));
    if ((w + 1) % INTERVALS_PER_SECOND === 0) for (const meter of layout.meters()) meter.endSecond();
  }
  return { phases: layout.meters().map((meter) => meter.take()), countLagMs: layout.takeCountLag() };
}

const storm = (n: number, crowd: Crowd) => (): Step | null =>
  crowd.size < n ? { joins: Math.min(Math.round(stormRate / INTERVALS_PER_SECOND), n - crowd.size), leaves: 0 } : null;
/** Joins and leaves come independently, as many of each on average: the count moves every interval. */
const churn = (rate: number, intervals: number) => {
  const jitter = random(rate + intervals);
  const some = (w: number) => Math.round(inInterval(rate, w) * (0.5 + jitter()));
  return (w: number) => (w < intervals ? { joins: some(w), leaves: some(w) } : null);
};
/** Quiet intervals: the head settles, counts catch up. */
const still = (intervals: number) => (w: number) => (w < intervals ? { joins: 0, leaves: 0 } : null);
/** The first member leaves (every window in the room changes) and the change reaches every shard. */
const headChange = (layout: Layout) => (w: number) =>
  w === 0 ? { joins: 0, leaves: 0, leaving: layout.firstMember() } : w < 3 ? { joins: 0, leaves: 0 } : null;

interface Measured {
  storm: Ran;
  churn: Map<number, Ran>;
  headChange: Ran;
  stormMs: number;
}

/** A storm from 0 to N, then each churn rate for a second not measured and `seconds` measured. */
function simulate(layout: Layout, crowd: Crowd, n: number): Measured {
  const started = performance.now();
  const stormRan = run(layout, crowd, storm(n, crowd));
  const stormMs = performance.now() - started;
  run(layout, crowd, still(INTERVALS_PER_SECOND));
  const churnRan = new Map<number, Ran>();
  for (const rate of churnRates) {
    run(layout, crowd, churn(rate, INTERVALS_PER_SECOND));
    churnRan.set(rate, run(layout, crowd, churn(rate, seconds * INTERVALS_PER_SECOND)));
  }
  run(layout, crowd, still(INTERVALS_PER_SECOND));
  const headRan = run(layout, crowd, headChange(layout));
  run(layout, crowd, still(INTERVALS_PER_SECOND));
  return { storm: stormRan, churn: churnRan, headChange: headRan, stormMs };
}

const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
const fixed = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const percent = (us: number) => `${fixed(us / 1e4, us < 1e5 ? 2 : 1)} %`;
const clientFrames = (t: SocketTraffic) => t.diffFrames + t.countFrames;
const clientBytes = (t: SocketTraffic) => t.diffBytes + t.countBytes;
const per = (phases: Phase[], f: (p: Phase) => number) => median(phases.map(f)) / seconds;
const rate = (count: number, bytes: number) => `${fixed(count, 0)} (${fixed(bytes / 1e3, 1)})`;

const churnRows: (string | number)[][] = [];
const coordinatorRows: (string | number)[][] = [];
const headRows: (string | number)[][] = [];
const stormRows: (string | number)[][] = [];
const memoryRows: (string | number)[][] = [];
const followRows: (string | number)[][] = [];
const budget = { coordinator: 0, shard: 0, sockets: 0, countMs: 0 };

/** A churn row for one object (or the median of the shards simulated in full). */
function churnRow(n: number, events: number, role: string, phases: Phase[], lagMs: number | null) {
  const cpuUs = median(phases.map((p) => median(p.cpuUs)));
  const hasSockets = phases.some((p) => p.sockets > 0);
  const perClient = (f: (t: SocketTraffic) => number) =>
    hasSockets ? median(phases.map((p) => (p.traffic ? f(p.traffic) / p.sockets : 0))) / seconds : null;
  const bytes = perClient(clientBytes);
  const countBytes = perClient((t) => t.countBytes);
  churnRows.push([
    n.toLocaleString("en-US"),
    `${events / 2} + ${events / 2}`,
    role,
    percent(cpuUs),
    hasSockets
      ? fixed(
          per(phases, (p) => (p.traffic ? clientFrames(p.traffic) + p.traffic.syncs : 0)),
          0,
        )
      : "–",
    phases[0]?.messagesIn
      ? rate(
          per(phases, (p) => p.messagesIn),
          per(phases, (p) => p.bytesIn),
        )
      : "–",
    phases[0]?.messagesOut
      ? rate(
          per(phases, (p) => p.messagesOut),
          per(phases, (p) => p.bytesOut),
        )
      : "–",
    bytes === null ? "–" : fixed(bytes * 60, 0),
    countBytes === null ? "–" : fixed(countBytes * 60, 0),
    lagMs === null ? "–" : fixed(lagMs, 0),
  ]);
  return cpuUs;
}

function report(n: number, sharded: Measured, one: Measured | null, held: Held): void {
  for (const churnRate of churnRates) {
    const shardRun = sharded.churn.get(churnRate);
    const [coordinator, ...shards] = shardRun?.phases ?? [];
    if (!shardRun || !coordinator) continue;
    const oneRun = one?.churn.get(churnRate);
    const [oneRoom] = oneRun?.phases ?? [];
    const events = 2 * churnRate;
    if (oneRun && oneRoom) churnRow(n, events, "one room (baseline)", [oneRoom], oneRun.countLagMs);
    const cpuUs = churnRow(n, events, "coordinator", [coordinator], null);
    churnRow(n, events, `shard (median of ${shards.length})`, shards, shardRun.countLagMs);
    coordinatorRows.push([
      n.toLocaleString("en-US"),
      `${churnRate} + ${churnRate}`,
      fixed(
        per([coordinator], (p) => p.messagesIn),
        0,
      ),
      fixed(
        per([coordinator], (p) => p.messagesOut),
        0,
      ),
      fixed(cpuUs / events, 2),
    ]);
    budget.countMs = Math.max(budget.countMs, shardRun.countLagMs);
  }
  const ms = (p: Phase) => sum(p.cpuUs) / 1000;
  const [oneHead] = one?.headChange.phases ?? [];
  const [coordinatorHead, ...shardHeads] = sharded.headChange.phases;
  const headPhases: [string, Phase[]][] = [
    ...(oneHead ? [["one room (baseline)", [oneHead]] as [string, Phase[]]] : []),
    ["coordinator", coordinatorHead ? [coordinatorHead] : []],
    [`shard (median of ${shardHeads.length})`, shardHeads],
  ];
  for (const [role, phases] of headPhases) {
    const frames = (p: Phase) => p.traffic?.diffFrames ?? 0;
    const kB = (p: Phase) => (p.traffic?.diffBytes ?? 0) / 1e3;
    const sockets = role !== "coordinator";
    headRows.push([
      n.toLocaleString("en-US"),
      role,
      fixed(median(phases.map(ms)), 2),
      sockets ? fixed(median(phases.map(frames)), 0) : "–",
      sockets ? fixed(median(phases.map(kB)), 0) : "–",
    ]);
  }
  const cpuS = (p: Phase) => sum(p.cpuUs) / 1e6;
  const [oneStorm] = one?.storm.phases ?? [];
  const [coordinatorStorm, ...shardStorms] = sharded.storm.phases;
  const stormPhases: [string, number][] = [
    ...(oneStorm ? [["one room (baseline)", cpuS(oneStorm)] as [string, number]] : []),
    ["coordinator", coordinatorStorm ? cpuS(coordinatorStorm) : 0],
    [`shard (median of ${shardStorms.length})`, median(shardStorms.map(cpuS))],
  ];
  for (const [role, cpu] of stormPhases) {
    stormRows.push([n.toLocaleString("en-US"), role, fixed(cpu, 2), fixed((cpu * 1e6) / n, 1)]);
  }
  const followCost = (held.coordinatorBytes - held.unfollowedBytes) / Math.max(1, held.followed);
  memoryRows.push([
    n.toLocaleString("en-US"),
    fixed(held.coordinatorBytes / MiB, 1),
    fixed(held.unfollowedBytes / MiB, 1),
    fixed(held.shardBytes / MiB, 1),
    held.shardUsers.toLocaleString("en-US"),
    fixed(held.shardBytes / held.shardUsers, 0),
    held.socketsMax.toLocaleString("en-US"),
  ]);
  followRows.push([
    n.toLocaleString("en-US"),
    held.followed.toLocaleString("en-US"),
    held.followedPresent.toLocaleString("en-US"),
    fixed(followCost, 0),
    fixed((16 * MiB - held.unfollowedBytes) / followCost, 0),
  ]);
  budget.coordinator = Math.max(budget.coordinator, held.coordinatorBytes);
  budget.shard = Math.max(budget.shard, held.shardBytes);
  budget.sockets = Math.max(budget.sockets, held.socketsMax);
}

console.log(
  `shard simulation on ${machine()}; ${shardCount} shards by person (${served} simulated in full), head ${headSize}, ` +
    `window ${windowSize}, storm at ${stormRate} joins/s, churn ${churnRates.join(", ")} joins and as many leaves ` +
    `a second, ${seconds} s measured each; follows: 1 in 10 follows one of ${POPULAR} hosts, 1 in 100 three friends`,
);
const busyAtStart = machineBusySeconds();
const ownAtStart = process.cpuUsage();
const wallStart = performance.now();
for (const n of sizes) {
  const layout = new PersonShardedRoom(shardCount, headSize, windowSize, served);
  const crowd = new Crowd(n, windowSize);
  const sharded = simulate(layout, crowd, n);
  if (!layout.head.exact) throw new Error("the head is not exact at a quiet point");
  const held = measureHeld(layout, crowd, windowSize);
  console.log(`  N=${n}: sharded storm ${fixed(sharded.stormMs / 1000, 1)} s, memory measured`);
  let one: Measured | null = null;
  if (!values["no-baseline"]) {
    const room = new OneRoom(windowSize);
    one = simulate(room, new Crowd(n, windowSize), n);
    if (room.room.userCount !== layout.head.userCount) throw new Error("the layouts disagree on the count");
    console.log(`  N=${n}: one-room storm ${fixed(one.stormMs / 1000, 1)} s`);
  }
  report(n, sharded, one, held);
}
const used = process.cpuUsage(ownAtStart);
const ownS = (used.user + used.system) / 1e6;
console.log(
  `\nthe simulation took ${fixed((performance.now() - wallStart) / 60_000, 1)} min and ${fixed(ownS, 0)} CPU-s; ` +
    `the rest of the machine ${fixed(machineBusySeconds() - busyAtStart - ownS, 0)} CPU-s`,
);
const churnHeader = ["members", "joins + leaves /s", "object", "CPU (% of a core)", "frames to its sockets /s"];
const churnMore = ["messages in /s (kB/s)", "messages out /s (kB/s)", "bytes per client /min", "of which counts"];
console.log(`\n${table([...churnHeader, ...churnMore, "count exact (ms)"], churnRows)}`);
const coordinatorHeader = ["members", "joins + leaves /s", "messages in /s", "messages out /s", "CPU µs per event"];
console.log(`\n${table(coordinatorHeader, coordinatorRows)}`);
console.log(`\n${table(["members", "object", "CPU of the diff (ms)", "frames", "kB to sockets"], headRows)}`);
console.log(`\n${table(["members", "object", "storm CPU (s)", "µs per join"], stormRows)}`);
const memoryHeader = ["members", "coordinator (MiB)", "without follows (MiB)", "largest shard (MiB)", "its users"];
console.log(`\n${table([...memoryHeader, "bytes per user", "sockets per shard max"], memoryRows)}`);
const followHeader = ["members", "people followed", "of them present", "coordinator bytes per followed person"];
console.log(`\n${table([...followHeader, "followed people 16 MiB holds"], followRows)}`);
console.log(
  `\nbudget: coordinator ${fixed(budget.coordinator / MiB, 1)} MiB, shard max ${fixed(budget.shard / MiB, 1)} MiB, ` +
    `sockets per shard max ${budget.sockets}, count exact ${fixed(budget.countMs, 0)} ms`,
);
