// Failure drill over shards (issue 13): N signed-in windowed members in one room spread over
// shard objects (each person on their own shard), and one user with two tabs whose ids hash to two
// shards (both go to the user's). The user closes one tab: still present.
// Then the runtime is killed (SIGKILL) and started again on the same storage, and only some of
// the members come back. Every returning client's count must be exact, the room's own snapshot
// (its coordinator's HTTP API) must list exactly them, and so must the webhook copy in PGlite:
// no ghost of those who did not come back, anywhere.
// Run: npm run drill:shards -w @herenow/bench -- --n 5000 --back 4000 --shards 8
import { createDb, createPresenceStore, createWebhookHandler } from "@herenow/db";
import { freePort, idOnShard, PartyServer, partyFetch, SECRET, TestClient, token, until } from "@herenow/testing";
import { Receiver } from "@herenow/testing/http-receiver";
import { flag, readFlags } from "./lib/options";
import { isReport, machine, table, Workers } from "./lib/run";

const {
  n,
  back,
  shards,
  workers: workerCount,
} = readFlags({ n: flag.number(5000), back: flag.number(4000), shards: flag.number(8), workers: flag.number(4) });
const room = "drill-stage";
const WINDOW = 100;
/** The user with two tabs, far outside the crowd's numbers. */
const TABS_USER = { id: "u-tabs", name: "Two Tabs" };
const CONVERGE_MS = 10 * 60_000;

const idOn = (shard: number, prefix: string) => idOnShard(shard, shards, prefix);

const db = createDb({ url: "pglite://memory" });
const store = createPresenceStore(db);
const receiver = new Receiver(await freePort(), createWebhookHandler({ store, secret: SECRET }));
await receiver.listen();
const server = await PartyServer.start({
  HERENOW_WEBHOOK_URL: receiver.url,
  HERENOW_WEBHOOK_BATCH_MS: "200",
  HERENOW_LEAVE_GRACE_MS: "1000",
  // no member is pruned as stale during the drill: it is about the crash
  HERENOW_MAX_AGE_MS: "600000",
  HERENOW_SHARDED_ROOMS: room,
  HERENOW_SHARDS: String(shards),
});

async function roomSnapshot(): Promise<{ users: { id: string; connections: number }[]; connections: number }> {
  const response = await partyFetch(server.httpUrl(room), { headers: { authorization: `Bearer ${SECRET}` } });
  if (!response.ok) throw new Error(`GET ${room} answered ${response.status}`);
  return response.json();
}

/** Null once the room's snapshot and the database copy hold exactly these users and connections. */
async function mismatch(users: Set<string>, connections: number): Promise<string | null> {
  const live = await roomSnapshot();
  const ghostsInRoom = live.users.filter((u) => !users.has(u.id)).length;
  if (live.users.length !== users.size || ghostsInRoom > 0 || live.connections !== connections) {
    return `room: ${live.users.length} users (${ghostsInRoom} ghosts), ${live.connections} connections`;
  }
  const copy = await store.getPresences(room);
  const ghostsInCopy = copy.filter((p) => !users.has(p.user?.id ?? "")).length;
  if (copy.length !== connections || ghostsInCopy > 0) return `database: ${copy.length} rows (${ghostsInCopy} ghosts)`;
  return null;
}

const openTab = async (shard: number, prefix: string) =>
  TestClient.open(
    server.url(room, { token: await token(TABS_USER), _pk: idOn(shard, prefix), window: String(WINDOW) }),
  );

const crowd = (count: number) => new Set([...Array.from({ length: count }, (_, i) => `u${i}`), TABS_USER.id]);
console.log(`shard drill on ${machine()}: ${n} members over ${shards} shards, SIGKILL, ${back} come back`);
let workers = new Workers(workerCount);
const rows: (string | number)[][] = [];
try {
  await workers.ready();
  const stormAt = Date.now();
  workers.openUsers(n, {
    host: server.host,
    room,
    window: WINDOW,
  });
  await workers.collect(isReport("opened"), undefined, CONVERGE_MS);
  await workers.collect(isReport("complete"), undefined, CONVERGE_MS);
  const stormMs = Date.now() - stormAt;

  // one user, two tabs with ids of two shards (both on the user's): one closes, the user stays with one connection
  const tabA = await openTab(0, "tab-a");
  const tabB = await openTab(1, "tab-b");
  const allIn = await until(() => mismatch(crowd(n), n + 2), CONVERGE_MS);
  tabA.send({ type: "presence:leave" });
  await until(() => mismatch(crowd(n), n + 1), CONVERGE_MS);
  const tabUser = (await roomSnapshot()).users.find((u) => u.id === TABS_USER.id);
  const oneTabLeft = tabUser?.connections === 1 ? "present, 1 connection" : `wrong: ${JSON.stringify(tabUser)}`;
  console.log(`  storm ${stormMs} ms, copy equal ${allIn} ms later; after one tab closed: ${oneTabLeft}`);

  // the crash: every socket drops, the runtime comes back on the same storage
  const killedAt = Date.now();
  await server.stop("SIGKILL");
  workers.close();
  tabB.close();
  const restartAt = Date.now();
  await server.start();
  const restartMs = Date.now() - restartAt;
  workers = new Workers(workerCount);
  await workers.ready();
  const returnAt = Date.now();
  // the members 0 … back-1 and the two-tab user's second tab come back
  const tabAgain = await openTab(1, "tab-b");
  workers.openUsers(back, {
    host: server.host,
    room,
    expect: back + 1,
    window: WINDOW,
  });
  await workers.collect(isReport("opened"), undefined, CONVERGE_MS);
  await workers.collect(isReport("complete"), undefined, CONVERGE_MS);
  const clientsExactMs = Date.now() - returnAt;
  await tabAgain.waitFor(() => tabAgain.snapshot.count === back + 1, CONVERGE_MS, "the tab's count");
  const copyEqualMs = (await until(() => mismatch(crowd(back), back + 1), CONVERGE_MS)) + clientsExactMs;
  const live = await roomSnapshot();
  const copy = await store.getPresences(room);
  const truth = crowd(back);
  rows.push([
    n,
    shards,
    (stormMs / 1000).toFixed(1),
    oneTabLeft,
    (restartMs / 1000).toFixed(1),
    (clientsExactMs / 1000).toFixed(1),
    (copyEqualMs / 1000).toFixed(1),
    ((Date.now() - killedAt) / 1000).toFixed(1),
    live.users.filter((u) => !truth.has(u.id)).length,
    copy.filter((p) => !truth.has(p.user?.id ?? "")).length,
  ]);
  tabAgain.close();
} finally {
  workers.close();
  await server.dispose();
  await receiver.close();
  await db.destroy();
}
console.log(
  `\n${table(
    [
      "members",
      "shards",
      "storm (s)",
      "two-tab user after one tab closed",
      "restart (s)",
      "returning clients' counts exact after (s)",
      "room and copy equal after (s)",
      "kill → all equal (s)",
      "ghosts in the room",
      "ghosts in the copy",
    ],
    rows,
  )}`,
);
process.exit(0);
