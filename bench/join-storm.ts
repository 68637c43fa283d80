// Join storm: N clients signed in as distinct users join one room in batches of
// 50; how long until every client's view holds all N users, and how many bytes
// and messages that took. Each run starts a fresh server in each runtime.
// Run: npm run storm -w @herenow/bench -- --n 100,1000 --runs 5

import { flag, readFlags } from "./lib/options";
import { machine, median, type Party, protocolOf, type Runtime, startParty, table } from "./lib/run";
import { type Storm, storm } from "./lib/storm";

const {
  n: sizes,
  runs,
  workers: workerCount,
  batch,
  runtimes,
  parties,
  "timeout-s": timeoutS,
} = readFlags({
  n: flag.numbers("100,1000"),
  runs: flag.number(5),
  workers: flag.number(2),
  batch: flag.number(50),
  runtimes: flag.runtimes(),
  parties: flag.parties(["baseline", "herenow"]),
  /** How long one storm may take before the run counts as failed. */
  "timeout-s": flag.number(600),
});
const timeoutMs = timeoutS * 1000;

type Result = Omit<Storm, "stats">;

async function stormOnce(party: Party, runtime: Runtime, n: number, run: number): Promise<Result> {
  const server = await startParty(party, runtime);
  try {
    // let stragglers (duplicate diffs, late pongs) arrive before counting bytes
    const settleMs = 500;
    const room = `storm-${n}-${run}`;
    const { stats: _, ...result } = await storm(server, party, {
      n,
      room,
      workers: workerCount,
      batch,
      timeoutMs,
      settleMs,
    });
    return result;
  } finally {
    await server.dispose();
  }
}

/** Bytes of the least each client must learn about one other user, as each system writes it. */
function entryBytes(party: Party, n: number): number {
  const id = n - 1;
  if (protocolOf(party) === "baseline") return `join u${id}`.length;
  return JSON.stringify({
    id: `u${id}`,
    name: `User ${id}`,
    info: {},
    connections: 1,
    state: {},
    since: Date.now(),
  }).length;
}

const rows: (string | number)[][] = [];
console.log(
  `join storm on ${machine()}; ${runs} runs, clients in ${workerCount} processes, batches of ${batch}; ${parties.join(", ")} under ${runtimes.join(", ")}`,
);
for (const n of sizes) {
  const results = new Map<string, Result[]>();
  const failures = new Map<string, number>();
  const key = (runtime: Runtime, party: Party) => `${runtime}/${party}`;
  for (let run = 1; run <= runs; run++) {
    for (const runtime of runtimes) {
      for (const party of parties) {
        try {
          const result = await stormOnce(party, runtime, n, run);
          results.set(key(runtime, party), [...(results.get(key(runtime, party)) ?? []), result]);
          console.log(`  N=${n} run ${run} ${runtime} ${party}: ${JSON.stringify(result)}`);
        } catch (error) {
          failures.set(key(runtime, party), (failures.get(key(runtime, party)) ?? 0) + 1);
          console.log(
            `  N=${n} run ${run} ${runtime} ${party}: FAILED ${error instanceof Error ? error.message : error}`,
          );
        }
      }
    }
  }
  for (const runtime of runtimes) {
    const med = (party: Party, pick: (r: Result) => number) =>
      median((results.get(key(runtime, party)) ?? []).map(pick));
    const baseline = med("baseline", (r) => r.fromFirst);
    for (const party of parties) {
      const done = results.get(key(runtime, party)) ?? [];
      const failed = failures.get(key(runtime, party)) ?? 0;
      if (done.length === 0) {
        rows.push([n, runtime, party, `failed ${failed} of ${failed}`, "", "", "", "", "", "", "", "", "", ""]);
        continue;
      }
      rows.push([
        n,
        runtime,
        party,
        (med(party, (r) => r.fromFirst) / 1000).toFixed(2) + (failed ? ` (${failed} failed)` : ""),
        (med(party, (r) => r.fromLast) / 1000).toFixed(2),
        baseline ? (med(party, (r) => r.fromFirst) / baseline).toFixed(2) : "",
        (med(party, (r) => r.bytes) / 1e6).toFixed(1),
        med(party, (r) => r.messages),
        (med(party, (r) => r.bytes) / (n * n * entryBytes(party, n))).toFixed(2),
        med(party, (r) => r.cpu.workerd).toFixed(1),
        runtime === "wrangler" ? med(party, (r) => r.cpu.relay).toFixed(1) : "–",
        med(party, (r) => r.cpu.node).toFixed(1),
        med(party, (r) => r.cpu.clients).toFixed(1),
        med(party, (r) => r.cpu.others).toFixed(1),
      ]);
    }
  }
}
console.log(
  `\n${table(
    [
      "N",
      "runtime",
      "party",
      "complete after first connect (s)",
      "after last connect (s)",
      "× baseline",
      "MB received",
      "messages",
      "bytes ÷ minimum",
      "workerd CPU (s)",
      "relay workerd CPU (s)",
      "node CPU (s)",
      "clients CPU (s)",
      "others CPU (s)",
    ],
    rows,
  )}`,
);
process.exit(0);
