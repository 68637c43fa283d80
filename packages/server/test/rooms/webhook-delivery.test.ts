import { closeAll, idOfUsersShard, partyFetch, refusal, sleep, type TestClient, token, until } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { SHARDED_VARS, snapshotOf, webhookSuite } from "./workers";

const hooks = webhookSuite({
  HERENOW_WEBHOOK_BATCH_MS: "200",
  HERENOW_MAX_AGE_MS: "4000",
  HERENOW_LEAVE_GRACE_MS: "300",
  ...SHARDED_VARS,
});

/** Signed in as `u<i>`, or anonymous with `i` null. */
function connect(room: string, i: number | null, pk = `c${i}`) {
  return hooks.open(room, pk, i === null ? null : { id: `u${i}`, name: `U${i}` });
}

/** The room's events as delivered (each batch once, in order), without keep-alives and status changes. */
function delivered(room: string): string[] {
  const batches = new Map(hooks.receiver.batches.filter((b) => b.room === room).map((b) => [b.id, b]));
  return [...batches.values()].flatMap((b) =>
    b.events
      .filter((e) => e.type !== "keepalive" && e.type !== "status")
      .map((e) => ("connectionId" in e ? `${e.type}:${e.connectionId}` : e.type)),
  );
}

describe("webhook delivery", () => {
  it("batches a join storm into a few signed requests, the first with a snapshot", async () => {
    const before = hooks.receiver.requests;
    await Promise.all(Array.from({ length: 60 }, (_, i) => connect("storm", i)));
    await until(
      () => (hooks.receiver.roomConnections("storm").length === 60 ? null : "60 connections delivered"),
      5000,
    );
    const batches = hooks.receiver.batches.filter((b) => b.room === "storm");
    expect(hooks.receiver.requests - before).toBeLessThanOrEqual(6);
    expect(batches[0]?.snapshot).toBeDefined();
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));
    expect(new Set(batches.map((b) => b.generation)).size).toBe(1);
    expect(hooks.receiver.badSignatures).toEqual([]);
  });

  it("keeps events while the receiver answers 503 and delivers them in order once it is back", async () => {
    const a = await connect("outage", 1);
    await until(() => (hooks.receiver.roomConnections("outage").length === 1 ? null : "first join"), 5000);
    hooks.receiver.failWith = 503;
    const others = await Promise.all([2, 3, 4].map((i) => connect("outage", i)));
    others[0]?.send({ type: "presence:leave" });
    a.close();
    await sleep(1500);
    expect(hooks.receiver.roomConnections("outage")).toEqual(["c1"]);
    hooks.receiver.failWith = null;
    await until(
      () => (hooks.receiver.roomConnections("outage").join() === "c3,c4" ? null : "c3,c4 after recovery"),
      10_000,
    );
    const seqs = hooks.receiver.batches.filter((b) => b.room === "outage").map((b) => b.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
  });

  it("starts a new generation with a snapshot after a restart, so the copy has no ghosts", async () => {
    const a = await connect("reborn", 1);
    await connect("reborn", 2);
    await until(() => (hooks.receiver.roomConnections("reborn").length === 2 ? null : "two joins"), 5000);
    const firstGeneration = hooks.receiver.batches.find((b) => b.room === "reborn")?.generation;
    await hooks.server.stop("SIGKILL");
    closeAll([a]);
    await hooks.server.start();
    // only c3 comes back after the restart; c1 and c2 are ghosts unless the snapshot clears them
    await connect("reborn", 3);
    await until(() => (hooks.receiver.roomConnections("reborn").join() === "c3" ? null : "only c3"), 10_000);
    const latest = hooks.receiver.batches.filter((b) => b.room === "reborn").at(-1);
    expect(latest?.generation).not.toBe(firstGeneration);
    expect(latest && latest.generation > (firstGeneration ?? "")).toBe(true);
  });

  it("sends keep-alives for a room with connections", async () => {
    await connect("alive", 1);
    const keepalive = () =>
      hooks.receiver.batches.some((b) => b.room === "alive" && b.events.some((e) => e.type === "keepalive"));
    const client = hooks.clients[hooks.clients.length - 1] as TestClient;
    const beat = setInterval(() => client.send('"heartbeat"'), 500);
    try {
      await until(() => (keepalive() ? null : "a keep-alive"), 5000);
    } finally {
      clearInterval(beat);
    }
  });

  it("creates no room, no storage and no webhook for refused requests and WebSockets", async () => {
    const room = "spam-123";
    // what an outsider can try without credentials
    for (const headers of [{}, { authorization: "Bearer wrong" }] as Record<string, string>[]) {
      expect((await partyFetch(hooks.server.httpUrl(room), { headers })).status).toBe(401);
      const kick = await partyFetch(hooks.server.httpUrl(room, "kick"), {
        method: "POST",
        headers,
        body: '{"userId":"u1"}',
      });
      expect(kick.status).toBe(401);
    }
    expect((await refusal(hooks.server.url(room, { token: "not-a-jwt" }))).status).toBe(401);
    expect(
      (
        await refusal(
          hooks.server.url(room, { token: await token({ id: "u1", name: "A" }, { secret: "x".repeat(40) }) }),
        )
      ).status,
    ).toBe(401);
    expect((await refusal(hooks.server.url(room, { _pk: "bad id!" }))).status).toBe(400);
    // a room that is really used, as the control: its first batch arrives within the batch window
    await connect("spam-control", 1);
    await until(
      () => (hooks.receiver.batches.some((b) => b.room === "spam-control") ? null : "the control's batch"),
      5000,
    );
    await sleep(600);
    expect(hooks.receiver.batches.filter((b) => b.room === room)).toEqual([]);
    // had the room woken, it would have a generation: the first authorised look finds a fresh one
    expect(await snapshotOf(hooks.server, room)).toMatchObject({ room, seq: 0, connections: 0 });
  });
});

// Issue 29, item 4: the room's own events, in order with its connections', from a room of one
// object and from a sharded room's coordinator alike.
describe.each([
  ["a room of one object", "plain-occupancy"],
  ["a room over shards", "sharded-occupancy"],
])("occupied and vacated, in %s", (_what, room) => {
  it("follows the first signed-in join with occupied and the last leave with vacated, and ignores anonymous ones", async () => {
    const has = (event: string) => () => (delivered(room).includes(event) ? null : event);
    const viewer = await connect(room, null, "anon-1");
    await until(has("join:anon-1"), 5000);
    // ids a sharded room keeps for these users (of their own shards), so the events name them
    const [annId, boId] = [
      idOfUsersShard("u1", Number(SHARDED_VARS.HERENOW_SHARDS), "ann"),
      idOfUsersShard("u2", Number(SHARDED_VARS.HERENOW_SHARDS), "bo"),
    ];
    const ann = await connect(room, 1, annId);
    await until(has("occupied"), 5000);
    const bo = await connect(room, 2, boId);
    await until(has(`join:${boId}`), 5000);
    ann.send({ type: "presence:leave" });
    await until(has(`leave:${annId}`), 5000);
    bo.send({ type: "presence:leave" });
    await until(has("vacated"), 5000);
    viewer.send({ type: "presence:leave" });
    await until(has("leave:anon-1"), 5000);
    expect(delivered(room)).toEqual([
      "join:anon-1",
      `join:${annId}`,
      "occupied",
      `join:${boId}`,
      `leave:${annId}`,
      `leave:${boId}`,
      "vacated",
      "leave:anon-1",
    ]);
  });
});
