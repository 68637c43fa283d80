// Steady join and leave: with N present, one more user joins (and later leaves
// cleanly) again and again; how long until every other client has seen it.
// Run: npm run steady -w @herenow/bench -- --n 1000 --rounds 50 --runs 5

import { flag, readFlags } from "./lib/options";
import {
  type CpuUse,
  cpuMeter,
  isReport,
  machine,
  median,
  type Party,
  percentile,
  protocolOf,
  type Runtime,
  SECRET,
  sleep,
  startParty,
  table,
  Workers,
} from "./lib/run";
import { tokenFor } from "./lib/token";

const {
  n,
  rounds,
  runs,
  workers: workerCount,
  runtimes,
  parties,
} = readFlags({
  n: flag.number(1000),
  rounds: flag.number(50),
  runs: flag.number(5),
  workers: flag.number(2),
  runtimes: flag.runtimes(),
  parties: flag.parties(["baseline", "herenow"]),
});

interface Samples {
  join: number[];
  leave: number[];
  /** CPU seconds per round (one join and one leave), summed over the rounds of a run. */
  cpu: CpuUse[];
}

async function steady(party: Party, runtime: Runtime, run: number): Promise<Samples> {
  const server = await startParty(party, runtime);
  // the joiner lives in a process of its own, apart from the N watchers
  const workers = new Workers(workerCount + 1);
  const joiner = workerCount;
  const watchers = Array.from({ length: workerCount }, (_, i) => i);
  const room = `steady-${run}`;
  const kind = protocolOf(party);
  try {
    await workers.ready();
    workers.openUsers(
      n,
      {
        kind,
        host: server.host,
        room,
        heartbeatMs: 20_000,
      },
      watchers,
    );
    await workers.collect(isReport("complete"), watchers, 600_000);
    await sleep(1000);
    const cpu = cpuMeter(server, workers);
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
    const used = cpu();
    const perRound = (seconds: number) => (seconds / rounds) * 1000;
    return {
      join,
      leave,
      cpu: [
        {
          workerd: perRound(used.workerd),
          relay: perRound(used.relay),
          node: perRound(used.node),
          clients: perRound(used.clients),
          others: perRound(used.others),
        },
      ],
    };
  } finally {
    workers.close();
    await server.dispose();
  }
}

console.log(
  `steady join/leave with N=${n} on ${machine()}; ${rounds} rounds × ${runs} runs; ${parties.join(", ")} under ${runtimes.join(", ")}`,
);
/** The three slowest samples as `ms@round`, to tell a slow first round from slow rounds spread out. */
const slowest = (values: number[]) =>
  values
    .map((ms, round) => ({ ms, round }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map(({ ms, round }) => `${ms}@${round}`)
    .join(" ");
const samples = new Map<string, Samples>();
const key = (runtime: Runtime, party: Party) => `${runtime}/${party}`;
for (let run = 1; run <= runs; run++) {
  for (const runtime of runtimes) {
    for (const party of parties) {
      const result = await steady(party, runtime, run);
      const all = samples.get(key(runtime, party)) ?? { join: [], leave: [], cpu: [] };
      all.join.push(...result.join);
      all.leave.push(...result.leave);
      all.cpu.push(...result.cpu);
      samples.set(key(runtime, party), all);
      console.log(
        `  run ${run} ${runtime} ${party}: join p50 ${median(result.join)} ms, leave p50 ${median(result.leave)} ms, slowest joins ${slowest(result.join)}, slowest leaves ${slowest(result.leave)}, CPU ms per round ${JSON.stringify(result.cpu[0])}`,
      );
    }
  }
}
const rows = runtimes.flatMap((runtime) =>
  parties.flatMap((party) => {
    const mine = samples.get(key(runtime, party));
    const base = samples.get(key(runtime, "baseline"));
    if (!mine) return [];
    const cpu = (pick: (c: CpuUse) => number) => median(mine.cpu.map(pick)).toFixed(1);
    return (["join", "leave"] as const).map((what) => [
      runtime,
      party,
      what,
      median(mine[what]),
      percentile(mine[what], 99),
      base ? (median(mine[what]) / median(base[what])).toFixed(2) : "",
      what === "join" ? cpu((c) => c.workerd) : "",
      what === "join" ? (runtime === "wrangler" ? cpu((c) => c.relay) : "–") : "",
      what === "join" ? cpu((c) => c.clients) : "",
      what === "join" ? cpu((c) => c.others) : "",
    ]);
  }),
);
console.log(
  `\n${table(
    [
      "runtime",
      "party",
      "event",
      "p50 (ms)",
      "p99 (ms)",
      "p50 × baseline",
      "workerd CPU per join + leave (ms)",
      "relay CPU (ms)",
      "clients CPU (ms)",
      "others CPU (ms)",
    ],
    rows,
  )}`,
);
process.exit(0);
