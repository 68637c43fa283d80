// Failure drill: SIGKILL the runtime (Miniflare's workerd, or wrangler dev and both its
// workerd) during a session of 100 clients in 10 rooms and start it again on the same
// storage. The clients (partysocket, reconnecting on their own) must converge on the
// truth, the database copy too, with no ghost anywhere and the crash in the history
// (sessions ended "restart").
// Run: npm run drill:restart -w @herenow/bench  (-- --runtimes miniflare,wrangler)
import { PresenceView } from "@herenow/core";
import { createDb, createPresenceStore, createWebhookHandler } from "@herenow/db";
import { freePort, PartyServer, SECRET, token, until } from "@herenow/testing";
import { Receiver } from "@herenow/testing/http-receiver";
import PartySocket from "partysocket";
import WS from "ws";
import { flag, readFlags } from "./lib/options";
import { machine, type Runtime, sleep, table } from "./lib/run";

const ROOMS = 10;
const CLIENTS = 100;
/** Clients that never come back after the crash: their rooms' copies must drop them. */
const GONE = 10;

const { runtimes, runs } = readFlags({ runtimes: flag.runtimes(), runs: flag.number(1) });
const roomOf = (i: number) => `drill-${i % ROOMS}`;

interface Outcome {
  allInMs: number;
  /** From the kill until the views and the database equal the truth (includes 1 s down). */
  afterKillMs: number;
  /** How long the runtime took to start again (to answer HTTP). */
  restartMs: number;
  /** From the runtime answering again until the views and the database equal the truth. */
  afterUpMs: number;
  endedRestart: number;
  goneRecorded: number;
  ghosts: number;
}

async function drill(runtime: Runtime): Promise<Outcome> {
  const db = createDb({ url: "pglite://memory" });
  const store = createPresenceStore(db);
  const receiver = new Receiver(await freePort(), createWebhookHandler({ store, secret: SECRET }));
  await receiver.listen();
  const server = await PartyServer.start(
    {
      HERENOW_WEBHOOK_URL: receiver.url,
      HERENOW_WEBHOOK_BATCH_MS: "200",
      HERENOW_LEAVE_GRACE_MS: "1000",
      HERENOW_MAX_AGE_MS: "10000",
    },
    undefined,
    runtime,
  );

  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const view = new PresenceView();
    const socket = new PartySocket({
      host: server.host,
      room: roomOf(i),
      id: `c${i}`,
      query: async () => ({ token: await token({ id: `u${i}`, name: `User ${i}` }) }),
      WebSocket: WS,
      minReconnectionDelay: 200,
      maxReconnectionDelay: 2000,
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data));
      if (message.type === "presence:sync" || message.type === "presence:diff") {
        if (view.apply(message) === "gap") socket.send('{"type":"presence:resync"}');
      }
    });
    return { i, socket, view };
  });
  const heartbeat = setInterval(() => {
    for (const c of clients) if (c.socket.readyState === WS.OPEN) c.socket.send('"heartbeat"');
  }, 2000);

  /** Users each room should show: the clients still running in it. */
  const truth = (active: typeof clients): Map<string, string[]> => {
    const rooms = new Map<string, string[]>();
    for (const c of active) rooms.set(roomOf(c.i), [...(rooms.get(roomOf(c.i)) ?? []), `u${c.i}`]);
    for (const [room, users] of rooms) rooms.set(room, users.sort());
    return rooms;
  };
  const converged = async (active: typeof clients): Promise<string | null> => {
    const want = truth(active);
    for (const c of active) {
      const seen = c.view.snapshot.users.map((u) => u.id).sort();
      if (seen.join() !== want.get(roomOf(c.i))?.join()) return `client ${c.i} sees ${seen.length} users`;
    }
    for (const [room, users] of want) {
      const copy = (await store.getPresences(room)).map((p) => p.user?.id ?? "?").sort();
      if (copy.join() !== users.join()) return `database copy of ${room} has ${copy.length} of ${users.length}`;
    }
    return null;
  };

  try {
    const allInMs = await until(() => converged(clients), 60_000);
    console.log(`  ${runtime}: all in after ${allInMs} ms`);
    const killedAt = Date.now();
    await server.stop("SIGKILL");
    const gone = clients.slice(0, GONE);
    for (const c of gone) c.socket.close();
    await sleep(1000);
    const restartAt = Date.now();
    await server.start();
    const restartMs = Date.now() - restartAt;
    const active = clients.slice(GONE);
    // no room is woken by its alarm alone here: every room has clients coming back
    const afterUpMs = await until(() => converged(active), 120_000);
    const afterKillMs = Date.now() - killedAt;
    const sessions = await store.sessions({ limit: 10_000 });
    const ended = sessions.filter((s) => s.endReason === "restart").map((s) => s.connectionId);
    const goneRecorded = gone.filter((c) => ended.includes(`c${c.i}`)).length;
    const ghosts = (await store.listRooms()).reduce((sum, r) => sum + r.connections, 0) - active.length;
    const outcome = {
      allInMs,
      afterKillMs,
      restartMs,
      afterUpMs,
      endedRestart: ended.length,
      goneRecorded,
      ghosts,
    };
    console.log(`  ${runtime}: ${JSON.stringify(outcome)}`);
    return outcome;
  } finally {
    clearInterval(heartbeat);
    for (const c of clients) c.socket.close();
    await server.dispose();
    await receiver.close();
    await db.destroy();
  }
}

console.log(`restart drill on ${machine()}: ${CLIENTS} clients in ${ROOMS} rooms, SIGKILL, ${GONE} never return`);
const rows: (string | number)[][] = [];
for (let run = 1; run <= runs; run++) {
  for (const runtime of runtimes) {
    const o = await drill(runtime);
    rows.push([
      runtime,
      run,
      (o.afterKillMs / 1000).toFixed(2),
      (o.restartMs / 1000).toFixed(2),
      (o.afterUpMs / 1000).toFixed(2),
      o.ghosts,
      `${o.goneRecorded} / ${GONE}`,
      o.endedRestart,
    ]);
    if (o.goneRecorded !== GONE || o.ghosts !== 0) process.exitCode = 1;
  }
}
console.log(
  `\n${table(
    [
      "runtime",
      "run",
      "views and database equal the truth after the kill (s)",
      "runtime start took (s)",
      "converged after the runtime was up (s)",
      "ghost connections",
      "vanished sessions ended restart",
      "sessions ended restart in all",
    ],
    rows,
  )}`,
);
process.exit();
