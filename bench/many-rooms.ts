// Many rooms: 500 rooms of 10 users heartbeating every 20 s for 2 minutes.
// Server CPU per heartbeat and memory per connection of the workerd process,
// side by side with the baseline party.
// Run: npm run rooms -w @herenow/bench -- --rooms 500 --per-room 10 --seconds 120
import { parseArgs } from "node:util";
import { cpuSeconds, processesOf, rssBytes } from "./lib/process-stats";
import { isReport, type Kind, machine, median, SECRET, sleep, startParty, table, Workers } from "./lib/run";

const { values } = parseArgs({
  options: {
    rooms: { type: "string", default: "500" },
    "per-room": { type: "string", default: "10" },
    /** A second room size: memory per connection is then the slope between the two, free of per-room cost. */
    "slope-to": { type: "string" },
    seconds: { type: "string", default: "120" },
    heartbeat: { type: "string", default: "20000" },
    runs: { type: "string", default: "1" },
  },
});
const roomCount = Number(values.rooms);
let perRoom = Number(values["per-room"]);
const slopeTo = values["slope-to"] ? Number(values["slope-to"]) : null;
const seconds = Number(values.seconds);
const heartbeatMs = Number(values.heartbeat);
const runs = Number(values.runs);
let total = roomCount * perRoom;

interface Result {
  /** Workerd's resident memory with everyone connected, less its idle memory. */
  loadedBytes: number;
  cpuPerHeartbeatUs: number;
  proxyCpuPerHeartbeatUs: number;
  bytesPerConnection: number;
  heartbeats: number;
  pongs: number;
}

async function manyRooms(kind: Kind, run: number): Promise<Result> {
  const server = await startParty(kind);
  const workers = new Workers(2);
  try {
    const group = server.pid ?? 0;
    const workerd = processesOf(group).find((p) => p.name === "workerd");
    const proxy = processesOf(group).find((p) => p.name === "node");
    if (!workerd || !proxy) throw new Error("cannot find the workerd and node processes of partykit dev");
    // warm the runtime with one room so the idle figure includes the party's code
    await sleep(1000);
    const idleRss = rssBytes(workerd.pid);
    const rooms = Array.from({ length: roomCount }, (_, i) => `r${run}-${i}`);
    workers.openUsers(total, {
      kind,
      host: server.host,
      room: rooms[0] ?? "r",
      rooms,
      batch: 50,
      secret: SECRET,
      expect: perRoom,
      heartbeatMs,
    });
    await workers.collect(isReport("complete"), undefined, 600_000);
    await sleep(2000);
    const loadedRss = rssBytes(workerd.pid);
    const cpuBefore = cpuSeconds(workerd.pid);
    const proxyBefore = cpuSeconds(proxy.pid);
    workers.broadcast({ cmd: "stats" });
    const before = await workers.collect(isReport("stats"));
    await sleep(seconds * 1000);
    workers.broadcast({ cmd: "stats" });
    const after = await workers.collect(isReport("stats"));
    const heartbeats = after.reduce((s, x) => s + x.heartbeats, 0) - before.reduce((s, x) => s + x.heartbeats, 0);
    const pongs = after.reduce((s, x) => s + x.pongs, 0) - before.reduce((s, x) => s + x.pongs, 0);
    return {
      loadedBytes: loadedRss - idleRss,
      cpuPerHeartbeatUs: ((cpuSeconds(workerd.pid) - cpuBefore) * 1e6) / Math.max(1, heartbeats),
      proxyCpuPerHeartbeatUs: ((cpuSeconds(proxy.pid) - proxyBefore) * 1e6) / Math.max(1, heartbeats),
      bytesPerConnection: (loadedRss - idleRss) / total,
      heartbeats,
      pongs,
    };
  } finally {
    workers.close();
    await server.dispose();
  }
}

if (slopeTo !== null) {
  // memory per connection as the slope between two room sizes: per-room costs cancel out
  const rows: (string | number)[][] = [];
  for (const kind of ["baseline", "herenow"] as const) {
    const loaded: number[] = [];
    for (const size of [perRoom, slopeTo]) {
      perRoom = size;
      total = roomCount * size;
      loaded.push((await manyRooms(kind, size)).loadedBytes);
    }
    const slope = ((loaded[1] ?? 0) - (loaded[0] ?? 0)) / (roomCount * (slopeTo - Number(values["per-room"])));
    rows.push([
      kind,
      ((loaded[0] ?? 0) / 2 ** 20).toFixed(1),
      ((loaded[1] ?? 0) / 2 ** 20).toFixed(1),
      (slope / 1024).toFixed(2),
    ]);
  }
  console.log(
    `memory slope on ${machine()}: ${roomCount} rooms of ${values["per-room"]} and then ${slopeTo} users\n\n${table(
      ["party", `MiB at ${values["per-room"]}/room`, `MiB at ${slopeTo}/room`, "KiB per extra connection"],
      rows,
    )}`,
  );
  process.exit(0);
}

console.log(
  `many rooms on ${machine()}: ${roomCount} rooms × ${perRoom} users, heartbeat every ${heartbeatMs} ms, ${seconds} s measured, ${runs} run(s)`,
);
const results: Record<Kind, Result[]> = { baseline: [], herenow: [] };
for (let run = 1; run <= runs; run++) {
  for (const kind of ["baseline", "herenow"] as const) {
    const result = await manyRooms(kind, run);
    results[kind].push(result);
    console.log(`  run ${run} ${kind}: ${JSON.stringify(result)}`);
  }
}
const med = (kind: Kind, key: keyof Result) => median(results[kind].map((r) => r[key]));
console.log(
  `\n${table(
    [
      "party",
      "workerd CPU per heartbeat (µs)",
      "× baseline",
      "dev proxy CPU per heartbeat (µs)",
      "workerd memory per connection (KiB)",
      "heartbeats answered",
    ],
    (["baseline", "herenow"] as const).map((kind) => [
      kind,
      med(kind, "cpuPerHeartbeatUs").toFixed(1),
      (med(kind, "cpuPerHeartbeatUs") / med("baseline", "cpuPerHeartbeatUs")).toFixed(2),
      med(kind, "proxyCpuPerHeartbeatUs").toFixed(1),
      (med(kind, "bytesPerConnection") / 1024).toFixed(2),
      `${med(kind, "pongs")} / ${med(kind, "heartbeats")}`,
    ]),
  )}`,
);
process.exit(0);
