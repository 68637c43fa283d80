import {
  splitWebhookBatch,
  WEBHOOK_PART_BYTES,
  type WebhookBatch,
  type WebhookConnection,
  type WebhookPart,
} from "@herenow/core";
import { utf8Length } from "@herenow/core/engine";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { runPrune } from "../src/run-prune";
import { createPresenceStore } from "../src/store";
import { createWebhookHandler } from "../src/webhook-handler";
import { at, T0 } from "./support/clock";
import { describeEachDatabase } from "./support/databases";
import { statementCounter } from "./support/statements";
import {
  ann,
  answer,
  batch,
  bo,
  conn,
  cy,
  GEN1,
  GEN2,
  join,
  keepalive,
  leave,
  ms,
  SECRET,
  signedRequest,
} from "./support/webhook";

// Batches too large for one request, sent as numbered parts (docs/protocol.md,
// "Events to the web app"), and keep-alives of big rooms: through the
// receiver, into PGlite and a real PostgreSQL.

/** A room's worth of connections: one in ten anonymous, the rest signed in with a small info. */
function crowd(size: number, seconds = 1): WebhookConnection[] {
  return Array.from({ length: size }, (_, i) =>
    conn(
      `conn-${String(i).padStart(6, "0")}`,
      i % 10 === 0 ? null : { id: `user-${i}`, name: `User ${i}`, info: { n: i } },
      seconds,
    ),
  );
}

/** The parts the party would send for a batch, at a given budget. */
function partsOf(whole: WebhookBatch, budget: number, seal = "seal-a"): WebhookPart[] {
  const parts = splitWebhookBatch(whole, budget, seal);
  if (!parts) throw new Error("the batch fits in one body; the test wants parts");
  return parts;
}

