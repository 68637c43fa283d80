import { PresenceView } from "@herenow/core";
import { PartyServer, sleep, TestClient, token, until, PromptCloseWebSocket as WS } from "@herenow/testing";
import PartySocket from "partysocket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESENCE_WORKER, snapshotOf } from "./workers";

const MAX_AGE = 1500;
const GRACE = 1000;
let server: PartyServer;

beforeAll(async () => {
  server = await PartyServer.start(
    { HERENOW_MAX_AGE_MS: String(MAX_AGE), HERENOW_LEAVE_GRACE_MS: String(GRACE) },
    PRESENCE_WORKER,
  );
});
afterAll(async () => {
  await server?.dispose();
});

function keepAlive(client: TestClient): () => void {
  const timer = setInterval(() => client.send({ type: "presence:heartbeat" }), 300);
  return () => clearInterval(timer);
}

describe("stale connections", () => {
  it("prunes a zombie that stays connected but sends nothing with 4000, not before its max age", async () => {
    const watcher = await TestClient.open(server.url("zombie", { token: await token({ id: "u-w", name: "W" }) }));
    const stop = keepAlive(watcher);
    try {
      const zombieToken = await token({ id: "u-z", name: "Z" });
      // taken before the socket opens, so it is never later than the room's first sight of the zombie
      const joinedAt = Date.now();
      const zombie = await TestClient.open(server.url("zombie", { token: zombieToken }));
      await watcher.waitForUsers(["u-w", "u-z"]);
      // How soon after its max age it goes is a matter of speed, measured in bench/vanished.ts;
      // here only the order: pruned, and never before it has been silent for its max age.
      const closed = await zombie.waitForClose(MAX_AGE + 15_000);
      const took = Date.now() - joinedAt;
      expect(closed.code).toBe(4000);
      expect(took).toBeGreaterThanOrEqual(MAX_AGE);
      // a stale connection is gone: no leave grace on top
      await watcher.waitForUsers(["u-w"], 500);
      expect(watcher.closeEvent).toBeNull();
    } finally {
      stop();
      watcher.close();
    }
  });

  it("keeps a quiet connection that heartbeats, with either heartbeat form", async () => {
    const a = await TestClient.open(server.url("quiet", { token: await token({ id: "u-a", name: "A" }) }));
    const timer = setInterval(() => a.send('"heartbeat"'), 400);
    await sleep(MAX_AGE * 2);
    clearInterval(timer);
    expect(a.closeEvent).toBeNull();
    expect(a.userIds()).toEqual(["u-a"]);
    a.close();
  });
});

/** A partysocket client that reconnects by itself and keeps a view of the room. */
function reconnecting(room: string, user: { id: string; name: string }, id: string) {
  const view = new PresenceView();
  const socket = new PartySocket({
    host: server.host,
    room,
    id,
    query: async () => ({ token: await token(user) }),
    WebSocket: WS,
    minReconnectionDelay: 100,
    maxReconnectionDelay: 500,
    connectionTimeout: 2000,
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    if (message.type === "presence:sync" || message.type === "presence:diff") {
      if (view.apply(message) === "gap") socket.send('{"type":"presence:resync"}');
    }
  });
  const heartbeat = setInterval(() => {
    if (socket.readyState === WS.OPEN) socket.send('"heartbeat"');
  }, 300);
  return {
    socket,
    view,
    ids: () => view.snapshot.users.map((u) => u.id).sort(),
    stop: () => {
      clearInterval(heartbeat);
      socket.close();
    },
  };
}

describe("a room restart", () => {
  it("shows no ghost users once clients reconnect after wrangler dev is killed", async () => {
    const ann = reconnecting("restart", { id: "u-ann", name: "Ann" }, "c-ann");
    const bo = reconnecting("restart", { id: "u-bo", name: "Bo" }, "c-bo");
    const cy = await TestClient.open(server.url("restart", { token: await token({ id: "u-cy", name: "Cy" }) }));
    try {
      await until(() => (ann.ids().join() === "u-ann,u-bo,u-cy" ? null : "three users"), 5000);
      // Cy closes without a leave just before the crash: Cy is lingering in storage
      cy.close();
      await sleep(100);
      await server.stop("SIGKILL");
      // Bo goes away for good while the server is down
      bo.stop();
      await sleep(300);
      await server.start();
      await until(() => (ann.view.snapshot.synced && ann.ids().join() === "u-ann" ? null : "only Ann"), GRACE + 5000);
      const snapshot = await snapshotOf(server, "restart");
      expect(snapshot.users.map((u: { id: string }) => u.id)).toEqual(["u-ann"]);
      expect(snapshot.connections).toBe(1);
    } finally {
      ann.stop();
      bo.stop();
    }
  });
});
