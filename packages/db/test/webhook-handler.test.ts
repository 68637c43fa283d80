import { createServer } from "node:net";
import type { WebhookBatch } from "@herenow/core";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/create-db";
import type { PresenceChangedEvent } from "../src/presence-types";
import { runPrune } from "../src/run-prune";
import type { Database } from "../src/schema";
import { createPresenceStore } from "../src/store";
import { createWebhookHandler, type WebhookHandlerOptions } from "../src/webhook-handler";
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

/** A port nothing listens on: a Postgres that is down. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("port"))));
    });
  });
}

describeEachDatabase("webhook receiver", (db) => {
  const store = (over = db()) => createPresenceStore(over, { now: () => T0 });
  const handler = (options: Partial<WebhookHandlerOptions> = {}) =>
    createWebhookHandler({ store: store(), secret: SECRET, now: () => T0, ...options });

  async function send(body: WebhookBatch | string, handle = handler(), options = {}) {
    const response = await handle(await signedRequest(body, options));
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, response };
  }

  /** The copy of a room as [connection, user] pairs, sorted. */
  async function copy(room = "lobby") {
    return (await store().getPresences(room)).map((p) => [p.connectionId, p.user?.id ?? null]).sort();
  }

  async function sessions(room = "lobby") {
    const list = await store().sessions({ room, limit: 1000 });
    return list
      .map((s) => [s.connectionId, s.userId, s.joinedAt.getTime(), s.leftAt?.getTime() ?? null, s.endReason])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[2]) - Number(b[2]));
  }

  async function counts() {
    const count = async (table: keyof Database) =>
      Number(
        (
          await db()
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      rooms: await count("herenow_rooms"),
      presences: await count("herenow_presences"),
      sessions: await count("herenow_sessions"),
      batches: await count("herenow_batches"),
    };
  }
  const EMPTY = { rooms: 0, presences: 0, sessions: 0, batches: 0 };

  async function room(name = "lobby") {
    return (await store().listRooms()).find((r) => r.name === name);
  }

  /** The first batch of a generation: Ann and Bo joined, with the snapshot the party sends. */
  const first = (generation = GEN1) =>
    batch(1, [join("c1", ann, 1), join("c2", bo, 2)], {
      generation,
      snapshot: [conn("c1", ann, 1), conn("c2", bo, 2)],
    });

  describe("applying", () => {
    it("applies a first batch with its snapshot: presences, open sessions, generation, seq and the batch id", async () => {
      const reply = await send(first());
      expect(reply).toMatchObject({ status: 200, body: { status: "applied" } });
      expect(reply.response.headers.get("content-type")).toBe("application/json");

      const presences = await store().getPresences("lobby");
      expect(presences).toEqual([
        {
          room: "lobby",
          connectionId: "c1",
          user: ann,
          joinedAt: at(1),
          lastSeenAt: at(1),
          generation: GEN1,
          status: "active",
          activeAt: T0,
        },
        {
          room: "lobby",
          connectionId: "c2",
          user: bo,
          joinedAt: at(2),
          lastSeenAt: at(2),
          generation: GEN1,
          status: "active",
          activeAt: T0,
        },
      ]);
      expect(await sessions()).toEqual([
        ["c1", "u1", ms(1), null, null],
        ["c2", "u2", ms(2), null, null],
      ]);
      expect(await room()).toMatchObject({ generation: GEN1, seq: 1, lastActivityAt: at(2), users: 2 });
      expect(await counts()).toEqual({ rooms: 1, presences: 2, sessions: 2, batches: 1 });
    });

    it("applies the next batch's joins and leaves, closing sessions with the event's reason and time", async () => {
      await send(first());
      const reply = await send(batch(2, [join("c3", cy, 3), leave("c1", 4, "kicked"), leave("c2", 5, "closed")]));
      expect(reply.body).toEqual(answer("applied"));
      expect(await copy()).toEqual([["c3", "u3"]]);
      expect(await sessions()).toEqual([
        ["c1", "u1", ms(1), ms(4), "kicked"],
        ["c2", "u2", ms(2), ms(5), "closed"],
        ["c3", "u3", ms(3), null, null],
      ]);
      expect(await room()).toMatchObject({ seq: 2, lastActivityAt: at(5) });
    });

    it("gives a connection that joins and leaves inside one batch one complete session and no presence", async () => {
      await send(first());
      await send(
        batch(2, [
          join("c3", null, 3),
          leave("c3", 4, "stale"),
          // Leaves and comes back inside the batch: two stays of one connection.
          leave("c1", 5, "closed"),
          join("c1", ann, 6),
          // A second join of a live connection as the same user is no new stay.
          join("c2", { ...bo, name: "Bo B." }, 7),
        ]),
      );
      expect(await copy()).toEqual([
        ["c1", "u1"],
        ["c2", "u2"],
      ]);
      expect(await sessions()).toEqual([
        ["c1", "u1", ms(1), ms(5), "closed"],
        ["c1", "u1", ms(6), null, null],
        ["c2", "u2", ms(2), null, null],
        ["c3", null, ms(3), ms(4), "stale"],
      ]);
      const c2 = (await store().getPresences("lobby")).find((p) => p.connectionId === "c2");
      expect(c2).toMatchObject({ user: { name: "Bo B." }, joinedAt: at(2), lastSeenAt: at(7) });
    });

    it("keeps the copy exact when a snapshot is ahead of its events, as a sharded room's gathered from its shards is", async () => {
      await send(first());
      // Sealed while c3 had joined and c2 had gone on their shards, before either was reported:
      // the snapshot lists c3 and lacks c2, and their events come in the next batch.
      await send(batch(2, [], { snapshot: [conn("c1", ann, 1), conn("c3", cy, 3)] }));
      const reply = await send(batch(3, [join("c3", cy, 3), leave("c2", 4, "closed")]));
      expect(reply.body).toEqual(answer("applied"));
      expect(await copy()).toEqual([
        ["c1", "u1"],
        ["c3", "u3"],
      ]);
      // one stay for c3, not a second; c2's stay ended once, when the snapshot left it out
      expect(await sessions()).toEqual([
        ["c1", "u1", ms(1), null, null],
        ["c2", "u2", ms(2), ms(2), "restart"],
        ["c3", "u3", ms(3), null, null],
      ]);
      expect(await room()).toMatchObject({ seq: 3, users: 2 });
    });

    it("refreshes last-seen on a keep-alive, so prunePresences keeps a live room and prunes a silent one", async () => {
      await send(first());
      await send(batch(1, [join("q1", cy, 1)], { room: "quiet", snapshot: [conn("q1", cy, 1)] }));
      expect(await send(batch(2, [keepalive(50)]))).toMatchObject({ status: 200, body: { status: "applied" } });
      expect((await store().getPresences("lobby")).map((p) => p.lastSeenAt)).toEqual([at(50), at(50)]);
      expect(await room()).toMatchObject({ lastActivityAt: at(50) });

      const pruned = await store().prunePresences({ maxAgeMs: 60_000, now: at(100) });
      expect(pruned.map((p) => p.connectionId)).toEqual(["q1"]);
      expect(await copy()).toEqual([
        ["c1", "u1"],
        ["c2", "u2"],
      ]);

      // The quiet room may only have been slow to deliver: its next batch is told to send a
      // snapshot, which brings back whoever is still there.
      const late = batch(2, [keepalive(110)], { room: "quiet" });
      expect(await send(late)).toMatchObject({ status: 409, body: { result: "out_of_sync", need: "snapshot" } });
      const resealed = batch(2, [keepalive(110)], { room: "quiet", snapshot: [conn("q1", cy, 1)] });
      expect(await send(resealed)).toMatchObject({ status: 200, body: { result: "applied" } });
      expect((await store().getPresences("quiet")).map((p) => p.connectionId)).toEqual(["q1"]);
      // a room that is gone sends nothing: pruned it stays
    });

    it("writes a batch of 1,000 joins with a handful of statements", async () => {
      const statements = statementCounter();
      const counted = handler({ store: store(db().withPlugin(statements.plugin)) });
      const joins = Array.from({ length: 1000 }, (_, i) => join(`c${i}`, i % 4 ? { ...bo, id: `u${i}` } : null, 1));
      await send(batch(1, [], { snapshot: [] }), counted);
      statements.reset();
      expect((await send(batch(2, joins), counted)).body).toEqual(answer("applied"));
      // the lock, the read of the named rows, one write (BEGIN and COMMIT are not counted here)
      expect(statements.count).toBe(3);
      expect(await counts()).toMatchObject({ presences: 1000, sessions: 1000 });

      statements.reset();
      const leaves = Array.from({ length: 1000 }, (_, i) => leave(`c${i}`, 2));
      expect((await send(batch(3, [...leaves, keepalive(3)]), counted)).body).toEqual(answer("applied"));
      expect(statements.count).toBe(3);
      expect(await counts()).toMatchObject({ presences: 0, sessions: 1000 });
      expect((await store().sessions({ limit: 1000 })).every((s) => s.endReason === "left")).toBe(true);
    });
  });

  describe("the presence-changed signal", () => {
    it("fires once per applied batch, bulk when several connections changed, through the given store", async () => {
      const s = store();
      const changes: PresenceChangedEvent[] = [];
      s.onPresenceChanged((change) => void changes.push(change));
      const handle = handler({ store: s });

      await send(first(), handle);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ room: "lobby", added: null, removed: null, bulkChange: true });
      expect(changes[0]?.addedAll.map((p) => p.connectionId)).toEqual(["c1", "c2"]);

      await send(batch(2, [leave("c1", 3)]), handle);
      expect(changes[1]).toMatchObject({
        added: null,
        removed: { connectionId: "c1", user: { id: "u1" } },
        bulkChange: false,
        addedAll: [],
      });
      // A keep-alive and a duplicate change nobody: no signal.
      await send(batch(3, [keepalive(4)]), handle);
      await send(batch(3, [keepalive(4)]), handle);
      // A join and leave inside one batch is no change either.
      await send(batch(4, [join("c9", null, 5), leave("c9", 6)]), handle);
      expect(changes).toHaveLength(2);
    });

    it("tells only the listeners of the store it writes through", async () => {
      const given = store();
      const other = store();
      const heard: string[] = [];
      given.onPresenceChanged((change) => void heard.push(`given ${change.addedAll.length}`));
      const off = other.onPresenceChanged((change) => void heard.push(`other ${change.addedAll.length}`));
      const handle = handler({ store: given });
      await send(first(), handle);
      // the other store's own write reaches its own listeners, not the given store's
      await other.add("lobby", "c7", null, { at: new Date(T0.getTime() + 10) });
      off();
      expect(heard).toEqual(["given 2", "other 1"]);
    });

    it("refuses a store that createPresenceStore did not make", () => {
      const fake = { ...store() };
      expect(() => handler({ store: fake })).toThrow(/createPresenceStore/);
    });
  });

  describe("refusing", () => {
    it("answers 401 for a missing, forged or old signature, and writes nothing", async () => {
      const body = JSON.stringify(first());
      const handle = handler();
      const unsigned = await handle(new Request("http://r.test/", { method: "POST", body }));
      expect(unsigned.status).toBe(401);
      expect(await unsigned.json()).toEqual({ error: expect.stringContaining("missing herenow-signature") });

      const forged = await send(body, handle, { secret: "another-secret-0123456789abcdefghijk" });
      expect(forged).toMatchObject({ status: 401, body: { error: "signature does not match" } });

      const old = await send(body, handle, { signedAtMs: ms(-301) });
      expect(old).toMatchObject({ status: 401, body: { error: expect.stringContaining("5 minutes") } });

      // a body changed after signing
      const request = await signedRequest(body);
      const tampered = new Request(request.url, {
        method: "POST",
        headers: request.headers,
        body: body.replace('"Ann"', '"Eve"'),
      });
      expect((await handle(tampered)).status).toBe(401);
      expect(await counts()).toEqual(EMPTY);
    });

    it("refuses a missing, malformed or old signature before it reads a byte of the body", async () => {
      const handle = handler();
      const chunk = new Uint8Array(64 * 1024).fill(0x20);
      for (const signature of [null, "t=1,v1=zz", (await signedRequest(first(), { signedAtMs: ms(-301) })).headers]) {
        // an endless body: a receiver that reads before it checks would read up to the cap and answer 413
        let pulled = 0;
        const body = new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              pulled += chunk.byteLength;
              controller.enqueue(chunk);
            },
          },
          { highWaterMark: 0 },
        );
        const headers = new Headers(signature instanceof Headers ? signature : {});
        if (typeof signature === "string") headers.set("herenow-signature", signature);
        const response = await handle(
          new Request("http://r.test/", { method: "POST", headers, body, duplex: "half" } as RequestInit),
        );
        expect(response.status).toBe(401);
        expect(pulled).toBe(0);
      }
      expect(await counts()).toEqual(EMPTY);
    });

    it("answers 400 for a body that is not JSON or not a batch, and writes nothing", async () => {
      const notJson = await send("{not json");
      expect(notJson).toMatchObject({ status: 400, body: { error: "the body is not JSON" } });
      const badSeq = await send(JSON.stringify({ ...first(), seq: 0 }));
      expect(badSeq).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/^not a webhook batch: seq/) },
      });
      const badRoom = await send(JSON.stringify({ ...first(), room: "no spaces" }));
      expect(badRoom.status).toBe(400);
      const badEvent = await send(JSON.stringify(batch(1, [{ type: "teleport", at: 1 } as never], { snapshot: [] })));
      expect(badEvent.status).toBe(400);
      expect(await counts()).toEqual(EMPTY);
    });

    it("answers 405 to anything but POST", async () => {
      const response = await handler()(new Request("http://r.test/", { method: "GET" }));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(await response.json()).toEqual({ error: expect.stringContaining("use POST") });
    });

    it("answers 413 to a body over the cap, declared or streamed", async () => {
      const handle = handler({ maxBodyBytes: 1000 });
      const big = JSON.stringify(
        batch(1, [], { snapshot: Array.from({ length: 50 }, (_, i) => conn(`c${i}`, ann, 1)) }),
      );
      expect(big.length).toBeGreaterThan(1000);
      expect((await send(big, handle)).status).toBe(413);

      // no Content-Length: the cap applies while reading
      const signed = await signedRequest(big);
      const streamed = new Request(signed.url, {
        method: "POST",
        headers: signed.headers,
        body: new Blob([big]).stream(),
        duplex: "half",
      } as RequestInit);
      expect(streamed.headers.get("content-length")).toBeNull();
      const response = await handle(streamed);
      expect(response.status).toBe(413);
      expect(await counts()).toEqual(EMPTY);
      // within the cap the same handler applies
      expect((await send(first(), handle)).status).toBe(200);
    });

    it("checks its options", () => {
      expect(() => createWebhookHandler({ store: store(), secret: "" })).toThrow(/HERENOW_SECRET/);
      expect(() => createWebhookHandler({ store: store(), secret: SECRET, maxBodyBytes: 0 })).toThrow(RangeError);
      // a database is not a store: the handler needs the store whose listeners hear its writes
      const notAStore = db() as unknown as WebhookHandlerOptions["store"];
      expect(() => createWebhookHandler({ store: notAStore, secret: SECRET })).toThrow(/createPresenceStore/);
      const lookalike = { ...store() } as WebhookHandlerOptions["store"];
      expect(() => createWebhookHandler({ store: lookalike, secret: SECRET })).toThrow(/createPresenceStore/);
    });
  });

  describe("idempotency, order and generations", () => {
    it("applies a replayed batch once", async () => {
      await send(first());
      const next = batch(2, [join("c3", cy, 3)]);
      expect((await send(next)).body).toEqual(answer("applied"));
      const before = { copy: await copy(), sessions: await sessions(), counts: await counts() };
      expect(await send(next)).toMatchObject({ status: 200, body: { status: "duplicate" } });
      expect(await send(first())).toMatchObject({ status: 200, body: { status: "duplicate" } });
      expect({ copy: await copy(), sessions: await sessions(), counts: await counts() }).toEqual(before);
    });

    it("applies two deliveries of one batch racing each other once", async () => {
      await send(first());
      const next = batch(2, [join("c3", cy, 3), leave("c1", 3)]);
      const replies = await Promise.all([send(next), send(next), send(next)]);
      expect(replies.map((r) => r.body.status).sort()).toEqual(["applied", "duplicate", "duplicate"]);
      expect(await sessions()).toHaveLength(3);
      expect(await copy()).toEqual([
        ["c2", "u2"],
        ["c3", "u3"],
      ]);
    });

    it("asks for a snapshot when batches come out of order, then applies them in order", async () => {
      const second = batch(2, [join("c3", cy, 3)]);
      expect(await send(second)).toMatchObject({ status: 409, body: { ...answer("out_of_sync"), need: "snapshot" } });
      expect(await counts()).toEqual(EMPTY);
      expect((await send(first())).body).toEqual(answer("applied"));
      expect((await send(second)).body).toEqual(answer("applied"));
      expect(await copy()).toEqual([
        ["c1", "u1"],
        ["c2", "u2"],
        ["c3", "u3"],
      ]);
      expect(await room()).toMatchObject({ seq: 2 });
    });

    it("asks for a snapshot after a lost batch, and the snapshot makes the copy exact", async () => {
      await send(first());
      // batch 2 (c1 left, c3 joined) never arrives
      const third = batch(3, [join("c4", ann, 5)]);
      expect(await send(third)).toMatchObject({ status: 409, body: { need: "snapshot" } });
      expect(await copy()).toEqual([
        ["c1", "u1"],
        ["c2", "u2"],
      ]);

      const resent = { ...third, snapshot: [conn("c2", bo, 2, 4), conn("c3", cy, 3), conn("c4", ann, 5)] };
      expect((await send(resent)).body).toEqual(answer("applied"));
      expect(await copy()).toEqual([
        ["c2", "u2"],
        ["c3", "u3"],
        ["c4", "u1"],
      ]);
      expect(await sessions()).toEqual([
        // c1's leave was lost: the snapshot ends its stay at its last-seen time
        ["c1", "u1", ms(1), ms(1), "restart"],
        ["c2", "u2", ms(2), null, null],
        ["c3", "u3", ms(3), null, null],
        ["c4", "u1", ms(5), null, null],
      ]);
      expect((await store().getPresences("lobby")).find((p) => p.connectionId === "c2")?.lastSeenAt).toEqual(at(4));
      expect(await room()).toMatchObject({ generation: GEN1, seq: 3 });
      expect((await send(batch(4, [leave("c4", 6)]))).body).toEqual(answer("applied"));
      expect((await send(batch(2, [leave("c1", 2)]))).body).toEqual(answer("duplicate"));
    });

    it("replaces an old generation's rows with a new generation's snapshot: no ghosts, old stays end as restart", async () => {
      await send(first());
      await send(batch(2, [join("c3", cy, 3), keepalive(20)]));
      const before = await store().getPresences("lobby");

      // The party restarted: only Bo's c2 came back (same connection id), and a new c5.
      const reborn = batch(1, [join("c2", bo, 40), join("c5", ann, 41)], {
        generation: GEN2,
        snapshot: [conn("c2", bo, 40, 42), conn("c5", ann, 41, 42)],
      });
      expect((await send(batch(1, [join("c5", ann, 41)], { generation: GEN2 }))).status).toBe(409);
      expect((await send(reborn)).body).toEqual(answer("applied"));

      const after = await store().getPresences("lobby");
      expect(after.map((p) => [p.connectionId, p.user?.id, p.generation])).toEqual([
        ["c2", "u2", GEN2],
        ["c5", "u1", GEN2],
      ]);
      // c2 kept its row and its open session
      expect(after[0]?.joinedAt).toEqual(before.find((p) => p.connectionId === "c2")?.joinedAt);
      expect(await sessions()).toEqual([
        ["c1", "u1", ms(1), ms(20), "restart"],
        ["c2", "u2", ms(2), null, null],
        ["c3", "u3", ms(3), ms(20), "restart"],
        ["c5", "u1", ms(41), null, null],
      ]);
      expect(await room()).toMatchObject({ generation: GEN2, seq: 1 });

      // A late batch of the finished run is stale and changes nothing.
      const snapshotBefore = { copy: await copy(), sessions: await sessions(), counts: await counts() };
      expect(await send(batch(3, [join("c9", cy, 50)]))).toMatchObject({ status: 200, body: { status: "stale" } });
      expect({ copy: await copy(), sessions: await sessions(), counts: await counts() }).toEqual(snapshotBefore);
    });

    it("replaces rows the store wrote without a generation", async () => {
      await store().add("lobby", "manual", ann, { at: at(0) });
      expect((await send(batch(1, [join("c1", ann, 1)]))).status).toBe(409);
      expect((await send({ ...first(), events: [] })).body).toEqual(answer("applied"));
      expect(await copy()).toEqual([
        ["c1", "u1"],
        ["c2", "u2"],
      ]);
      expect((await store().sessions({ room: "lobby" })).find((s) => s.connectionId === "manual")?.endReason).toBe(
        "restart",
      );
    });
  });

  describe("when the database is down", () => {
    it("answers 503 with Retry-After, and the same batch applies once the database is back", async () => {
      const errors: unknown[] = [];
      const down = createDb({ url: `postgres://herenow:herenow@127.0.0.1:${await closedPort()}/herenow` });
      try {
        const reply = await send(first(), handler({ store: store(down), onError: (error) => errors.push(error) }));
        expect(reply).toMatchObject({ status: 503, body: { error: expect.stringContaining("unavailable") } });
        expect(reply.response.headers.get("retry-after")).toBe("5");
        expect(errors).toHaveLength(1);
      } finally {
        await down.destroy();
      }
      expect((await send(first())).body).toEqual(answer("applied"));
      expect(await counts()).toEqual({ rooms: 1, presences: 2, sessions: 2, batches: 1 });
    });

    it("answers 503 from a database that was closed under it", async () => {
      const closed = createDb({ url: "pglite://memory" });
      await closed.selectFrom("herenow_rooms").selectAll().execute();
      await closed.destroy();
      const reply = await send(first(), handler({ store: store(closed) }));
      expect(reply.status).toBe(503);
      expect(reply.response.headers.get("retry-after")).toBe("5");
    });
  });

  describe("pruning batch ids", () => {
    it("forgets batch ids older than a day in runPrune and store.pruneBatches", async () => {
      await send(first());
      await send(batch(2, [keepalive(5)]), handler({ now: () => new Date(T0.getTime() + 3_600_000) }), {
        signedAtMs: T0.getTime() + 3_600_000,
      });
      const report = await runPrune(db(), { now: new Date(T0.getTime() + 86_400_000 + 60_000), maxAgeMs: 1e12 });
      expect(report.batches).toBe(1);
      expect((await db().selectFrom("herenow_batches").select("id").execute()).map((r) => r.id)).toEqual([`${GEN1}:2`]);
      expect(await store().pruneBatches({ now: new Date(T0.getTime() + 3 * 86_400_000) })).toBe(1);
      expect(await counts()).toMatchObject({ batches: 0, presences: 2 });
      await expect(store().pruneBatches({ maxAgeMs: -1 })).rejects.toThrow(RangeError);
    });
  });
});
