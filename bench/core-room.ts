// The room state machine alone (packages/core), as the party runs it: memory
// per connection, and the cost of connect, touch, state change and a one-change
// diff in rooms of 1,000, 10,000 and 30,000 connections (O(1): no growth with size). The baseline is a bare Map of
// connection ids, the least any room must keep.
// Run: npm run core -w @herenow/bench  (node --expose-gc through tsx)
import { ManualClock, RoomPresence } from "@herenow/core/engine";
import { machine, median, table } from "./lib/run";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (npm run core -w @herenow/bench does)");

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const identity = (i: number) => ({ id: `user-${i}`, name: `User number ${i}`, info: { colour: "#3366ff" } });

function memoryPerConnection(size: number): { herenow: number; baseline: number } {
  const before = heap();
  const room = new RoomPresence({ clock: new ManualClock(0) });
  for (let i = 0; i < size; i++) room.connect(`connection-${i}`, identity(i));
  room.takeDiff();
  const herenow = (heap() - before) / size;
  const start = heap();
  const bare = new Map<string, { user: ReturnType<typeof identity> }>();
  for (let i = 0; i < size; i++) bare.set(`connection-${i}`, { user: identity(i) });
  const baseline = (heap() - start) / size;
  // keep both alive until measured
  if (room.connectionCount + bare.size < 0) console.log("unreachable");
  return { herenow, baseline };
}

/** Nanoseconds per operation, median of 7 rounds. */
function timeOps(size: number, op: "connect+leave" | "touch" | "state" | "diff"): number {
  const clock = new ManualClock(0);
  const room = new RoomPresence({ clock });
  for (let i = 0; i < size; i++) room.connect(`c${i}`, identity(i));
  room.takeDiff();
  const rounds: number[] = [];
  const count = 20_000;
  for (let round = 0; round < 7; round++) {
    const started = process.hrtime.bigint();
    for (let k = 0; k < count; k++) {
      clock.advance(1);
      const i = k % size;
      if (op === "connect+leave") {
        room.connect(`extra-${k}`, identity(size + k));
        room.leave(`extra-${k}`);
      } else if (op === "touch") {
        room.touch(`c${i}`);
      } else if (op === "state") {
        room.setState(`c${i}`, { typing: k % 2 === 0 });
      } else {
        room.setState(`c${i}`, { typing: k % 2 === 0 });
        room.takeDiff();
      }
    }
    rounds.push(Number(process.hrtime.bigint() - started) / count);
    room.takeDiff();
  }
  return median(rounds);
}

console.log(`core room state machine on ${machine()}`);
const memoryRows = [1_000, 30_000].map((size) => {
  const { herenow, baseline } = memoryPerConnection(size);
  return [size, (herenow / 1024).toFixed(2), (baseline / 1024).toFixed(2), (herenow / baseline).toFixed(2)];
});
console.log(
  `\n${table(["connections", "RoomPresence KiB per connection", "bare Map KiB per connection", "× baseline"], memoryRows)}`,
);
// an O(room size) operation would cost 30× more at 30,000 than at 1,000; the
// rest of any difference is the larger Maps falling out of the CPU's caches
const opRows = (["connect+leave", "touch", "state", "diff"] as const).map((op) => {
  const [small, medium, large] = [1_000, 10_000, 30_000].map((size) => timeOps(size, op)) as [number, number, number];
  return [op, small.toFixed(0), medium.toFixed(0), large.toFixed(0), (large / small).toFixed(2)];
});
console.log(
  `\n${table(["operation (one change)", "ns at 1,000", "ns at 10,000", "ns at 30,000", "30,000 ÷ 1,000"], opRows)}`,
);
process.exit(0);
