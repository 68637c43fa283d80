// Many rooms: 500 rooms of 10 users heartbeating every 20 s for 2 minutes.
// Server CPU per heartbeat and memory per connection of the workerd process,
// side by side with the baseline party. herenow runs twice: with the bare "heartbeat" frame,
// which the runtime answers itself without waking the room (protocol 1.2), and with the object
// form {"type":"presence:heartbeat"}, which wakes the room as every heartbeat did before 1.2.
// Run: npm run rooms -w @herenow/bench -- --rooms 500 --per-room 10 --seconds 120

import { flag, readFlags } from "./lib/options";
import { cpuSeconds, partyProcesses, rssBytes } from "./lib/process-stats";
import {
  isReport,
  machine,
  median,
  type Party,
  protocolOf,
  type Runtime,
  SECRET,
  sleep,
  startParty,
  table,
  Workers,
} from "./lib/run";

const flags = readFlags({
  rooms: flag.number(500),
  "per-room": flag.number(10),
  /** A second room size: memory per connection is then the slope between the two, free of per-room cost. */
  "slope-to": flag.optionalNumber(),
  seconds: flag.number(120),
  heartbeat: flag.number(20000),
  runs: flag.number(1),
  runtimes: flag.runtimes(),
});
const { rooms: roomCount, "slope-to": slopeTo, seconds, heartbeat: heartbeatMs, runs, runtimes } = flags;
let perRoom = flags["per-room"];
/** Who answers the heartbeats: the baseline party, herenow's room (the object form), or the runtime for herenow (bare). */
const VARIANTS = [
  { party: "baseline", frame: '"heartbeat"', label: "baseline" },
  { party: "herenow", frame: '{"type":"presence:heartbeat"}', label: "herenow, object heartbeat (room answers)" },
  { party: "herenow", frame: '"heartbeat"', label: "herenow, bare heartbeat (runtime answers)" },
] as const;
type Variant = (typeof VARIANTS)[number];
let total = roomCount * perRoom;

interface Result {
  /** Workerd's resident memory with everyone connected, less its idle memory. */
  loadedBytes: number;
  cpuPerHeartbeatUs: number;
  /** wrangler dev's relay workerd (0 under Miniflare). */
  relayCpuPerHeartbeatUs: number;
  /** The relay's resident memory with everyone connected, less its idle memory, per connection. */
  relayBytesPerConnection: number;
  bytesPerConnection: number;
  heartbeats: number;
  pongs: number;
}

async function manyRooms(party: Party, runtime: Runtime, run: number, heartbeatFrame = '"heartbeat"'): Promise<Result> {
  const server = await startParty(party, runtime);
  const workers = new Workers(2);
  try {
    await workers.ready();
    const { workerd, relay } = partyProcesses(server.pid ?? 0, server.port);
    // let the runtime settle after its start so the idle figure is its resting size
    await sleep(1000);
    const idleRss = rssBytes(workerd);
    const idleRelayRss = relay === null ? 0 : rssBytes(relay);
    const rooms = Array.from({ length: roomCount }, (_, i) => `r${run}-${i}`);
    workers.openUsers(total, {
      kind: protocolOf(party),
      host: server.host,
      room: rooms[0] ?? "r",
      rooms,
      batch: 50,
      secret: SECRET,
      expect: perRoom,
      heartbeatMs,
      heartbeatFrame,
    });
    await workers.collect(isReport("complete"), undefined, 600_000);
    await sleep(2000);
    const loadedRss = rssBytes(workerd);
    const loadedRelayRss = relay === null ? 0 : rssBytes(relay);
    const cpuBefore = cpuSeconds(workerd);
    const relayBefore = relay === null ? 0 : cpuSeconds(relay);
    workers.broadcast({ cmd: "stats" });
    const before = await workers.collect(isReport("stats"));
    await sleep(seconds * 1000);
    workers.broadcast({ cmd: "stats" });
    const after = await workers.collect(isReport("stats"));
    const heartbeats = after.reduce((s, x) => s + x.heartbeats, 0) - before.reduce((s, x) => s + x.heartbeats, 0);
    const pongs = after.reduce((s, x) => s + x.pongs, 0) - before.reduce((s, x) => s + x.pongs, 0);
    return {
      loadedBytes: loadedRss - idleRss,
      cpuPerHeartbeatUs: ((cpuSeconds(workerd) - cpuBefore) * 1e6) / Math.max(1, heartbeats),
      relayCpuPerHeartbeatUs: relay === null ? 0 : ((cpuSeconds(relay) - relayBefore) * 1e6) / Math.max(1, heartbeats),
      relayBytesPerConnection: (loadedRelayRss - idleRelayRss) / total,
      bytesPerConnection: (loadedRss - idleRss) / total,
      heartbeats,
      pongs,
    };
  } catch (error) {
    // a runtime that died says why in its own log (wrangler dev's relay: "Too many open files")
    const lines = server.log.split("\n").filter((line) => line.trim() && !line.includes("101 Switching Protocols"));
    const fatal =
      lines.find((line) => /Fatal|Too many open files/.test(line)) ?? lines.slice(-3).join(" / ").slice(0, 600);
    throw new Error(
      `${error instanceof Error ? error.message : error}${fatal ? `; the runtime said: ${fatal.trim()}` : ""}`,
    );
  } finally {
    workers.close();
    await server.dispose();
  }
}

