// A sharded room under attack (issue 24, items 8, 9 and 10): odd paths, connection ids reused
// across shards, and a kick racing a user's new sockets. A sharded room must answer exactly as a
// room of one object does, whatever the client sends.

import { shardOf } from "@herenow/core/engine";
import { createDb, createPresenceStore, createWebhookHandler } from "@herenow/db";
import { CONVERGE_MS, freePort, idOnShard, partyFetch, SECRET, TestClient, token, until } from "@herenow/testing";
import { Receiver } from "@herenow/testing/http-receiver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomSuite, snapshotOf } from "./workers";

// the rooms' copy in a database (PGlite), through the webhook, as the web app keeps it
const db = createDb({ url: "pglite://memory" });
const store = createPresenceStore(db);
const receiver = new Receiver(await freePort(), createWebhookHandler({ store, secret: SECRET }));
beforeAll(async () => {
  // PGlite starts and migrates in this process: done before any test waits on a socket
  await store.getPresences("warm-up");
  await receiver.listen();
});
afterAll(async () => {
  await receiver.close();
  await db.destroy();
});

const SHARDS = 8;
const party = roomSuite({
  HERENOW_SHARDED_ROOMS: "stage*",
  HERENOW_SHARDS: String(SHARDS),
  HERENOW_LEAVE_GRACE_MS: "5000",
  HERENOW_WEBHOOK_URL: receiver.url,
  HERENOW_WEBHOOK_BATCH_MS: "100",
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

describe("a sharded room's connection ids", () => {
  it("stay unique across its shards, in the room, the webhook and the database: no row changes owner (item 9)", async () => {
    const room = "stage-ids";
    // the victim's id hashes to the victim's own shard, so it keeps it
    const pk = idOnShard(shardOf("u-vic", SHARDS), SHARDS, "victim");
    const victim = await party.connect(room, { user: user("vic"), pk });
    expect(victim.snapshot.self?.connectionId).toBe(pk);
    // the attacker claims the victim's id; the attacker's sockets go to the attacker's shard, 3
    expect(shardOf("u-mal", SHARDS)).toBe(3);
    const attacker = await party.connect(room, { user: user("mal"), pk });
    const taken = attacker.snapshot.self?.connectionId as string;
    expect(taken).toMatch(new RegExp(`^${pk}\\.[0-9a-f]{8}$`));
    expect(shardOf(taken, SHARDS)).toBe(3);
    const rows = async () => (await store.getPresences(room)).map((p) => `${p.connectionId} ${p.user?.id}`).sort();
    await until(
      async () => ((await rows()).some((row) => row.endsWith("u-mal")) ? null : "no row of mal yet"),
      CONVERGE_MS,
    );
    attacker.send({ type: "presence:leave" });
    await attacker.waitForClose();
    await until(
      async () => ((await rows()).some((row) => row.endsWith("u-mal")) ? "mal's row is still there" : null),
      CONVERGE_MS,
    );
    expect(await rows()).toEqual([`${pk} u-vic`]);
    await victim.waitForUsers(["u-vic"]);
  });
});

describe("a kick with a ban in a sharded room", () => {
  it("closes every socket of the user, however many they open while it runs (item 8)", async () => {
    const room = "stage-kick";
    const watcher = await party.connect(room, { user: user("watch"), pk: idOnShard(0, SHARDS, "w") });
    const first = await party.connect(room, { user: user("troll"), pk: idOnShard(1, SHARDS, "t") });
    await watcher.waitForUsers(["u-watch", "u-troll"]);
    const query = { token: await token(user("troll")) };
    // five sockets under ids of every shard, opened while the kick runs: all go to the user's shard
    const opening = Array.from({ length: SHARDS * 5 }, (_, n) =>
      TestClient.open(party.server.url(room, { ...query, _pk: idOnShard(n % SHARDS, SHARDS, `t${n}`) })).catch(
        (error: Error) => error,
      ),
    );
    const kicked = await partyFetch(party.server.httpUrl(room, "kick"), {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ userId: "u-troll", banSeconds: 60 }),
    });
    expect(kicked.status).toBe(200);
    const tabs = [first, ...(await Promise.all(opening))];
    const refused = tabs.filter((tab) => tab instanceof Error);
    for (const error of refused) expect(error.message).toMatch(/HTTP 403/);
    const opened = tabs.filter((tab): tab is TestClient => tab instanceof TestClient);
    try {
      await until(() => {
        const open = opened.filter((tab) => tab.closeEvent === null).length;
        return open === 0 ? null : `${open} of ${opened.length} sockets of the banned user still open`;
      }, 10_000);
      for (const tab of opened) expect(tab.closeEvent?.code).toBe(4003);
      await watcher.waitForUsers(["u-watch"]);
      const snapshot = await snapshotOf(party.server, room);
      expect(snapshot.users.map((u: { id: string }) => u.id)).toEqual(["u-watch"]);
    } finally {
      for (const tab of opened) tab.terminate();
    }
  });
});
