import { partySuite } from "@herenow/testing/suite";
import { describe, expect, it } from "vitest";

// A connection closed for abuse (4008) with the demo's chat in the room: the burst that closes it
// carries a chat message, which must reach nobody. The rest of the abuse rules are the library's
// (packages/server/test/rooms/bad-input.test.ts, against a room with no messages of its own).
const party = partySuite();
const connect = (room: string, user: { id: string; name: string }) => party.connect(room, { user });

describe("sustained abuse", () => {
  it("gives a connection no effect from the moment the room closes it, and never throws sending to it", async () => {
    const watcher = await connect("abuse-after", { id: "u-watch", name: "Watcher" });
    const abuser = await connect("abuse-after", { id: "u-abuse", name: "Abuser" });
    await watcher.waitForUsers(["u-watch", "u-abuse"]);
    // one burst, as an attacker would send it: the 21st error closes the socket, the rest must not count
    const burst = [
      ...Array.from({ length: 21 }, () => "nope"),
      JSON.stringify({ type: "chat:send", text: "sent after my 4008" }),
      JSON.stringify({ type: "presence:state", state: { evil: true } }),
      ...Array.from({ length: 100 }, () => "nope"),
      ...Array.from({ length: 200 }, (_, n) => JSON.stringify({ type: "presence:state", state: { n } })),
    ];
    for (const frame of burst) abuser.ws.send(frame);
    expect((await abuser.waitForClose()).code).toBe(4008);
    // removed at once, without the leave grace (5 s here)
    await watcher.waitForUsers(["u-watch"], 2000);
    // a message sent after the close decision would reach the watcher right after the leave diff
    const from = watcher.messages.length;
    watcher.send('"heartbeat"');
    await watcher.next("presence:pong", from);
    expect(watcher.messages.filter((m) => m.type === "chat:message")).toEqual([]);
    const seen = watcher.messages.flatMap((m) => [...(m.users ?? []), ...(m.joined ?? []), ...(m.updated ?? [])]);
    expect(seen.filter((u: { id: string }) => u.id === "u-abuse").map((u: { state: unknown }) => u.state)).toEqual([
      {},
    ]);
    expect(party.server.log).not.toMatch(/after close|Uncaught|TypeError/);
  });
});
