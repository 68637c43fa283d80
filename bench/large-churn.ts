// Steady churn in a large room (protocol 1.1): N windowed clients are in one room (opened
// in a storm that is not measured); then users join at a steady rate, then random members
// leave at that rate, then members of everyone's window leave a few a second. Watchers in
// this process (window 100, like the hook's default) record when each change reaches them:
// the head count for joins and leaves, the window diff for a departure from the window.
// With --shards K the room spreads over K shard objects (HERENOW_SHARDED_ROOMS).
// Run: npm run churn -w @herenow/bench -- --n 10000 --rate 50 --seconds 10 [--shards 8]
import { PresenceView } from "@herenow/core";
import { PromptCloseWebSocket } from "@herenow/testing";
import { flag, readFlags } from "./lib/options";
import { cpuMeter, isReport, machine, median, percentile, SECRET, sleep, startParty, table, Workers } from "./lib/run";
import { tokenFor } from "./lib/token";

const flags = readFlags({
  n: flag.number(10000),
  rate: flag.number(50),
  seconds: flag.number(10),
  "window-leaves": flag.number(20),
  watchers: flag.number(5),
  workers: flag.number(4),
  shards: flag.number(0),
});
const { n, rate, seconds, "window-leaves": windowLeaves, workers: workerCount } = flags;
const WINDOW = 100;

interface Watcher {
  view: PresenceView;
  /** [arrival time, count] for every message that carried a count. */
  counts: [number, number][];
  /** user id → when a diff said they left this watcher's window. */
  leftAt: Map<string, number>;
}

async function open(host: string, room: string, user: number, onMessage?: (text: string) => void) {
  const url = `ws://${host}/parties/main/${room}?_pk=c${user}&window=${WINDOW}&token=${await tokenFor(user, SECRET)}`;
  const ws = new PromptCloseWebSocket(url, { perMessageDeflate: false });
  if (onMessage) ws.on("message", (data: Buffer) => onMessage(data.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return ws;
}

async function watcher(host: string, room: string, user: number): Promise<Watcher> {
  const w: Watcher = { view: new PresenceView(), counts: [], leftAt: new Map() };
  await open(host, room, user, (text) => {
    const message = JSON.parse(text);
    if (!["presence:sync", "presence:diff", "presence:count"].includes(message.type)) return;
    w.view.apply(message);
    const now = performance.now();
    w.counts.push([now, w.view.count]);
    if (message.type === "presence:diff") for (const id of message.left) w.leftAt.set(id, now);
  });
  return w;
}

/** When a watcher's count first satisfied `reached`, at or after `from`. */
function countTime(w: Watcher, from: number, reached: (count: number) => boolean): number | null {
  for (const [at, count] of w.counts) if (at >= from && reached(count)) return at;
  return null;
}

const shards = flags.shards;
const room = `churn-${n}`;
const server = await startParty(
  "herenow",
  "miniflare",
  shards > 0 ? { HERENOW_SHARDED_ROOMS: room, HERENOW_SHARDS: String(shards) } : {},
);
const workers = new Workers(workerCount);
const rows: (string | number)[][] = [];
try {
  const where = shards > 0 ? `${shards} shards` : "one object";
  console.log(`large-room churn on ${machine()}; ${n} windowed members in ${where}, ${rate} events/s for ${seconds} s`);
  await workers.ready();
  workers.openUsers(n, {
    host: server.host,
    room,
    window: WINDOW,
  });
  await workers.collect(isReport("opened"), undefined, 30 * 60_000);
  await workers.collect(isReport("complete"), undefined, 30 * 60_000);
  const watchers = await Promise.all(
    Array.from({ length: flags.watchers }, (_, i) => watcher(server.host, room, 10_000_000 + i)),
  );
  await sleep(1500);
  let base = n + watchers.length;
  const gap = 1000 / rate;
  const events = rate * seconds;

  // 1. joins at the end of the crowd: count only
  let cpu = cpuMeter(server, workers);
  const joins: { at: number; count: number }[] = [];
  const joiners = [];
  for (let k = 1; k <= events; k++) {
    const at = performance.now();
    joiners.push(open(server.host, room, 20_000_000 + k));
    joins.push({ at, count: base + k });
    await sleep(gap - (performance.now() - at));
  }
  const joined = await Promise.all(joiners);
  await sleep(1500);
  const joinCpu = cpu();
  const joinLatency = watchers.flatMap((w) =>
    joins.map(({ at, count }) => (countTime(w, at, (c) => c >= count) ?? Number.NaN) - at),
  );
  base += events;

  // 2. random members leave (outside the first 100 almost always): count only
  cpu = cpuMeter(server, workers);
  const per = Math.ceil(n / workerCount);
  const leaves: { at: number; count: number }[] = [];
  for (let k = 1; k <= events; k++) {
    const at = performance.now();
    const user = WINDOW + 1 + Math.floor(((k * 7919) % (n - WINDOW - 1)) + 0);
    workers.send(Math.floor(user / per), { cmd: "leave-one", user, tag: `leave-${k}` });
    leaves.push({ at, count: base - k });
    await sleep(gap - (performance.now() - at));
  }
  await sleep(1500);
  const leaveCpu = cpu();
  const leaveLatency = watchers.flatMap((w) =>
    leaves.map(({ at, count }) => (countTime(w, at, (c) => c <= count) ?? Number.NaN) - at),
  );

  // 3. members of everyone's window leave, a few a second: a window diff to every member
  cpu = cpuMeter(server, workers);
  const windowEvents: { at: number; id: string }[] = [];
  for (let k = 0; k < windowLeaves; k++) {
    const first = watchers[0]?.view.snapshot.users.find((u) => /^u\d+$/.test(u.id) && Number(u.id.slice(1)) < n);
    if (!first) break;
    const user = Number(first.id.slice(1));
    const at = performance.now();
    workers.send(Math.floor(user / per), { cmd: "leave-one", user, tag: `window-${k}` });
    windowEvents.push({ at, id: first.id });
    await sleep(200);
  }
  await sleep(1500);
  const windowCpu = cpu();
  const windowLatency = watchers.flatMap((w) =>
    windowEvents.map(({ at, id }) => (w.leftAt.get(id) ?? Number.NaN) - at),
  );
  for (const ws of joined) ws.terminate();

  const row = (what: string, latencies: number[], count: number, used: { workerd: number; clients: number }) => {
    const seen = latencies.filter((l) => !Number.isNaN(l));
    rows.push([
      what,
      count,
      `${seen.length} of ${latencies.length}`,
      median(seen).toFixed(0),
      percentile(seen, 99).toFixed(0),
      Math.max(...seen).toFixed(0),
      used.workerd.toFixed(2),
      Math.round((used.workerd / count) * 1e6).toLocaleString("en-US"),
    ]);
  };
  row(`joins at ${rate}/s → count`, joinLatency, joins.length, joinCpu);
  row(`random leaves at ${rate}/s → count`, leaveLatency, leaves.length, leaveCpu);
  row("window members leave at 5/s → window diff", windowLatency, windowEvents.length, windowCpu);
  console.log(
    `\n${table(
      [
        "change",
        "events",
        "seen by watchers",
        "p50 (ms)",
        "p99 (ms)",
        "max (ms)",
        "workerd CPU (s)",
        "workerd µs per event",
      ],
      rows,
    )}`,
  );
} finally {
  workers.close();
  await server.dispose();
}
process.exit(0);
