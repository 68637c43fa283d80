// A sharded room under attack (issue 24, items 8, 9 and 10): odd paths, connection ids reused
// across shards, and a kick racing a user's new sockets. A sharded room must answer exactly as a
// room of one object does, whatever the client sends.

import { partyFetch, SECRET, TestClient, token } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { partySuite } from "./suite";

const SHARDS = 8;
const party = partySuite({
  HERENOW_SHARDED_ROOMS: "stage*",
  HERENOW_SHARDS: String(SHARDS),
  HERENOW_LEAVE_GRACE_MS: "5000",
});
const user = (name: string) => ({ id: `u-${name}`, name });
const auth = { authorization: `Bearer ${SECRET}` };

/** Opens a socket at a raw path of the party; resolves to its first frame's type, or the HTTP refusal. */
async function outcome(path: string, query: string): Promise<string> {
  try {
    const client = await TestClient.open(`ws://${party.server.host}${path}?${query}`);
    const sync = () => client.messages.find((m) => m.type === "presence:sync");
    const first = await client.waitFor(() => sync() ?? client.closeEvent, 5000, "a sync or a close");
    client.terminate();
    return "type" in first ? `open, ${first.type} of ${first.room}` : `closed ${first.code}`;
  } catch (error) {
    return String(error instanceof Error ? error.message : error).replace(/:.*/s, "");
  }
}

describe("a sharded room's odd paths", () => {
  it("answers /parties/main/<room>/, /<room>/x and //<room> as a room of one object does, not with 500", async () => {
    const query = `token=${await token(user("ann"))}`;
    for (const shape of ["/parties/main/ROOM/", "/parties/main/ROOM/x", "/parties/main//ROOM"]) {
      const plain = await outcome(shape.replace("ROOM", "lobby-paths"), query);
      const sharded = await outcome(shape.replace("ROOM", "stage-paths"), query);
      expect({ shape, sharded }).toEqual({ shape, sharded: plain.replace("lobby-paths", "stage-paths") });
      expect(sharded).not.toMatch(/500/);
    }
    // and the HTTP API under the same shapes
    for (const shape of ["/parties/main/ROOM/", "/parties/main//ROOM"]) {
      const plain = await partyFetch(`http://${party.server.host}${shape.replace("ROOM", "lobby-paths")}`, {
        headers: auth,
      });
      const sharded = await partyFetch(`http://${party.server.host}${shape.replace("ROOM", "stage-paths")}`, {
        headers: auth,
      });
      expect({ shape, status: sharded.status }).toEqual({ shape, status: plain.status });
      await plain.body?.cancel();
      await sharded.body?.cancel();
    }
  });
});
