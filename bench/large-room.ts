// Large rooms (protocol 1.1): N signed-in clients that ask for a window join one room in a
// storm; how long until every client's head count is exact, how many bytes each received,
// and what the room's workerd spent per join. At a size where full lists are still
// affordable, the same storm also runs with full lists and against the bare baseline, so
// the gain is a ratio from one run. Every size also runs spread over shard objects
// (HERENOW_SHARDED_ROOMS, --shards of them), beside the same storm into one object.
// Run: npm run large -w @herenow/bench -- --n 10000 --compare 2000 --shards 8

import { flag, readFlags } from "./lib/options";
import { machine, type Party, type Runtime, startParty, table } from "./lib/run";
import { type Storm, storm } from "./lib/storm";

const {
  n: sizes,
  compare: compareSizes,
  window: windowSize,
  workers: workerCount,
  batch,
  shards,
  runtimes,
  "timeout-s": timeoutS,
} = readFlags({
  n: flag.numbers("10000"),
  compare: flag.numbers("2000"),
  window: flag.number(100),
  workers: flag.number(4),
  batch: flag.number(100),
  shards: flag.number(8),
  runtimes: flag.runtimes(["miniflare"]),
  "timeout-s": flag.number(900),
});
const timeoutMs = timeoutS * 1000;

type Mode = "windowed" | "sharded" | "full" | "baseline";

/** A storm's figures, and how many client sockets closed with each code. */
type Result = Omit<Storm, "stats"> & { closed: Record<string, number> };

async function stormOnce(mode: Mode, runtime: Runtime, n: number): Promise<Result> {
  const party: Party = mode === "baseline" ? "baseline" : "herenow";
  const room = `large-${mode}-${n}`;
  const sharding: Record<string, string> =
    mode === "sharded" ? { HERENOW_SHARDED_ROOMS: room, HERENOW_SHARDS: String(shards) } : {};
  const server = await startParty(party, runtime, sharding);
  try {
    const { stats, ...result } = await storm(server, party, {
      n,
      room,
      workers: workerCount,
      batch,
      timeoutMs,
      // counts owed to windows go out at most every 250 ms: let the last ones arrive before counting bytes
      settleMs: 1000,
      ...(mode === "windowed" || mode === "sharded" ? { window: windowSize } : {}),
    });
    const closed: Record<string, number> = {};
    for (const s of stats)
      for (const [code, count] of Object.entries(s.closedWith)) closed[code] = (closed[code] ?? 0) + count;
    return { ...result, closed };
  } finally {
    await server.dispose();
  }
}

/** What full lists cost at the least: every client learns every other user once (herenow's JSON entry). */
function fullListBytes(n: number): number {
  const entry = JSON.stringify({
    id: `u${n}`,
    name: `User ${n}`,
    info: {},
    connections: 1,
    state: {},
    since: Date.now(),
  });
  return n * n * entry.length;
}

const rows: (string | number)[][] = [];
console.log(
  `large-room storm on ${machine()}; window ${windowSize}, clients in ${workerCount} processes, batches of ${batch}; ${runtimes.join(", ")}`,
);
const plan: [number, Mode][] = [
  ...compareSizes.flatMap((n): [number, Mode][] => [
    [n, "baseline"],
    [n, "full"],
    [n, "windowed"],
    [n, "sharded"],
  ]),
  ...sizes.flatMap((n): [number, Mode][] => [
    [n, "windowed"],
    [n, "sharded"],
  ]),
];
for (const runtime of runtimes) {
  const baselineAt = new Map<number, number>();
  const oneObjectAt = new Map<number, number>();
  for (const [n, mode] of plan) {
    let result: Result;
    try {
      result = await stormOnce(mode, runtime, n);
    } catch (error) {
      console.log(`  N=${n} ${runtime} ${mode}: FAILED ${error instanceof Error ? error.message : error}`);
      rows.push([n, runtime, mode, "failed", "", "", "", "", "", "", "", "", ""]);
      continue;
    }
    console.log(`  N=${n} ${runtime} ${mode}: ${JSON.stringify(result)}`);
    if (mode === "baseline") baselineAt.set(n, result.fromFirst);
    if (mode === "windowed") oneObjectAt.set(n, result.fromFirst);
    const baseline = baselineAt.get(n);
    const oneObject = mode === "sharded" ? oneObjectAt.get(n) : undefined;
    rows.push([
      n,
      runtime,
      mode === "sharded" ? `windowed, ${shards} shards` : mode,
      (result.fromFirst / 1000).toFixed(2),
      (result.fromLast / 1000).toFixed(2),
      baseline ? (result.fromFirst / baseline).toFixed(2) : "",
      oneObject ? (result.fromFirst / oneObject).toFixed(2) : "",
      (result.bytes / 1e6).toFixed(1),
      Math.round(result.bytes / n / 1000).toLocaleString("en-US"),
      mode === "baseline" ? "" : (result.bytes / fullListBytes(n)).toFixed(3),
      result.cpu.workerd.toFixed(1),
      Math.round((result.cpu.workerd / n) * 1e6).toLocaleString("en-US"),
      result.cpu.clients.toFixed(1),
    ]);
  }
}
console.log(
  `\n${table(
    [
      "N",
      "runtime",
      "mode",
      "exact after first connect (s)",
      "after last connect (s)",
      "× baseline",
      "× one object",
      "MB received",
      "kB per client",
      "bytes ÷ full lists' N²",
      "workerd CPU (s)",
      "workerd µs per join",
      "clients CPU (s)",
    ],
    rows,
  )}`,
);
process.exit(0);
