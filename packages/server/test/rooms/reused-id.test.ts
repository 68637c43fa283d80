import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { roomSuite } from "./workers";

const party = roomSuite({ HERENOW_LEAVE_GRACE_MS: "800", HERENOW_MAX_AGE_MS: "60000" });

const ann = { id: "u-ann", name: "Ann" };
const cy = { id: "u-cy", name: "Cy" };

/** The TCP socket under a `ws` client, to hold back what it reads (and so its reply to a close). */
const tcpOf = (ws: unknown) => (ws as { _socket: Socket })._socket;

describe("an id whose socket left, taken by a new socket", () => {
  // A page reloaded as someone else leaves and connects again at once under the same id
  // (decision 23); the room's close of the old socket may be answered after the new one is in.
  it("gets its sync even when the old socket's close reaches the room after the new socket's join", async () => {
    const watcher = await party.connect("reused-id", { user: { id: "u-w", name: "W" } });
    const old = await party.connect("reused-id", { user: ann, pk: "c-reused" });
    await watcher.waitForUsers(["u-w", "u-ann"]);
    const tcp = tcpOf(old.ws);
    old.send({ type: "presence:leave" });
    // the room's close frame stays unread, so the old socket's close comes only when we say
    tcp.pause();
    // the id is free once the room took the leave (before that, a new socket gets an id of its own)
    await watcher.waitForUsers(["u-w"]);
    const next = await party.connect("reused-id", { user: cy, pk: "c-reused", synced: false });
    tcp.resume();
    const sync = await next.next("presence:sync", 0);
    expect(sync.self).toMatchObject({ connectionId: "c-reused", user: { id: "u-cy" } });
    await next.waitForUsers(["u-w", "u-cy"]);
    expect(next.messages.findIndex((m) => m.type === "presence:sync")).toBe(
      next.messages.findIndex((m) => m.type.startsWith("presence:")),
    );
    await watcher.waitForUsers(["u-w", "u-cy"]);
  });
});
