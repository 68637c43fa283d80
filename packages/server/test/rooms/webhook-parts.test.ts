import { randomBytes } from "node:crypto";
import { createDb, createPresenceStore, createWebhookHandler } from "@herenow/db";
import { CONVERGE_MS, closeAll, freePort, PartyServer, SECRET, TestClient, token, until } from "@herenow/testing";
import { Receiver } from "@herenow/testing/http-receiver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESENCE_WORKER } from "./workers";

// Batches in parts under the real runtime: a part budget of 1 KiB
// (HERENOW_WEBHOOK_PART_BYTES) forces a room of a few dozen connections to
// send its snapshots and join storms in parts, which @herenow/db's receiver
// (on PGlite) must apply as one, across a crash of the party too.

const PART_BYTES = 1024;

describe("webhook batches in parts", () => {
  const db = createDb({ url: "pglite://memory" });
  const store = createPresenceStore(db);
  const bodies: { bytes: number; part: { number: number; count: number } | null; result: string }[] = [];
  const handle = createWebhookHandler({ store, secret: SECRET });
  let receiver: Receiver;
  let server: PartyServer;
  const clients = new Map<string, TestClient>();

  beforeAll(async () => {
    receiver = new Receiver(await freePort(), async (request) => {
      const text = await request.clone().text();
      const response = await handle(request);
      const { part } = JSON.parse(text) as { part?: { number: number; count: number } };
      const { result } = (await response.clone().json()) as { result: string };
      bodies.push({
        bytes: Buffer.byteLength(text),
        part: part ? { number: part.number, count: part.count } : null,
        result,
      });
      return response;
    });
    await receiver.listen();
    server = await PartyServer.start(
      {
        HERENOW_WEBHOOK_URL: receiver.url,
        HERENOW_WEBHOOK_BATCH_MS: "200",
        HERENOW_WEBHOOK_PART_BYTES: String(PART_BYTES),
        HERENOW_LEAVE_GRACE_MS: "300",
      },
      PRESENCE_WORKER,
    );
  });

  afterAll(async () => {
    closeAll([...clients.values()]);
    await server?.dispose();
    await receiver?.close();
    await db.destroy();
  });

  async function connect(room: string, id: string): Promise<void> {
    const client = await TestClient.open(
      server.url(room, { token: await token({ id: `u-${id}`, name: id }), _pk: id }),
    );
    clients.set(id, client);
  }

  async function inDatabase(room: string, want: string[]): Promise<string | null> {
    const ids = (await store.getPresences(room)).map((p) => p.connectionId).sort();
    return ids.join() === [...want].sort().join() ? null : `database has ${ids.length}: [${ids}]`;
  }

  it(
    "delivers a room's snapshots and joins in parts, and the copy equals the room after a crash",
    async () => {
      const room = `parts-${randomBytes(3).toString("hex")}`;
      const first = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, "0")}`);
      for (const id of first) await connect(room, id);
      await until(() => inDatabase(room, first), CONVERGE_MS);

      const parts = bodies.filter((b) => b.part !== null);
      expect(parts.length).toBeGreaterThanOrEqual(4);
      expect(bodies.every((b) => b.bytes <= PART_BYTES)).toBe(true);
      // every part but the one completing its batch was held, the completing one applied the batch
      expect(parts.filter((b) => b.part && b.part.number < b.part.count).every((b) => b.result === "partial")).toBe(
        true,
      );
      expect(parts.some((b) => b.result === "applied")).toBe(true);
      expect(receiver.statuses.get(500) ?? 0).toBe(0);

      // a crash: the new generation's first batch carries a snapshot of 25 connections, too big for one body
      const before = bodies.length;
      await server.stop("SIGKILL");
      await Promise.all([...clients.values()].map((client) => client.waitForClose(10_000)));
      clients.clear();
      await server.start();
      const back = first.slice(0, 25);
      for (const id of back) await connect(room, id);
      await until(() => inDatabase(room, back), CONVERGE_MS);
      const snapshotParts = bodies.slice(before).filter((b) => b.part !== null);
      expect(snapshotParts.length).toBeGreaterThanOrEqual(2);
      const ended = (await store.sessions({ room, limit: 100 })).filter((s) => s.endReason === "restart");
      expect(ended.map((s) => s.connectionId).sort()).toEqual(expect.arrayContaining(first.slice(25)));
      expect(receiver.statuses.get(500) ?? 0).toBe(0);
    },
    4 * CONVERGE_MS,
  );
});
