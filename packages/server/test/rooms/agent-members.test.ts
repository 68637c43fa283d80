import { idOnShard, partyFetch, sleep, until } from "@herenow/testing";
import { describe, expect, it } from "vitest";
import { ann, auth, ROOM_KINDS, roomSuite, snapshotOf } from "./workers";

// Members without a socket (issue 29, item 1): put over the room's HTTP API, shown with
// `kind: "agent"`, gone when deleted or when their TTL ends, in both kinds of room.
const SHARDS = 4;
const party = roomSuite({ HERENOW_SHARDED_ROOMS: "sharded-*", HERENOW_SHARDS: String(SHARDS) });

function member(room: string, userId: string, init: { method?: string; body?: unknown; headers?: HeadersInit } = {}) {
  const { method = "PUT", body, headers = auth } = init;
  return partyFetch(party.server.httpUrl(room, `members/${encodeURIComponent(userId)}`), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

function snapshot(room: string) {
  return snapshotOf(party.server, room);
}

describe.each(ROOM_KINDS)("agent members in %s", (_what, prefix) => {
  it("adds a member without a socket that clients see join with kind agent, counted like a user", async () => {
    const room = `${prefix}-join`;
    const watcher = await party.connect(room, { user: ann });
    const put = await member(room, "bot-1", {
      body: { name: "Assistant", info: { model: "small" }, state: { typing: false }, ttlSeconds: 60 },
    });
    expect(put.status).toBe(201);
    const body = await put.json();
    expect(body.member).toMatchObject({ id: "bot-1", name: "Assistant", kind: "agent", status: "active" });
    expect(body.expiresAt).toBeGreaterThan(Date.now() + 55_000);
    await watcher.waitForUsers(["u-ann", "bot-1"]);
    const seen = watcher.snapshot.users.find((user) => user.id === "bot-1");
    expect(seen).toMatchObject({ kind: "agent", info: { model: "small" }, state: { typing: false } });
    // people have no `kind` at all
    expect("kind" in (watcher.snapshot.users.find((user) => user.id === "u-ann") ?? {})).toBe(false);
    const room1 = await snapshot(room);
    expect(room1.users.map((user: { id: string }) => user.id)).toEqual(["u-ann", "bot-1"]);
    expect(room1.users[1]).toMatchObject({ kind: "agent", connections: 1 });
    expect(room1.connections).toBe(2);
    // a late joiner's sync and a page of the room list it too
    const late = await party.connect(room, { user: { id: "u-bo", name: "Bo" } });
    expect(late.userIds()).toContain("bot-1");
    late.send({ type: "presence:list" });
    const page = await late.next("presence:page", 0);
    expect(page.count).toBe(3);
    expect(page.users.map((user: { id: string }) => user.id)).toContain("bot-1");
  });

  it("refreshes name, state and status with a PUT (an update) and removes the member at once with DELETE", async () => {
    const room = `${prefix}-refresh`;
    const watcher = await party.connect(room, { user: ann });
    expect((await member(room, "bot-2", { body: { name: "Helper", ttlSeconds: 60 } })).status).toBe(201);
    await watcher.waitForUsers(["u-ann", "bot-2"]);
    const from = watcher.messages.length;
    const again = await member(room, "bot-2", {
      body: { name: "Helper 2", state: { step: 2 }, status: "idle", ttlSeconds: 60 },
    });
    expect(again.status).toBe(200);
    const updated = await watcher.waitFor(() =>
      watcher.messages
        .slice(from)
        .flatMap((message) => (message.type === "presence:diff" ? message.updated : []))
        .find((user: { id: string; status: string }) => user.id === "bot-2" && user.status === "idle"),
    );
    expect(updated).toMatchObject({ name: "Helper 2", state: { step: 2 }, kind: "agent" });
    expect(watcher.joinsAndLeavesSince(from)).toEqual([]);
    const deleted = await member(room, "bot-2", { method: "DELETE" });
    expect(await deleted.json()).toEqual({ deleted: true });
    await watcher.waitForUsers(["u-ann"], 1000);
    expect((await member(room, "bot-2", { method: "DELETE" })).status).toBe(404);
  });

  it("leaves when its TTL ends, by the room's alarm, and a PUT extends the TTL", async () => {
    const room = `${prefix}-ttl`;
    const watcher = await party.connect(room, { user: ann });
    await member(room, "bot-short", { body: { name: "Short", ttlSeconds: 1 } });
    await member(room, "bot-kept", { body: { name: "Kept", ttlSeconds: 1 } });
    await watcher.waitForUsers(["u-ann", "bot-short", "bot-kept"]);
    await sleep(600);
    const refreshed = await (await member(room, "bot-kept", { body: { name: "Kept", ttlSeconds: 3 } })).json();
    await watcher.waitForUsers(["u-ann", "bot-kept"], 2000);
    const leftAt = Date.now();
    await watcher.waitForUsers(["u-ann"], 5000);
    // gone within a second after its TTL, not before it
    expect(leftAt).toBeLessThan(refreshed.expiresAt);
    expect(Date.now() - refreshed.expiresAt).toBeLessThan(1000);
  });

  it("keeps agents in storage: one outlives a restart, one whose TTL ended meanwhile is gone", async () => {
    const room = `${prefix}-restart`;
    await member(room, "bot-long", { body: { name: "Long", ttlSeconds: 600 } });
    const short = await (await member(room, "bot-brief", { body: { name: "Brief", ttlSeconds: 1 } })).json();
    await party.server.stop("SIGKILL");
    await sleep(Math.max(0, short.expiresAt - Date.now()) + 200);
    await party.server.start();
    const after = await snapshot(room);
    expect(after.users.map((user: { id: string }) => user.id)).toEqual(["bot-long"]);
    expect(after.users[0]).toMatchObject({ kind: "agent", name: "Long" });
  });

  it("refuses an id a person has (409), and a person's socket under an agent's id (409)", async () => {
    const room = `${prefix}-collide`;
    await party.connect(room, { user: ann });
    const taken = await member(room, "u-ann", { body: { name: "Fake Ann", ttlSeconds: 60 } });
    expect(taken.status).toBe(409);
    expect((await taken.json()).error).toMatch(/as a person/);
    await member(room, "u-cy", { body: { name: "Cy bot", ttlSeconds: 60 } });
    await until(async () => ((await snapshot(room)).users.length === 2 ? null : "the agent"), 2000);
    // under ids of every shard: in a sharded room all go to Cy's shard, which has nobody (and no copy of the room yet)
    for (let shard = 0; shard < SHARDS; shard++) {
      const pk = idOnShard(shard, SHARDS, "cy-tab");
      const refused = await party.connect(room, { user: { id: "u-cy", name: "Cy" }, pk, synced: false }).then(
        () => "accepted",
        (error: unknown) => String(error),
      );
      expect(refused, `shard ${shard}`).toMatch(/409/);
    }
  });

  it("holds at most 100 agents: the 101st is refused with 409, a refresh of one of them is not", async () => {
    const room = `${prefix}-many`;
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, n) => member(room, `bot-${n}`, { body: { name: `Bot ${n}`, ttlSeconds: 60 } })),
    );
    expect(statuses.map((response) => response.status)).toEqual(Array(100).fill(201));
    const over = await member(room, "bot-100", { body: { name: "One too many", ttlSeconds: 60 } });
    expect(over.status).toBe(409);
    expect((await over.json()).error).toMatch(/100 agent members/);
    expect((await member(room, "bot-7", { body: { name: "Bot 7", ttlSeconds: 60 } })).status).toBe(200);
    expect((await snapshot(room)).users).toHaveLength(100);
  });
});