describeEachDatabase("batches in parts", (db) => {
  const handler = () => createWebhookHandler({ store: store(), secret: SECRET, now: () => T0 });
  const store = () => createPresenceStore(db(), { now: () => T0 });

  async function send(body: WebhookBatch | WebhookPart, handle = handler()) {
    const text = JSON.stringify(body);
    const response = await handle(await signedRequest(text));
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      bytes: utf8Length(text),
    };
  }
  const partial = (received: number, count: number) => ({ result: "partial", status: "partial", received, count });

  async function connections(room = "lobby") {
    return (await store().getPresences(room)).map((p) => p.connectionId).sort();
  }
  async function staged() {
    return (await db().selectFrom("herenow_batch_parts").select(["room", "generation", "seq", "number"]).execute()).map(
      (r) => `${r.room} ${r.generation}:${Number(r.seq)} #${r.number}`,
    );
  }

  it("delivers a 50,000-connection snapshot in parts of at most 1 MiB, applied as one with its last part", async () => {
    const snapshot = crowd(50_000);
    const whole = batch(1, [join("conn-000001", snapshot[1]?.user ?? null, 1)], { room: "stadium", snapshot });
    const parts = partsOf(whole, WEBHOOK_PART_BYTES);
    // a body over 5 MiB whole, which the receiver would refuse with 413
    expect(utf8Length(JSON.stringify(whole))).toBeGreaterThan(5 * 1024 * 1024);
    const handle = handler();
    const started = performance.now();
    for (const [i, part] of parts.slice(0, -1).entries()) {
      const reply = await send(part, handle);
      expect(reply.bytes).toBeLessThanOrEqual(WEBHOOK_PART_BYTES);
      expect(reply).toMatchObject({ status: 200, body: partial(i + 1, parts.length) });
    }
    // nothing of the batch shows before the last part
    expect(await store().listRooms()).toEqual([]);
    const last = await send(parts.at(-1) as WebhookPart, handle);
    const elapsed = performance.now() - started;
    expect(last).toMatchObject({ status: 200, body: answer("applied") });
    console.info(`50,000 connections in ${parts.length} parts applied in ${Math.round(elapsed)} ms`);

    const [room] = await store().listRooms();
    expect(room).toMatchObject({ name: "stadium", connections: 50_000, anonymous: 5000, users: 45_000, seq: 1 });
    const presences = await store().getPresences("stadium");
    expect(presences.map((p) => p.connectionId)).toEqual(snapshot.map((c) => c.connectionId));
    expect(presences[7]).toMatchObject({ user: { id: "user-7", name: "User 7", info: { n: 7 } }, joinedAt: at(1) });
    expect(await store().sessions({ room: "stadium", limit: 100_000 })).toHaveLength(50_000);
    expect(await staged()).toEqual([]);
    // a part repeated after the batch applied changes nothing
    expect((await send(parts[0] as WebhookPart, handle)).body).toEqual(answer("duplicate"));
  }, 240_000);

  it("takes parts in any order and a repeated part once", async () => {
    const whole = batch(1, [join("c1", ann, 1), join("c2", bo, 2)], { snapshot: crowd(40) });
    const [p1, p2, p3, ...more] = partsOf(whole, 1500);
    if (!p1 || !p2 || !p3) throw new Error("expected at least three parts");
    const count = 3 + more.length;
    expect((await send(p3)).body).toEqual(partial(1, count));
    expect((await send(p1)).body).toEqual(partial(2, count));
    expect((await send(p1)).body).toEqual(partial(2, count));
    expect((await send(p3)).body).toEqual(partial(2, count));
    for (const [i, part] of more.entries()) expect((await send(part)).body).toEqual(partial(3 + i, count));
    expect(await connections()).toEqual([]);
    expect((await send(p2)).body).toEqual(answer("applied"));
    expect(await connections()).toEqual(crowd(40).map((c) => c.connectionId));
    expect(await store().sessions({ room: "lobby", limit: 1000 })).toHaveLength(40 + 2);
  });

  it("applies nothing while a part is lost, and everything once it comes", async () => {
    await send(batch(1, [], { snapshot: [conn("c0", cy, 0)] }));
    const events = Array.from({ length: 30 }, (_, i) => join(`c${i + 1}`, { id: `u${i}`, name: "N", info: {} }, 5));
    const parts = partsOf(batch(2, [...events, leave("c0", 6)]), 1000);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // part 2 is lost: the rest is held, the room still shows its old copy
    for (const part of parts.filter((p) => p.part.number !== 2)) expect((await send(part)).body.result).toBe("partial");
    expect(await connections()).toEqual(["c0"]);
    expect(await store().listRooms()).toMatchObject([{ seq: 1 }]);
    // the next batch cannot skip it
    expect((await send(batch(3, [leave("c1", 7)]))).status).toBe(409);
    expect((await send(parts[1] as WebhookPart)).body).toEqual(answer("applied"));
    expect(await connections()).toEqual(events.map((e) => ("connectionId" in e ? e.connectionId : "")).sort());
    expect(await store().listRooms()).toMatchObject([{ seq: 2 }]);
    expect((await store().sessions({ room: "lobby" })).find((s) => s.connectionId === "c0")?.endReason).toBe("left");
  });

  it("drops a half-staged snapshot once a newer generation applies; its late part is stale", async () => {
    const old = partsOf(batch(1, [], { generation: GEN1, snapshot: crowd(30) }), 1000);
    expect(old.length).toBeGreaterThanOrEqual(3);
    await send(old[0] as WebhookPart);
    await send(old[1] as WebhookPart);
    expect(await staged()).toHaveLength(2);
    expect((await send(batch(1, [], { generation: GEN2, snapshot: [conn("c9", ann, 9)] }))).body).toEqual(
      answer("applied"),
    );
    expect(await staged()).toEqual([]);
    for (const part of old.slice(2)) expect((await send(part)).body).toEqual(answer("stale"));
    expect(await staged()).toEqual([]);
    expect(await connections()).toEqual(["c9"]);
  });

  it("replaces the parts of an earlier cut when the room reseals the batch", async () => {
    await send(batch(1, [], { snapshot: [] }));
    // cut A of batch 2 has no snapshot; the receiver loses its copy (here: the room's row is pruned)
    const cutA = partsOf(
      batch(
        2,
        Array.from({ length: 20 }, (_, i) => join(`a${i}`, null, 2)),
      ),
      800,
      "seal-a",
    );
    expect((await send(cutA[0] as WebhookPart)).body.result).toBe("partial");
    await db().deleteFrom("herenow_rooms").execute();
    expect(await send(cutA[1] as WebhookPart)).toMatchObject({ status: 409, body: { need: "snapshot" } });
    // the room reseals batch 2 with a snapshot: a new seal and a new count
    const resealed = batch(2, [join("b1", bo, 3)], { snapshot: [conn("b1", bo, 3), ...crowd(30, 3)] });
    const cutB = partsOf(resealed, 900, "seal-b");
    expect(cutB.length).not.toBe(cutA.length);
    for (const part of cutB.slice(0, -1)) expect((await send(part)).body.result).toBe("partial");
    expect(await staged()).toHaveLength(cutB.length - 1);
    expect((await send(cutB.at(-1) as WebhookPart)).body).toEqual(answer("applied"));
    expect(await connections()).toEqual(["b1", ...crowd(30).map((c) => c.connectionId)].sort());
  });

  it("refuses a part it cannot apply without keeping it, and a malformed part with 400", async () => {
    // a first part of a room it has no copy of, without a snapshot
    const parts = partsOf(
      batch(
        4,
        Array.from({ length: 20 }, (_, i) => join(`x${i}`, null, 2)),
      ),
      800,
    );
    expect(await send(parts[0] as WebhookPart)).toMatchObject({
      status: 409,
      body: { ...answer("out_of_sync"), need: "snapshot" },
    });
    expect(await staged()).toEqual([]);
    const bad = { ...(parts[0] as WebhookPart), part: { ...(parts[0] as WebhookPart).part, number: 99 } };
    const refused = await send(bad);
    expect(refused).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^not a webhook part: part/) } });
  });

  it("forgets parts of a batch that never completed in runPrune", async () => {
    const parts = partsOf(batch(1, [], { snapshot: crowd(30) }), 1000);
    await send(parts[0] as WebhookPart);
    expect((await runPrune(db(), { now: at(3600), maxAgeMs: 1e12 })).parts).toBe(0);
    const report = await runPrune(db(), { now: new Date(T0.getTime() + 86_400_000 + 1000), maxAgeMs: 1e12 });
    expect(report.parts).toBe(1);
    expect(await staged()).toEqual([]);
  });

  describe("keep-alives of a big room", () => {
    it("extend the room's lease in one statement, rewrite no row, and keep every member through the prune", async () => {
      const statements = statementCounter();
      const counted = createWebhookHandler({
        store: createPresenceStore(db().withPlugin(statements.plugin)),
        secret: SECRET,
        now: () => T0,
      });
      const members = crowd(5000);
      await send(batch(1, [], { room: "hall", snapshot: members }), counted);
      await send(batch(1, [], { room: "quiet", snapshot: [conn("q1", cy, 1)] }), counted);
      const version = async () =>
        (
          await sql<{ xmins: string }>`select string_agg(xmin::text, ',' order by connection_id) as xmins
            from herenow_presences where room = 'hall'`.execute(db())
        ).rows[0]?.xmins;
      const before = await version();

      statements.reset();
      expect((await send(batch(2, [keepalive(100)], { room: "hall" }), counted)).body).toEqual(answer("applied"));
      // the room's lock, then one write: the lease, the room's seq and the batch id
      expect(statements.count).toBe(2);
      expect(await version()).toBe(before);
      const presences = await store().getPresences("hall");
      expect(presences.every((p) => p.lastSeenAt.getTime() === ms(100))).toBe(true);

      // a join after the keep-alive is written as it is; one before it counts from the lease
      await send(batch(3, [join("late", ann, 120), leave("conn-000003", 121)], { room: "hall" }), counted);
      const pruned = await store().prunePresences({ maxAgeMs: 60_000, now: at(150) });
      expect(pruned.map((p) => [p.room, p.connectionId, p.lastSeenAt])).toEqual([["quiet", "q1", at(1)]]);
      expect(await store().getPresences("hall")).toHaveLength(5000);
      expect((await store().getPresences("hall")).find((p) => p.connectionId === "late")?.lastSeenAt).toEqual(at(120));

      // once the keep-alives stop, the members go, their stays ending at the lease
      const gone = await store().prunePresences({ maxAgeMs: 60_000, now: at(170) });
      expect(gone.map((p) => p.connectionId)).not.toContain("late");
      expect(gone).toHaveLength(4999);
      expect(gone.every((p) => p.lastSeenAt.getTime() === ms(100))).toBe(true);
      const ends = await store().sessions({ room: "hall", limit: 10_000 });
      expect(ends.filter((s) => s.endReason === "stale").every((s) => s.leftAt?.getTime() === ms(100))).toBe(true);
      expect((await store().prunePresences({ maxAgeMs: 60_000, now: at(181) })).map((p) => p.connectionId)).toEqual([
        "late",
      ]);
    });

    it("end the stays of a snapshot's missing members at the lease", async () => {
      await send(batch(1, [], { snapshot: [conn("c1", ann, 1), conn("c2", bo, 2)] }));
      await send(batch(2, [keepalive(30)]));
      await send(batch(1, [], { generation: GEN2, snapshot: [conn("c2", bo, 2, 40)] }));
      const ends = await store().sessions({ room: "lobby" });
      expect(ends.find((s) => s.connectionId === "c1")).toMatchObject({ endReason: "restart", leftAt: at(30) });
      expect((await store().getPresences("lobby")).map((p) => [p.connectionId, p.lastSeenAt])).toEqual([
        ["c2", at(40)],
      ]);
    });
  });
});
