import { splitWebhookBatch, type WebhookBatch, type WebhookPart } from "@herenow/core";
import { expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { createWebhookHandler } from "../src/webhook-handler";
import { at } from "./support/clock";
import { describeEachDatabase } from "./support/databases";
import {
  ann,
  answer,
  batch,
  bo,
  conn,
  GEN1,
  GEN2,
  join,
  leave,
  SECRET,
  signedRequest,
  status,
} from "./support/webhook";

// Protocol 1.2's status in the database copy: what the webhook's status
// events and snapshots write, and what the store reads back for connections
// and for users merged over their connections.

/** The store's and the receiver's clock: after every event below, as in life. */
const NOW = at(60);

describeEachDatabase("status in the copy", (db) => {
  const store = () => createPresenceStore(db(), { now: () => NOW });

  async function handle(body: WebhookBatch | WebhookPart) {
    const handler = createWebhookHandler({ store: store(), secret: SECRET, now: () => NOW });
    const response = await handler(await signedRequest(JSON.stringify(body)));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Each connection of the room as [id, status, activeAt]. */
  async function connections(room = "lobby") {
    return (await store().getPresences(room)).map((p) => [p.connectionId, p.status, p.activeAt]);
  }
  /** Each signed-in user of the room as [id, status, activeAt]. */
  async function users(room = "lobby") {
    return (await store().getUsers(room)).map((u) => [u.id, u.status, u.activeAt]);
  }

  /** Ann on c1 and Bo on c2, both active since they joined. */
  const first = () =>
    batch(1, [join("c1", ann, 1), join("c2", bo, 2)], { snapshot: [conn("c1", ann, 1), conn("c2", bo, 2)] });

  it("starts a join active, and a status event changes the reads, recording when the connection stopped being active", async () => {
    expect((await handle(first())).body).toEqual(answer("applied"));
    expect(await connections()).toEqual([
      ["c1", "active", NOW],
      ["c2", "active", NOW],
    ]);

    // idle at 10, then hidden at 20: active last at 10
    expect((await handle(batch(2, [status("c1", "idle", 10), status("c1", "hidden", 20)]))).body).toEqual(
      answer("applied"),
    );
    expect(await connections()).toEqual([
      ["c1", "hidden", at(10)],
      ["c2", "active", NOW],
    ]);
    expect(await users()).toEqual([
      ["u1", "hidden", at(10)],
      ["u2", "active", NOW],
    ]);

    // back in front: active until now
    await handle(batch(3, [status("c1", "active", 30)]));
    expect(await users()).toEqual([
      ["u1", "active", NOW],
      ["u2", "active", NOW],
    ]);
  });

  it("applies a retried status batch once, refuses one out of order, and ignores a status for a connection it has no row for", async () => {
    await handle(first());
    const idle = batch(2, [status("c1", "idle", 10)]);
    expect((await handle(idle)).body).toEqual(answer("applied"));
    expect((await handle(idle)).body).toEqual(answer("duplicate"));
    expect(await connections()).toEqual([
      ["c1", "idle", at(10)],
      ["c2", "active", NOW],
    ]);

    // batch 4 before batch 3: a snapshot is asked for and nothing is written
    expect(await handle(batch(4, [status("c2", "hidden", 40)]))).toMatchObject({
      status: 409,
      body: { need: "snapshot" },
    });
    await handle(batch(3, [status("c1", "active", 30)]));
    // a late copy of batch 2 does not make c1 idle again
    expect((await handle(idle)).body).toEqual(answer("duplicate"));
    expect(await connections()).toEqual([
      ["c1", "active", NOW],
      ["c2", "active", NOW],
    ]);

    // a status for a connection that left (or was never there) adds no row, like a leave would
    expect(
      (await handle(batch(4, [leave("c2", 41), status("c2", "hidden", 42), status("ghost", "idle", 43)]))).body,
    ).toEqual(answer("applied"));
    expect(await connections()).toEqual([["c1", "active", NOW]]);
  });

  it("takes each connection's status and activeAt from a snapshot, hidden ones included, and a new generation's replaces them", async () => {
    await handle(
      batch(1, [], {
        snapshot: [
          conn("c1", ann, 1, 50, { status: "hidden", activeAt: 5 }),
          conn("c2", bo, 2, 50, { status: "idle", activeAt: 7 }),
          // a room before 1.2 sends neither: active
          conn("c3", null, 3, 50),
        ],
      }),
    );
    expect(await connections()).toEqual([
      ["c1", "hidden", at(5)],
      ["c2", "idle", at(7)],
      ["c3", "active", NOW],
    ]);
    expect(await users()).toEqual([
      ["u1", "hidden", at(5)],
      ["u2", "idle", at(7)],
    ]);
    expect(await store().getAnonymousCount("lobby")).toBe(1);

    // the room restarted: its snapshot is the truth, for connections it keeps too
    await handle(
      batch(1, [], {
        generation: GEN2,
        snapshot: [conn("c1", ann, 1, 55), conn("c2", bo, 2, 55, { status: "hidden", activeAt: 52 })],
      }),
    );
    expect(await connections()).toEqual([
      ["c1", "active", NOW],
      ["c2", "hidden", at(52)],
    ]);
  });

  it("merges a user's connections: the most present status, and the latest activeAt unless one is active", async () => {
    await handle(
      batch(1, [], {
        snapshot: [
          conn("c1", ann, 1, 50, { status: "idle", activeAt: 3 }),
          conn("c2", ann, 2, 50, { status: "hidden", activeAt: 5 }),
          conn("c3", bo, 3, 50, { status: "hidden", activeAt: 4 }),
        ],
      }),
    );
    // idle beats hidden, whichever tab joined last; activeAt is the hidden tab's, the later one
    expect(await users()).toEqual([
      ["u1", "idle", at(5)],
      ["u2", "hidden", at(4)],
    ]);

    await handle(batch(2, [status("c1", "active", 9)]));
    expect(await users()).toEqual([
      ["u1", "active", NOW],
      ["u2", "hidden", at(4)],
    ]);
    // active is active now, even on a clock behind the room's (c2's activeAt is later than it)
    const lagging = createPresenceStore(db(), { now: () => at(4) });
    expect((await lagging.getUsers("lobby"))[0]).toMatchObject({ id: "u1", status: "active", activeAt: at(4) });

    await handle(batch(3, [status("c1", "hidden", 12)]));
    expect(await users()).toEqual([
      ["u1", "hidden", at(12)],
      ["u2", "hidden", at(4)],
    ]);

    // the tab last active leaves: what is left of Ann was active last at 5
    await handle(batch(4, [leave("c1", 14)]));
    expect(await users()).toEqual([
      ["u1", "hidden", at(5)],
      ["u2", "hidden", at(4)],
    ]);
  });

  it("applies the status events of a batch sent in parts once, with its last part", async () => {
    await handle(first());
    const whole = batch(2, [status("c1", "idle", 10), status("c2", "hidden", 11), status("c1", "hidden", 12)], {
      generation: GEN1,
    });
    const parts = splitWebhookBatch(whole, 300, "seal-a");
    if (!parts) throw new Error("the batch fits in one body; the test wants parts");
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts.slice(0, -1)) expect((await handle(part)).body).toMatchObject({ result: "partial" });
    // nothing of the batch shows before its last part
    expect(await connections()).toEqual([
      ["c1", "active", NOW],
      ["c2", "active", NOW],
    ]);
    const last = parts.at(-1) as WebhookPart;
    expect((await handle(last)).body).toEqual(answer("applied"));
    expect((await handle(last)).body).toEqual(answer("duplicate"));
    expect(await connections()).toEqual([
      ["c1", "hidden", at(10)],
      ["c2", "hidden", at(11)],
    ]);
  });
});
