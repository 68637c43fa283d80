// What a sharded room's coordinator reads of the whole room at the moment it is asked, from its
// shards (issue 27, items 2 and 5): a `presence:list` page asked at a shard, the HTTP snapshot and
// the webhook's snapshot list exactly the room's users and connections, agents included; a shard
// that does not answer gives a clear error, never a list short of its people. The fixture's
// shards can be told to fail the coordinator's gathers (`/silence`).

import type { WebhookBatch } from "@herenow/core";
import { createDb, createPresenceStore, createWebhookHandler, migrateToLatest, type PresenceStore } from "@herenow/db";
import {
  closeAll,
  freePort,
  idOnShard,
  PartyServer,
  partyFetch,
  SECRET,
  TestClient,
  token,
  until,
} from "@herenow/testing";
import { Receiver } from "@herenow/testing/http-receiver";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auth, fixtureWorker, snapshotOf } from "./workers";

const SHARDS = 3;
const userOn = (shard: number, name: string) => ({ id: idOnShard(shard, SHARDS, `u-${name}`), name });

const db = createDb({ url: "pglite://memory" });
let store: PresenceStore;
let receiver: Receiver;
let server: PartyServer;
/** The room whose next batch the receiver answers with 409 "send a snapshot", once. */
let askSnapshotOf: string | null = null;
/** The connection ids of every snapshot the receiver was sent, by room. */
const snapshots = new Map<string, string[][]>();
const clients: TestClient[] = [];

beforeAll(async () => {
  const migrated = await migrateToLatest(db);
  if (migrated.error) throw migrated.error;
  store = createPresenceStore(db);
  const handle = createWebhookHandler({ store, secret: SECRET });
  receiver = new Receiver(await freePort(), async (request) => {
    const batch = (await request.clone().json()) as WebhookBatch;
    if (batch.room === askSnapshotOf) {
      askSnapshotOf = null;
      return Response.json({ result: "out_of_sync", need: "snapshot" }, { status: 409 });
    }
    if (batch.snapshot) {
      const list = snapshots.get(batch.room) ?? [];
      list.push(batch.snapshot.map((connection) => connection.connectionId).sort());
      snapshots.set(batch.room, list);
    }
    return handle(request);
  });
  await receiver.listen();
  server = await PartyServer.start(
    {
      HERENOW_SHARDED_ROOMS: "gather-*",
      HERENOW_SHARDS: String(SHARDS),
      HERENOW_WEBHOOK_URL: receiver.url,
      HERENOW_WEBHOOK_BATCH_MS: "100",
    },
    fixtureWorker("silent-shard"),
  );
});

afterAll(async () => {
  await server?.dispose();
  await receiver?.close();
  await db.destroy();
});

afterEach(() => closeAll(clients.splice(0)));

async function connect(room: string, user: { id: string; name: string } | null, pk?: string): Promise<TestClient> {
  const query: Record<string, string> = {};
  if (user) query.token = await token(user);
  if (pk) query._pk = pk;
  const client = await TestClient.open(server.url(room, query));
  clients.push(client);
  await client.next("presence:sync", 0);
  return client;
}

async function putAgent(room: string, id: string): Promise<void> {
  const response = await partyFetch(server.httpUrl(room, `members/${id}`), {
    method: "PUT",
    headers: auth,
    body: JSON.stringify({ name: id, ttlSeconds: 600 }),
  });
  expect(response.status).toBe(201);
}

async function silence(room: string, shard: number, silent: boolean): Promise<void> {
  const response = await partyFetch(server.httpUrl(room, "silence"), {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ shard, silent }),
  });
  expect(response.status).toBe(200);
}

/**
 * People on every shard, a person with two tabs, an anonymous socket and two agents (at the
 * coordinator) between them, joined one after another; the reader, on shard 2, joins last.
 */
async function seat(room: string) {
  const order: string[] = [];
  const sockets: TestClient[] = [];
  const join = async (user: { id: string; name: string }) => {
    sockets.push(await connect(room, user));
    order.push(user.id);
  };
  await join(userOn(0, "a"));
  await join(userOn(1, "b"));
  sockets.push(await connect(room, userOn(1, "b"))); // b's second tab
  await join(userOn(2, "c"));
  await putAgent(room, "bot-1");
  order.push("bot-1");
  await join(userOn(1, "d"));
  await join(userOn(0, "e"));
  sockets.push(await connect(room, null, idOnShard(1, SHARDS, "anon")));
  await join(userOn(2, "f"));
  await putAgent(room, "bot-2");
  order.push("bot-2");
  const readerUser = userOn(2, "reader");
  const reader = await connect(room, readerUser, idOnShard(2, SHARDS, "reader"));
  order.push(readerUser.id);
  await reader.waitFor(() => reader.snapshot.count === order.length, 5000, `${order.length} users`);
  const connectionIds = [
    ...[...sockets, reader].map((client) => client.snapshot.self?.connectionId as string),
    "agent:bot-1",
    "agent:bot-2",
  ].sort();
  return { order, sockets, reader, connectionIds };
}

