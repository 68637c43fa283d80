import { expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { createWebhookHandler } from "../src/webhook-handler";
import { at } from "./support/clock";
import { describeEachDatabase } from "./support/databases";

/** A third run of the room, after GEN2. */
const GEN3 = "00mih3kazz-cccccccc";

import { ann, batch, bo, conn, GEN1, GEN2, join, leave, ms, SECRET, signedRequest } from "./support/webhook";

// What the receiver keeps for the admin's presence quality (issue 30): the rooms'
// measured time to leave on each ended session, and every generation it saw.

describeEachDatabase("presence quality from the webhook", (db) => {
  const store = () => createPresenceStore(db(), { now: () => at(120) });
  const deliver = async (body: Parameters<typeof signedRequest>[0]) => {
    const response = await createWebhookHandler({ store: store(), secret: SECRET, now: () => at(60) })(
      await signedRequest(body),
    );
    expect(response.status).toBe(200);
  };

  it("stores a leave's measured time to leave on its session, whether the stay began in this batch or earlier", async () => {
    await deliver(batch(1, [join("c-1", ann, 1)], { snapshot: [conn("c-1", ann, 1)] }));
    await deliver(
      batch(2, [
        { type: "leave", connectionId: "c-1", reason: "closed", at: ms(10), leaveMs: 1_512 },
        join("c-2", bo, 11),
        { type: "leave", connectionId: "c-2", reason: "closed", at: ms(12), leaveMs: 48 },
        join("c-3", bo, 13),
        leave("c-3", 14, "kicked"),
      ]),
    );
    const rows = await db()
      .selectFrom("herenow_sessions")
      .select(["connection_id", "end_reason", "leave_ms"])
      .orderBy("connection_id")
      .execute();
    expect(rows).toEqual([
      { connection_id: "c-1", end_reason: "closed", leave_ms: 1_512 },
      { connection_id: "c-2", end_reason: "closed", leave_ms: 48 },
      { connection_id: "c-3", end_reason: "kicked", leave_ms: null },
    ]);
  });

  it("records each generation once, with the one it follows and the stays it ended: a restart only if it lost someone", async () => {
    await deliver(batch(1, [join("c-1", ann, 1)], { snapshot: [conn("c-1", ann, 1)] }));
    await deliver(batch(2, [join("c-2", bo, 2)]));
    // the room restarts and only bo comes back: ann's stay ends "restart"
    await deliver(batch(1, [], { generation: GEN2, snapshot: [conn("c-2", bo, 2)] }));
    // woken again (an admin page reading its bans, say) with bo still there: nobody lost
    await deliver(batch(1, [], { generation: GEN3, snapshot: [conn("c-2", bo, 2)] }));
    const rows = await db()
      .selectFrom("herenow_generations")
      .select(["room", "generation", "previous", "lost"])
      .orderBy("generation")
      .execute();
    expect(rows).toEqual([
      { room: "lobby", generation: GEN1, previous: null, lost: 0 },
      { room: "lobby", generation: GEN2, previous: GEN1, lost: 1 },
      { room: "lobby", generation: GEN3, previous: GEN2, lost: 0 },
    ]);
    expect(await store().presenceQuality({ range: "hour", room: "lobby" })).toMatchObject({ restarts: 1 });
  });
});
