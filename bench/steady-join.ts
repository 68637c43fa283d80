// Steady join and leave: with N present, one more user joins (and later leaves
// cleanly) again and again; how long until every other client has seen it.
// Run: npm run steady -w @herenow/bench -- --n 1000 --rounds 50 --runs 5
import { parseArgs } from "node:util";
import { isReport, type Kind, machine, median, percentile, SECRET, sleep, startParty, table, Workers } from "./lib/run";
import { tokenFor } from "./lib/token";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1000" },
    rounds: { type: "string", default: "50" },
    runs: { type: "string", default: "5" },
    workers: { type: "string", default: "2" },
  },
});
const n = Number(values.n);
const rounds = Number(values.rounds);
const runs = Number(values.runs);
const workerCount = Number(values.workers);

async function steady(kind: Kind, run: number): Promise<{ join: number[]; leave: number[] }> {
  const server = await startParty(kind);
  // the joiner lives in a process of its own, apart from the N watchers
  const workers = new Workers(workerCount + 1);
  const joiner = workerCount;
  const watchers = Array.from({ length: workerCount }, (_, i) => i);
  const room = `steady-${run}`;
  try {
    workers.openUsers(
      n,
      {
        kind,
        host: server.host,
        room,
        batch: 25,
        secret: SECRET,
        expect: n,
        heartbeatMs: 20_000,
      },
      watchers,
    );
    await workers.collect(isReport("complete"), watchers, 600_000);
    const join: number[] = [];
    const leave: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const w of watchers) workers.send(w, { cmd: "watch", expect: n + 1, tag: `join-${round}` });
      // a client has its token before it connects: signing it is not part of the join
      const token = await tokenFor(n + round, SECRET);
      await sleep(20);
      const joinedAt = Date.now();
      workers.send(joiner, { cmd: "open-one", kind, host: server.host, room, user: n + round, secret: SECRET, token });
      const seen = await workers.collect(isReport("complete"), watchers);
      join.push(Math.max(...seen.map((s) => s.at)) - joinedAt);
      for (const w of watchers) workers.send(w, { cmd: "watch", expect: n, tag: `leave-${round}` });
      await sleep(20);
      const leftAt = Date.now();
      workers.send(joiner, { cmd: "leave-one", user: n + round, tag: `leave-${round}` });
      const gone = await workers.collect(isReport("complete"), watchers);
      leave.push(Math.max(...gone.map((s) => s.at)) - leftAt);
      await sleep(50);
    }
    return { join, leave };
  } finally {
    workers.close();
    await server.dispose();
  }
}

console.log(`steady join/leave with N=${n} on ${machine()}; ${rounds} rounds × ${runs} runs`);
const samples: Record<Kind, { join: number[]; leave: number[] }> = {
  baseline: { join: [], leave: [] },
  herenow: { join: [], leave: [] },
};
for (let run = 1; run <= runs; run++) {
  for (const kind of ["baseline", "herenow"] as const) {
    const result = await steady(kind, run);
    samples[kind].join.push(...result.join);
    samples[kind].leave.push(...result.leave);
    console.log(`  run ${run} ${kind}: join p50 ${median(result.join)} ms, leave p50 ${median(result.leave)} ms`);
  }
}
const rows = (["baseline", "herenow"] as const).flatMap((kind) =>
  (["join", "leave"] as const).map((what) => [
    kind,
    what,
    median(samples[kind][what]),
    percentile(samples[kind][what], 99),
    (median(samples[kind][what]) / median(samples.baseline[what])).toFixed(2),
  ]),
);
console.log(`\n${table(["party", "event", "p50 (ms)", "p99 (ms)", "p50 × baseline"], rows)}`);
process.exit(0);
