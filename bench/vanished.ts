// Vanished clients: zombies (connected but silent) and clients whose TCP
// connection is destroyed without a close frame. How long until every watcher
// sees them gone. Run: npm run vanish -w @herenow/bench -- --runs 5

import { flag, readFlags } from "./lib/options";
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
import { tokenFor } from "./lib/token";

const {
  watchers: watcherCount,
  vanish: vanishCount,
  runs,
  "max-age": maxAge,
  grace,
  runtimes,
} = readFlags({
  watchers: flag.number(100),
  vanish: flag.number(10),
  runs: flag.number(5),
  "max-age": flag.number(10000),
  grace: flag.number(5000),
  runtimes: flag.runtimes(),
});
const parties = ["baseline", "herenow"] as const;

async function vanish(
  party: Party,
  runtime: Runtime,
  run: number,
): Promise<{ zombies: number | null; dropped: number }> {
  const server = await startParty(party, runtime, {
    HERENOW_MAX_AGE_MS: String(maxAge),
    HERENOW_LEAVE_GRACE_MS: String(grace),
  });
  const kind = protocolOf(party);
  // worker 0: watchers that heartbeat; worker 1: the clients that vanish
  const workers = new Workers(2);
  const room = `vanish-${run}`;
  try {
    await workers.ready();
    workers.send(0, {
      cmd: "open",
      kind,
      host: server.host,
      room,
      from: 0,
      to: watcherCount,
      batch: 50,
      secret: SECRET,
      expect: watcherCount,
      heartbeatMs: Math.min(2000, maxAge / 4),
    });
    await workers.collect(isReport("complete"), [0]);

    // zombies: open, then never send a byte again
    const openZombies = async (from: number) => {
      for (let i = 0; i < vanishCount; i++) {
        const user = from + i;
        workers.send(1, {
          cmd: "open-one",
          kind,
          host: server.host,
          room,
          user,
          secret: SECRET,
          token: await tokenFor(user, SECRET),
        });
      }
    };
    workers.send(0, { cmd: "watch", expect: watcherCount + vanishCount, tag: "zombies-in" });
    await openZombies(watcherCount);
    await workers.collect(isReport("complete"), [0]);
    const silentSince = Date.now();
    let zombies: number | null = null;
    workers.send(0, { cmd: "watch", expect: watcherCount, tag: "zombies-out" });
    try {
      const [gone] = await workers.collect(isReport("complete"), [0], maxAge + 15_000);
      zombies = (gone?.at ?? 0) - silentSince;
    } catch {
      // the baseline never prunes a silent client: clear them by hand for the next part
      for (let i = 0; i < vanishCount; i++) workers.send(1, { cmd: "drop", user: watcherCount + i });
      await workers.collect(isReport("complete"), [0], 30_000);
    }

    // dropped: TCP destroyed without a close frame
    workers.send(0, { cmd: "watch", expect: watcherCount + vanishCount, tag: "drop-in" });
    await openZombies(watcherCount + vanishCount);
    await workers.collect(isReport("complete"), [0]);
    await sleep(200);
    workers.send(0, { cmd: "watch", expect: watcherCount, tag: "drop-out" });
    const droppedAt = Date.now();
    for (let i = 0; i < vanishCount; i++) workers.send(1, { cmd: "drop", user: watcherCount + vanishCount + i });
    const [gone] = await workers.collect(isReport("complete"), [0], grace + 15_000);
    return { zombies, dropped: (gone?.at ?? 0) - droppedAt };
  } finally {
    workers.close();
    await server.dispose();
  }
}

console.log(
  `vanished clients on ${machine()}; ${watcherCount} watchers, ${vanishCount} zombies and ${vanishCount} dropped, max age ${maxAge} ms, grace ${grace} ms, ${runs} runs under ${runtimes.join(", ")}`,
);
const results = new Map<string, { zombies: (number | null)[]; dropped: number[] }>();
const key = (runtime: Runtime, party: Party) => `${runtime}/${party}`;
for (let run = 1; run <= runs; run++) {
  for (const runtime of runtimes) {
    for (const party of parties) {
      const result = await vanish(party, runtime, run);
      const all = results.get(key(runtime, party)) ?? { zombies: [], dropped: [] };
      all.zombies.push(result.zombies);
      all.dropped.push(result.dropped);
      results.set(key(runtime, party), all);
      console.log(`  run ${run} ${runtime} ${party}: ${JSON.stringify(result)}`);
    }
  }
}
const zombieCell = (runtime: Runtime, party: Party) => {
  const known = (results.get(key(runtime, party))?.zombies ?? []).filter((z): z is number => z !== null);
  return known.length === 0 ? "never" : `${median(known)}`;
};
const dropped = (runtime: Runtime, party: Party) => median(results.get(key(runtime, party))?.dropped ?? []);
console.log(
  `\n${table(
    ["runtime", "party", "zombies gone after (ms, median)", "goal", "dropped gone after (ms, median)", "goal"],
    runtimes.flatMap((runtime) => [
      [runtime, "baseline", zombieCell(runtime, "baseline"), "", dropped(runtime, "baseline"), ""],
      [
        runtime,
        "herenow",
        zombieCell(runtime, "herenow"),
        `≤ ${maxAge + 1000}`,
        dropped(runtime, "herenow"),
        `≤ ${grace + 500}`,
      ],
    ]),
  )}`,
);
process.exit(0);
