import type { WebhookBatch, WebhookEvent } from "@herenow/core";
import { expect, it } from "vitest";
import type { PresenceChangedEvent } from "../src/presence-types";
import { createPresenceStore } from "../src/store";
import { createWebhookHandler } from "../src/webhook-handler";
import { at } from "./support/clock";
import { describeEachDatabase } from "./support/databases";
import { ann, answer, batch, bo, conn, GEN2, join, leave, ms, SECRET, signedRequest } from "./support/webhook";

// Issue 29, item 4: the webhook's `occupied` and `vacated` in the database copy: the room's
// occupied_since, and the store's presence-changed listeners, in the order the room sent them.

const NOW = at(60);
const occupied = (seconds: number): WebhookEvent => ({ type: "occupied", at: ms(seconds) });
const vacated = (seconds: number): WebhookEvent => ({ type: "vacated", at: ms(seconds) });

describeEachDatabase("occupied and vacated in the copy", (db) => {
  const heard: PresenceChangedEvent[] = [];
  const store = createPresenceStoreWith(db, heard);

  async function handle(body: WebhookBatch) {
    const handler = createWebhookHandler({ store: store(), secret: SECRET, now: () => NOW });
    const response = await handler(await signedRequest(JSON.stringify(body)));
    return (await response.json()) as Record<string, unknown>;
  }
  const since = async () => (await store().getRoom("lobby"))?.occupiedSince ?? null;
  const occupancy = () => heard.map((change) => change.occupancy.map((o) => [o.type, o.at]));

  it("sets occupied_since on occupied and clears it on vacated, and tells the listeners in order", async () => {
    heard.length = 0;
    expect(await handle(batch(1, [join("c1", ann, 1), occupied(1)], { snapshot: [conn("c1", ann, 1)] }))).toEqual(
      answer("applied"),
    );
    expect(await since()).toEqual(at(1));
    await handle(batch(2, [join("c2", bo, 2), leave("c1", 3)]));
    expect(await since()).toEqual(at(1));
    await handle(batch(3, [leave("c2", 4), vacated(4), join("c3", null, 5)]));
    expect(await since()).toBeNull();
    // a room empty again gets a new time
    await handle(batch(4, [join("c4", ann, 6), occupied(6)]));
    expect(await since()).toEqual(at(6));
    expect(occupancy()).toEqual([[["occupied", at(1)]], [], [["vacated", at(4)]], [["occupied", at(6)]]]);
  });

  it("takes occupancy from a snapshot: a restarted room keeps its time while occupied, and one with nobody signed in is not", async () => {
    await handle(batch(1, [join("c1", ann, 1), occupied(1)], { snapshot: [conn("c1", ann, 1)] }));
    // a new generation whose snapshot still has a user: the copy keeps the time it had
    await handle(batch(1, [], { generation: GEN2, snapshot: [conn("c1", ann, 1), conn("c2", bo, 9)] }));
    expect(await since()).toEqual(at(1));
    // a snapshot with anonymous connections only: not occupied
    await handle(batch(2, [], { generation: GEN2, snapshot: [conn("c9", null, 10)] }));
    expect(await since()).toBeNull();
    // a snapshot with a user in a room that had none: the earliest user's arrival
    await handle(
      batch(3, [], { generation: GEN2, snapshot: [conn("c9", null, 10), conn("c5", bo, 12), conn("c6", ann, 11)] }),
    );
    expect(await since()).toEqual(at(11));
  });
});

/** A store over the test's database whose listeners record every change into `heard`. */
function createPresenceStoreWith(db: () => Parameters<typeof createPresenceStore>[0], heard: PresenceChangedEvent[]) {
  return () => {
    const store = createPresenceStore(db(), { now: () => NOW });
    store.onPresenceChanged((change) => {
      heard.push(change);
    });
    return store;
  };
}
