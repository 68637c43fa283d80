import { until } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { webhookSuite } from "./workers";

// The room's own measurement of time to leave (docs/protocol.md, decision 26): a leave that
// followed a close carries `leaveMs`, from the close to the diff that told the others; it
// includes the grace, and there is none when nobody was told (the user's other tab stays).

const AWAY_GRACE_MS = 1_000;
const LEAVE_GRACE_MS = 3_000;
const hooks = webhookSuite({
  HERENOW_WEBHOOK_BATCH_MS: "100",
  HERENOW_AWAY_GRACE_MS: String(AWAY_GRACE_MS),
  HERENOW_LEAVE_GRACE_MS: String(LEAVE_GRACE_MS),
});

async function connect(room: string, user: string | null, pk: string) {
  const client = await hooks.open(room, pk, user ? { id: user, name: user } : null);
  await client.next("presence:sync");
  return client;
}

/** The leave events the receiver got for a connection. */
function leavesOf(room: string, connectionId: string) {
  return hooks.receiver.batches
    .filter((b) => b.room === room)
    .flatMap((b) => b.events)
    .filter((e) => e.type === "leave" && e.connectionId === connectionId);
}

async function leaveOf(room: string, connectionId: string) {
  await until(() => (leavesOf(room, connectionId).length > 0 ? null : `the leave of ${connectionId}`), 15_000);
  return leavesOf(room, connectionId)[0];
}

describe("time to leave, measured by the room", () => {
  it("measures a closed tab's leave through the away grace, and a lost network's through the leave grace", async () => {
    await connect("measured", "watcher", "w");
    const tab = await connect("measured", "ann", "ann-tab");
    const lost = await connect("measured", "bo", "bo-tab");
    tab.close(1001, "tab closed");
    lost.terminate();
    const closed = await leaveOf("measured", "ann-tab");
    expect(closed).toMatchObject({ reason: "closed", leaveMs: expect.any(Number) });
    const away = (closed as { leaveMs: number }).leaveMs;
    expect(away).toBeGreaterThanOrEqual(AWAY_GRACE_MS);
    expect(away).toBeLessThan(LEAVE_GRACE_MS);
    const gone = (await leaveOf("measured", "bo-tab")) as { leaveMs: number };
    expect(gone.leaveMs).toBeGreaterThanOrEqual(LEAVE_GRACE_MS);
  }, 30_000);

  it("measures a close with 1000 and an anonymous close at once, and sends none when nobody saw a leave", async () => {
    await connect("unmeasured", "watcher", "w");
    const first = await connect("unmeasured", "cy", "cy-1");
    await connect("unmeasured", "cy", "cy-2");
    const guest = await connect("unmeasured", null, "guest");
    const bye = await connect("unmeasured", "dee", "dee-tab");
    first.close(1001, "one of two tabs");
    guest.close(1001, "anonymous: no grace");
    bye.close(1000, "closed on purpose");
    const tabOfTwo = await leaveOf("unmeasured", "cy-1");
    expect(tabOfTwo).toMatchObject({ reason: "closed" });
    expect(tabOfTwo).not.toHaveProperty("leaveMs");
    const anonymous = (await leaveOf("unmeasured", "guest")) as { leaveMs: number };
    expect(anonymous.leaveMs).toBeLessThan(AWAY_GRACE_MS);
    const onPurpose = (await leaveOf("unmeasured", "dee-tab")) as { reason: string; leaveMs: number };
    expect(onPurpose.reason).toBe("left");
    expect(onPurpose.leaveMs).toBeLessThan(AWAY_GRACE_MS);
  }, 30_000);
});
