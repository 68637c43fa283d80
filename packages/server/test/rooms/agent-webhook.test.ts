import { randomBytes } from "node:crypto";
import {
  createDb,
  createPresenceStore,
  createWebhookHandler,
  migrateToLatest,
  type PresenceChangedEvent,
  type PresenceStore,
  throwIfMigrationFailed,
} from "@herenow/db";
import { freePort, PartyServer, partyFetch, SECRET, until } from "@herenow/testing";
import { Receiver } from "@herenow/testing/http-receiver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESENCE_WORKER } from "./workers";

// Agent members (issue 29, item 1) through a real room's webhook into @herenow/db's copy, on
// PGlite and (with DATABASE_URL) PostgreSQL: their join with `kind: "agent"`, their status,
// the room's `occupied` and `vacated`, and their leave when the TTL ends.

const databaseUrl = process.env.DATABASE_URL?.trim();
const TARGETS = [
  { name: "PGlite", url: null as string | null },
  ...(databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl) ? [{ name: "PostgreSQL", url: databaseUrl }] : []),
];
const auth = { authorization: `Bearer ${SECRET}` };

describe.each(TARGETS)("agent members in the database copy on $name", (target) => {
  const prefix = `agents${randomBytes(3).toString("hex")}-`;
  const db = createDb({ url: target.url ?? "pglite://memory" });
  const heard: PresenceChangedEvent[] = [];
  let store: PresenceStore;
  let receiver: Receiver;
  let server: PartyServer;

  beforeAll(async () => {
    throwIfMigrationFailed(await migrateToLatest(db));
    store = createPresenceStore(db);
    store.onPresenceChanged((change) => {
      heard.push(change);
    });
    receiver = new Receiver(await freePort(), createWebhookHandler({ store, secret: SECRET }));
    await receiver.listen();
    server = await PartyServer.start(
      {
        HERENOW_WEBHOOK_URL: receiver.url,
        HERENOW_WEBHOOK_BATCH_MS: "100",
        HERENOW_SHARDED_ROOMS: `${prefix}sharded-*`,
        HERENOW_SHARDS: "3",
      },
      PRESENCE_WORKER,
    );
  });

  afterAll(async () => {
    await server?.dispose();
    await receiver?.close();
    if (target.url !== null) {
      for (const table of ["herenow_batches", "herenow_sessions", "herenow_presences", "herenow_rooms"] as const) {
        await db
          .deleteFrom(table)
          .where(table === "herenow_rooms" ? "name" : "room", "like", `${prefix}%`)
          .execute();
      }
    }
    await db.destroy();
  });

  const put = (room: string, body: unknown) =>
    partyFetch(server.httpUrl(room, "members/bot-1"), { method: "PUT", headers: auth, body: JSON.stringify(body) });

  it.each(["plain", "sharded"])(
    "copies a %s room's agent with its kind, status and occupancy, until its TTL ends",
    async (kind) => {
      const room = `${prefix}${kind}-room`;
      const occupancy = () =>
        heard.filter((change) => change.room === room).flatMap((change) => change.occupancy.map((o) => o.type));
      expect((await put(room, { name: "Assistant", ttlSeconds: 2 })).status).toBe(201);
      await until(async () => {
        const [row] = await store.getPresences(room);
        return row?.user?.kind === "agent" ? null : "the agent's row";
      }, 5000);
      const [row] = await store.getPresences(room);
      expect(row).toMatchObject({
        connectionId: "agent:bot-1",
        user: { id: "bot-1", name: "Assistant", kind: "agent" },
      });
      expect(occupancy()).toEqual(["occupied"]);
      await put(room, { name: "Assistant", status: "idle", ttlSeconds: 2 });
      await until(async () => ((await store.getUsers(room))[0]?.status === "idle" ? null : "idle"), 5000);
      await until(async () => ((await store.getPresences(room)).length === 0 ? null : "the agent gone"), 6000);
      expect(occupancy()).toEqual(["occupied", "vacated"]);
      const [session] = await store.sessions({ room });
      expect(session).toMatchObject({ connectionId: "agent:bot-1", userId: "bot-1", endReason: "stale" });
    },
  );
});
