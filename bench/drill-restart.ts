// Failure drill: SIGKILL `partykit dev` during a session of 100 clients in 10
// rooms and start it again. The clients (partysocket, reconnecting on their own)
// must converge on the truth, the database copy too, with no ghost anywhere and
// the crash in the history (sessions ended "restart").
// Run: npm run drill:restart -w @herenow/bench
import { PresenceView } from "@herenow/core";
import { createDb, createPresenceStore, createWebhookHandler } from "@herenow/db";
import { freePort, PartyServer, SECRET, token, until } from "@herenow/party/test-harness";
import { Receiver } from "@herenow/party/test-http-receiver";
import PartySocket from "partysocket";
import WS from "ws";
import { machine, sleep } from "./lib/run";

const ROOMS = 10;
const CLIENTS = 100;
/** Clients that never come back after the crash: their rooms' copies must drop them. */
const GONE = 10;

const db = createDb({ url: "pglite://memory" });
const store = createPresenceStore(db);
const receiver = new Receiver(await freePort(), createWebhookHandler({ db, store, secret: SECRET }));
await receiver.listen();
const server = await PartyServer.start({
  HERENOW_WEBHOOK_URL: receiver.url,
  HERENOW_WEBHOOK_BATCH_MS: "200",
  HERENOW_LEAVE_GRACE_MS: "1000",
  HERENOW_MAX_AGE_MS: "10000",
});
const roomOf = (i: number) => `drill-${i % ROOMS}`;

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
function truth(active: typeof clients): Map<string, string[]> {
  const rooms = new Map<string, string[]>();
  for (const c of active) rooms.set(roomOf(c.i), [...(rooms.get(roomOf(c.i)) ?? []), `u${c.i}`]);
  for (const [room, users] of rooms) rooms.set(room, users.sort());
  return rooms;
}

async function converged(active: typeof clients): Promise<string | null> {
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
}

console.log(`restart drill on ${machine()}: ${CLIENTS} clients in ${ROOMS} rooms, SIGKILL, ${GONE} never return`);
try {
  console.log(`  all in after ${await until(() => converged(clients), 60_000)} ms`);
  const killedAt = Date.now();
  await server.stop("SIGKILL");
  const gone = clients.slice(0, GONE);
  for (const c of gone) c.socket.close();
  await sleep(1000);
  await server.start();
  const active = clients.slice(GONE);
  // partykit dev does not fire alarms of rooms nobody wakes; every room here has clients coming back
  const took = await until(() => converged(active), 120_000);
  console.log(
    `  views and database equal the truth ${Date.now() - killedAt} ms after the kill (${took} ms after the restart)`,
  );
  const sessions = await store.sessions({ limit: 10_000 });
  const ended = sessions.filter((s) => s.endReason === "restart").map((s) => s.connectionId);
  const goneIds = gone.map((c) => `c${c.i}`);
  const missing = goneIds.filter((id) => !ended.includes(id));
  console.log(
    `  sessions ended "restart": ${ended.length}; of the ${GONE} that never came back, ${GONE - missing.length} recorded`,
  );
  const ghosts = (await store.listRooms()).reduce((sum, r) => sum + r.connections, 0) - active.length;
  console.log(`  ghost connections in the database: ${ghosts}`);
  if (missing.length > 0 || ghosts !== 0) process.exitCode = 1;
} finally {
  clearInterval(heartbeat);
  for (const c of clients) c.socket.close();
  await server.dispose();
  await receiver.close();
  await db.destroy();
}
process.exit();
