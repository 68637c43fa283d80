// Large rooms without sockets: core's RoomPresence and WindowedDiff with N windowed members
// (window 100, a few follows each), under steady churn. What one room object spends per
// diff to work out every member's part of it, how many frames that makes, and the churn
// rate at which one core would be saturated: the point where a room must be spread over
// shard objects. A full-list baseline (one shared frame per diff) runs in the same script.
// Run: npm run sim -w @herenow/bench -- --n 10000,100000,1000000
import { parseArgs } from "node:util";
import type { UserIdentity } from "@herenow/core";
import { ManualClock, RoomPresence, WindowedDiff, type WindowSpec } from "@herenow/core/engine";
import { machine, median, table } from "./lib/run";
import { random } from "./lib/sim-crowd";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "10000,100000,1000000" },
    window: { type: "string", default: "100" },
    /** Joins and leaves in each 50 ms diff (50 a second each way at the default). */
    churn: { type: "string", default: "3" },
    diffs: { type: "string", default: "40" },
  },
});
const sizes = (values.n ?? "").split(",").map(Number);
const windowSize = Number(values.window);
const churn = Number(values.churn);
const diffs = Number(values.diffs);

const person = (n: number): UserIdentity => ({ id: `u${n}`, name: `User ${n}`, info: {} });

interface Sample {
  windowedMs: number;
  fullMs: number;
  framesWindowed: number;
  bytesWindowed: number;
  bytesFull: number;
}

function simulate(n: number): Sample[] {
  const next = random(n);
  const clock = new ManualClock(1_000_000);
  const room = new RoomPresence({ clock, leaveGraceMs: 0 });
  for (let i = 0; i < n; i++) room.connect(`c${i}`, person(i));
  room.takeDiff();
  const none = new Set<string>();
  // one member in ten follows five random people; the rest follow nobody
  const specs: WindowSpec[] = Array.from({ length: n }, (_, i) => ({
    size: windowSize,
    selfUserId: `u${i}`,
    follows: i % 10 === 0 ? new Set(Array.from({ length: 5 }, () => `u${Math.floor(next() * n)}`)) : none,
  }));
  let nextUser = n;
  const present: number[] = Array.from({ length: n }, (_, i) => i);
  const samples: Sample[] = [];
  for (let d = 0; d < diffs; d++) {
    const headBefore = room.headIds(windowSize);
    clock.advance(50);
    for (let c = 0; c < churn; c++) {
      room.connect(`c${nextUser}`, person(nextUser));
      present.push(nextUser++);
      const at = Math.floor(next() * present.length);
      const gone = present[at] as number;
      present[at] = present[present.length - 1] as number;
      present.pop();
      room.leave(`c${gone}`);
    }
    const diff = room.takeDiff();
    if (!diff) continue;
    const start = performance.now();
    const windows = new WindowedDiff(room, diff, headBefore, room.headIds(windowSize));
    let frames = 0;
    let bytes = 0;
    for (const spec of specs) {
      const changes = windows.changesFor(spec);
      if (!changes) continue;
      frames++;
      bytes += JSON.stringify({ type: "presence:diff", seq: diff.seq, ...changes, anonymous: 0, count: n }).length;
    }
    const windowedMs = performance.now() - start;
    const fullStart = performance.now();
    const full = JSON.stringify({ ...diff, count: n });
    const fullMs = performance.now() - fullStart;
    samples.push({ windowedMs, fullMs, framesWindowed: frames, bytesWindowed: bytes, bytesFull: full.length * n });
  }
  return samples;
}

console.log(
  `window simulation on ${machine()}; window ${windowSize}, ${churn} joins and ${churn} leaves per 50 ms diff, ${diffs} diffs`,
);
const rows: (string | number)[][] = [];
for (const n of sizes) {
  const started = performance.now();
  const samples = simulate(n);
  const ms = median(samples.map((s) => s.windowedMs));
  const perMember = (ms * 1000) / n;
  // 20 diffs a second at most (50 ms windows): the churn one core can carry before it is busy all the time
  const busyShare = (ms * 20) / 1000;
  rows.push([
    n.toLocaleString("en-US"),
    ms.toFixed(2),
    perMember.toFixed(3),
    `${(busyShare * 100).toFixed(0)} %`,
    median(samples.map((s) => s.framesWindowed)),
    (median(samples.map((s) => s.bytesWindowed)) / 1e3).toFixed(1),
    (median(samples.map((s) => s.bytesFull)) / 1e6).toFixed(1),
    (median(samples.map((s) => s.fullMs)) * 1000).toFixed(0),
  ]);
  console.log(`  N=${n}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
console.log(
  `\n${table(
    [
      "members",
      "CPU per diff, windows (ms)",
      "µs per member per diff",
      "one core busy at 20 diffs/s",
      "frames per diff",
      "kB sent per diff, windows",
      "MB sent per diff, full lists",
      "CPU per diff, full list (µs)",
    ],
    rows,
  )}`,
);