if (slopeTo !== null) {
  // memory per connection as the slope between two room sizes: per-room costs cancel out
  const rows: (string | number)[][] = [];
  for (const runtime of runtimes) {
    for (const party of ["baseline", "herenow"] as const) {
      const loaded: number[] = [];
      for (const size of [flags["per-room"], slopeTo]) {
        perRoom = size;
        total = roomCount * size;
        loaded.push((await manyRooms(party, runtime, size)).loadedBytes);
      }
      const slope = ((loaded[1] ?? 0) - (loaded[0] ?? 0)) / (roomCount * (slopeTo - flags["per-room"]));
      rows.push([
        runtime,
        party,
        ((loaded[0] ?? 0) / 2 ** 20).toFixed(1),
        ((loaded[1] ?? 0) / 2 ** 20).toFixed(1),
        (slope / 1024).toFixed(2),
      ]);
    }
  }
  console.log(
    `memory slope on ${machine()}: ${roomCount} rooms of ${flags["per-room"]} and then ${slopeTo} users\n\n${table(
      ["runtime", "party", `MiB at ${flags["per-room"]}/room`, `MiB at ${slopeTo}/room`, "KiB per extra connection"],
      rows,
    )}`,
  );
  process.exit(0);
}

console.log(
  `many rooms on ${machine()}: ${roomCount} rooms × ${perRoom} users, heartbeat every ${heartbeatMs} ms, ${seconds} s measured, ${runs} run(s) under ${runtimes.join(", ")}`,
);
const results = new Map<string, Result[]>();
const key = (runtime: Runtime, variant: Variant) => `${runtime}/${variant.label}`;
for (let run = 1; run <= runs; run++) {
  for (const runtime of runtimes) {
    for (const variant of VARIANTS) {
      try {
        const result = await manyRooms(variant.party, runtime, run, variant.frame);
        results.set(key(runtime, variant), [...(results.get(key(runtime, variant)) ?? []), result]);
        console.log(`  run ${run} ${runtime} ${variant.label}: ${JSON.stringify(result)}`);
      } catch (error) {
        console.log(
          `  run ${run} ${runtime} ${variant.label}: FAILED ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  }
}
const med = (runtime: Runtime, variant: Variant, pick: keyof Result) =>
  median((results.get(key(runtime, variant)) ?? []).map((r) => r[pick]));
const baseline = VARIANTS[0];
console.log(
  `\n${table(
    [
      "runtime",
      "party",
      "workerd CPU per heartbeat (µs)",
      "× baseline",
      "relay workerd CPU per heartbeat (µs)",
      "workerd memory per connection (KiB)",
      "relay memory per connection (KiB)",
      "heartbeats answered",
    ],
    runtimes.flatMap((runtime) =>
      VARIANTS.map((variant) =>
        !results.has(key(runtime, variant))
          ? [runtime, variant.label, "failed (see the log above)", "", "", "", "", ""]
          : [
              runtime,
              variant.label,
              med(runtime, variant, "cpuPerHeartbeatUs").toFixed(1),
              (med(runtime, variant, "cpuPerHeartbeatUs") / med(runtime, baseline, "cpuPerHeartbeatUs")).toFixed(2),
              runtime === "wrangler" ? med(runtime, variant, "relayCpuPerHeartbeatUs").toFixed(1) : "–",
              (med(runtime, variant, "bytesPerConnection") / 1024).toFixed(2),
              runtime === "wrangler" ? (med(runtime, variant, "relayBytesPerConnection") / 1024).toFixed(2) : "–",
              `${med(runtime, variant, "pongs")} / ${med(runtime, variant, "heartbeats")}`,
            ],
      ),
    ),
  )}`,
);
process.exit(0);
