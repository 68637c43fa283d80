// Vanished clients: zombies (connected but silent) and clients whose TCP
// connection is destroyed without a close frame. How long until every watcher
// sees them gone. Run: npm run vanish -w @herenow/bench -- --runs 5
import { parseArgs } from "node:util";
import { isReport, type Kind, machine, median, SECRET, sleep, startParty, table, Workers } from "./lib/run";
import { tokenFor } from "./lib/token";

const { values } = parseArgs({
  options: {
    watchers: { type: "string", default: "100" },
    vanish: { type: "string", default: "10" },
    runs: { type: "string", default: "5" },
    "max-age": { type: "string", default: "10000" },
    grace: { type: "string", default: "5000" },
  },
});
const watcherCount = Number(values.watchers);
const vanishCount = Number(values.vanish);
const runs = Number(values.runs);
const maxAge = Number(values["max-age"]);
const grace = Number(values.grace);

async function vanish(kind: Kind, run: number): Promise<{ zombies: number | null; dropped: number }> {
  const server = await startParty(kind, { HERENOW_MAX_AGE_MS: String(maxAge), HERENOW_LEAVE_GRACE_MS: String(grace) });
  // worker 0: watchers that heartbeat; worker 1: the clients that vanish
  const workers = new Workers(2);
  const room = `vanish-${run}`;
  try {
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
  `vanished clients on ${machine()}; ${watcherCount} watchers, ${vanishCount} zombies and ${vanishCount} dropped, max age ${maxAge} ms, grace ${grace} ms, ${runs} runs`,
);
const results: Record<Kind, { zombies: (number | null)[]; dropped: number[] }> = {
  baseline: { zombies: [], dropped: [] },
  herenow: { zombies: [], dropped: [] },
};
for (let run = 1; run <= runs; run++) {
  for (const kind of ["baseline", "herenow"] as const) {
    const result = await vanish(kind, run);
    results[kind].zombies.push(result.zombies);
    results[kind].dropped.push(result.dropped);
    console.log(`  run ${run} ${kind}: ${JSON.stringify(result)}`);
  }
}
const zombieCell = (kind: Kind) => {
  const known = results[kind].zombies.filter((z): z is number => z !== null);
  return known.length === 0 ? "never" : `${median(known)}`;
};
console.log(
  `\n${table(
    ["party", "zombies gone after (ms, median)", "goal", "dropped gone after (ms, median)", "goal"],
    [
      ["baseline", zombieCell("baseline"), "", median(results.baseline.dropped), ""],
      ["herenow", zombieCell("herenow"), `≤ ${maxAge + 1000}`, median(results.herenow.dropped), `≤ ${grace + 500}`],
    ],
  )}`,
);
process.exit(0);