describe("the members endpoint's refusals", () => {
  it("refuses without the bearer secret with 401, at the gate", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }] as Record<string, string>[]) {
      expect((await member("gate", "bot", { body: { name: "B", ttlSeconds: 5 }, headers })).status).toBe(401);
      expect((await member("gate", "bot", { method: "DELETE", headers })).status).toBe(401);
    }
  });

  it("answers bad bodies, ids and TTLs with 400 and a reason, and adds nothing", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["bot", "not json", /must be JSON/],
      ["bot", [], /JSON object/],
      ["bot", { ttlSeconds: 5 }, /name/],
      ["bot", { name: "\u202Enimda", ttlSeconds: 5 }, /name/],
      ["bot", { name: "B" }, /ttlSeconds/],
      ["bot", { name: "B", ttlSeconds: 0 }, /at least 1/],
      ["bot", { name: "B", ttlSeconds: 86_401 }, /at most 86400/],
      ["bot", { name: "B", ttlSeconds: 1.5 }, /whole number/],
      ["bot", { name: "B", ttlSeconds: 5, status: "away" }, /status/],
      ["bot", { name: "B", ttlSeconds: 5, info: { blob: "x".repeat(1100) } }, /info/],
      ["bot", { name: "B", ttlSeconds: 5, state: { blob: "x".repeat(2100) } }, /state/],
      ["bot", { name: "B", ttlSeconds: 5, extra: 1 }, /unknown field/],
      ["x".repeat(129), { name: "B", ttlSeconds: 5 }, /longer than 128/],
    ];
    for (const [id, body, reason] of cases) {
      const response = await member("bad", id, { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).error, JSON.stringify(body)).toMatch(reason);
    }
    expect((await member("bad", "bot", { method: "POST", body: {} })).status).toBe(405);
    expect((await snapshot("bad")).users).toEqual([]);
  });
});