async function list(client: TestClient, after: string | null, limit: number) {
  const from = client.messages.length;
  client.send({ type: "presence:list", after, limit });
  await client.waitFor(
    () => client.messages.slice(from).some((m) => m.type === "presence:page" || m.type === "presence:error"),
    5000,
    "a page or an error",
  );
  return client.messages.slice(from).find((m) => m.type === "presence:page" || m.type === "presence:error");
}

describe("a sharded room read from its shards when asked", () => {
  it("pages everyone on every shard and the agents in join order, past a cursor whose user left mid-paging", async () => {
    const room = "gather-pages";
    const { order, sockets, reader } = await seat(room);
    const first = await list(reader, null, 2);
    expect(first).toMatchObject({ type: "presence:page", after: null, count: order.length });
    expect(first.users.map((u: { id: string }) => u.id)).toEqual(order.slice(0, 2));
    // b (the cursor's user, both tabs on shard 1) leaves before the next page is asked
    const b = order[1] as string;
    for (const tab of sockets.slice(1, 3)) tab.send({ type: "presence:leave" });
    await reader.waitFor(() => !reader.view.user(b), 5000, "b gone");
    const seen = first.users.map((u: { id: string }) => u.id);
    let after: string | null = first.next;
    while (after !== null) {
      const page = await list(reader, after, 2);
      expect(page).toMatchObject({ type: "presence:page", after, count: order.length - 1 });
      seen.push(...page.users.map((u: { id: string }) => u.id));
      after = page.next;
    }
    expect(seen).toEqual(order);
    // a cursor that is none is refused as in a room of one object
    expect(await list(reader, "not a cursor", 2)).toMatchObject({ type: "presence:error", code: "invalid_message" });
  });

  it("answers the HTTP snapshot with exactly the room's users in join order and its connections", async () => {
    const room = "gather-http";
    const { order, connectionIds } = await seat(room);
    const snapshot = await snapshotOf(server, room);
    expect(snapshot.users.map((user) => user.id)).toEqual(order);
    expect(snapshot).toMatchObject({ room, anonymous: 1, connections: connectionIds.length });
    expect(snapshot.users.filter((user) => user.kind === "agent").map((user) => user.id)).toEqual(["bot-1", "bot-2"]);
  });

  it("sends the webhook a snapshot of exactly the room's connections, and the database copy is exact", async () => {
    const room = "gather-hook";
    const { connectionIds } = await seat(room);
    askSnapshotOf = room;
    const late = await connect(room, userOn(0, "late"));
    const expected = [...connectionIds, late.snapshot.self?.connectionId as string].sort();
    await until(async () => {
      const copy = (await store.getPresences(room)).map((p) => p.connectionId).sort();
      return snapshots.get(room)?.length && copy.join() === expected.join() ? null : `copy ${copy.join()}`;
    }, 10_000);
    expect(snapshots.get(room)?.at(-1)).toEqual(expected);
  });

  it("answers the HTTP snapshot with 503 naming the shard while one does not answer, and the whole room once it does", async () => {
    const room = "gather-silent-http";
    const { order } = await seat(room);
    await silence(room, 1, true);
    const refused = await partyFetch(server.httpUrl(room), { headers: auth });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { error: string }).error).toMatch(/^shard 1 of the room did not answer/);
    await silence(room, 1, false);
    expect((await snapshotOf(server, room)).users.map((user) => user.id)).toEqual(order);
  });

  it("answers presence:list at a shard with rate_limited while another does not answer, and the page once it does", async () => {
    const room = "gather-silent-list";
    const { order, reader } = await seat(room);
    await silence(room, 1, true);
    expect(await list(reader, null, 50)).toMatchObject({
      type: "presence:error",
      code: "rate_limited",
      message: "presence:list: a shard of this room did not answer; ask again in a moment",
    });
    await silence(room, 1, false);
    const page = await list(reader, null, 50);
    expect(page.users.map((u: { id: string }) => u.id)).toEqual(order);
  });

  it("sends the webhook no snapshot while a shard does not answer, and an exact one once it does", async () => {
    const room = "gather-silent-hook";
    const { connectionIds } = await seat(room);
    await silence(room, 1, true);
    const before = snapshots.get(room)?.length ?? 0;
    // the receiver asks for a snapshot after the next batch: none can go out while shard 1 is silent
    askSnapshotOf = room;
    const late = await connect(room, userOn(0, "late"));
    const expected = [...connectionIds, late.snapshot.self?.connectionId as string].sort();
    await until(async () => (askSnapshotOf === null ? null : "the 409"), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(snapshots.get(room)?.length ?? 0).toBe(before);
    await silence(room, 1, false);
    await until(async () => ((snapshots.get(room)?.length ?? 0) > before ? null : "a snapshot"), 10_000);
    expect(snapshots.get(room)?.at(-1)).toEqual(expected);
    await until(async () => {
      const copy = (await store.getPresences(room)).map((p) => p.connectionId).sort();
      return copy.join() === expected.join() ? null : `copy ${copy.join()}`;
    }, 10_000);
  });
});
