// Join storm: N clients signed in as distinct users join one room in batches of
// 50; how long until every client's view holds all N users, and how many bytes
// and messages that took. Run: npm run storm -w @herenow/bench -- --n 100,1000 --runs 5
import { parseArgs } from "node:util";
import { cpuSeconds, processesOf } from "./lib/process-stats";
import { isReport, type Kind, machine, median, SECRET, sleep, startParty, table, Workers } from "./lib/run";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100,1000" },
    runs: { type: "string", default: "5" },
    workers: { type: "string", default: "2" },
    batch: { type: "string", default: "50" },
  },
});
const sizes = (values.n ?? "").split(",").map(Number);
const runs = Number(values.runs);
const workerCount = Number(values.workers);
const batch = Number(values.batch);

interface Result {
  fromFirst: number;
  fromLast: number;
  bytes: number;
  messages: number;
  /** CPU seconds of the runtime (workerd) and of partykit dev's Node process during the storm. */
  workerdCpu: number;
  proxyCpu: number;
}

async function storm(kind: Kind, n: number, run: number): Promise<Result> {
  const server = await startParty(kind);
  const workers = new Workers(workerCount);
  try {
    const processes = processesOf(server.pid ?? 0);
    const workerd = processes.find((p) => p.name === "workerd")?.pid ?? 0;
    const proxy = processes.find((p) => p.name === "node")?.pid ?? 0;
    const cpuAtStart = [cpuSeconds(workerd), cpuSeconds(proxy)] as const;
    const room = `storm-${n}-${run}`;
    workers.openUsers(n, {
      kind,
      host: server.host,
      room,
      batch: Math.max(1, Math.floor(batch / workerCount)),
      secret: SECRET,
      expect: n,
    });
    const opened = await workers.collect(isReport("opened"), undefined, 600_000);
    const complete = await workers.collect(isReport("complete"), undefined, 600_000);
    const workerdCpu = cpuSeconds(workerd) - cpuAtStart[0];
    const proxyCpu = cpuSeconds(proxy) - cpuAtStart[1];
    // let stragglers (duplicate diffs, late pongs) arrive before counting bytes
    await sleep(500);
    workers.broadcast({ cmd: "stats" });
    const stats = await workers.collect(isReport("stats"));
    const firstAt = Math.min(...opened.map((o) => o.firstAt));
    const lastAt = Math.max(...opened.map((o) => o.lastAt));
    const doneAt = Math.max(...complete.map((c) => c.at));
    return {
      fromFirst: doneAt - firstAt,
      fromLast: doneAt - lastAt,
      bytes: stats.reduce((sum, s) => sum + s.bytes, 0),
      messages: stats.reduce((sum, s) => sum + s.messages, 0),
      workerdCpu,
      proxyCpu,
    };
  } finally {
    workers.close();
    await server.dispose();
  }
}

/** Bytes of the least each client must learn about one other user, as each system writes it. */
function entryBytes(kind: Kind, n: number): number {
  const id = n - 1;
  if (kind === "baseline") return `join u${id}`.length;
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
console.log(`join storm on ${machine()}; ${runs} runs, clients in ${workerCount} processes, batches of ${batch}`);
for (const n of sizes) {
  const results: Record<Kind, Result[]> = { baseline: [], herenow: [] };
  for (let run = 1; run <= runs; run++) {
    for (const kind of ["baseline", "herenow"] as const) {
      const result = await storm(kind, n, run);
      results[kind].push(result);
      console.log(`  N=${n} run ${run} ${kind}: ${JSON.stringify(result)}`);
    }
  }
  const med = (kind: Kind, key: keyof Result) => median(results[kind].map((r) => r[key]));
  for (const kind of ["baseline", "herenow"] as const) {
    const minimum = n * n * entryBytes(kind, n);
    rows.push([
      n,
      kind,
      (med(kind, "fromFirst") / 1000).toFixed(2),
      (med(kind, "fromLast") / 1000).toFixed(2),
      (med(kind, "fromFirst") / med("baseline", "fromFirst")).toFixed(2),
      (med(kind, "bytes") / 1e6).toFixed(1),
      med(kind, "messages"),
      (med(kind, "bytes") / minimum).toFixed(2),
      med(kind, "workerdCpu").toFixed(1),
      med(kind, "proxyCpu").toFixed(1),
    ]);
  }
}
console.log(
  `\n${table(
    [
      "N",
      "party",
      "complete after first connect (s)",
      "after last connect (s)",
      "× baseline",
      "MB received",
      "messages",
      "bytes ÷ minimum",
      "workerd CPU (s)",
      "dev proxy CPU (s)",
    ],
    rows,
  )}`,
);
process.exit(0);
