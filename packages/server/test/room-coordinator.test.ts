// The coordinator half of a sharded room, without a runtime: in-memory storage and shards that
// record what they were sent.
import type { DiffMessage } from "@herenow/core";
import { type ConnectionEvent, type ShardReport, type ShardUser, shardOf } from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import { REBUILD_MS, RoomCoordinator } from "../src/room-coordinator";
import { KEYS } from "../src/storage-keys";

/** A user as a shard reports it: one connection, no state, active since `since`. */
function user(id: string, since = 1000): ShardUser {
  return { id, name: id, info: {}, connections: 1, state: {}, since, stateAt: 0, status: "active", activeAt: since };
}
const join = (connectionId: string, id: string): ConnectionEvent => ({
  type: "join",
  connectionId,
  user: { id, name: id, info: {} },
  at: 1000,
});
const full = (users: string[], at = 2000): ShardReport => ({
  full: true,
  users: users.map((id) => user(id)),
  left: [],
  anonymous: 0,
  events: [],
  connections: users.map((id) => ({
    id: `c-${id}`,
    user: { id, name: id, info: {} },
    joinedAt: 1000,
    lastSeen: 1000,
    since: 1000,
  })),
  at,
});

function setup(stored: Record<string, unknown> = {}) {
  const storage = new Map<string, unknown>(Object.entries(stored));
  const pushes: { shard: number; push: unknown }[] = [];
  const refreshed: number[] = [];
  const kicks: { shard: number; banUntil: number | null | undefined }[] = [];
  const published: { diff: DiffMessage | null; events: ConnectionEvent[] }[] = [];
  let changed = 0;
  const coordinator = new RoomCoordinator({
    shard: (index) => ({
      herenowPush: async (push: string) => {
        pushes.push({ shard: index, push: JSON.parse(push) });
      },
      herenowRefresh: async () => {
        refreshed.push(index);
      },
      herenowKick: async (_target, banUntil) => {
        kicks.push({ shard: index, banUntil });
        return 1;
      },
      herenowBroadcast: async () => {},
      herenowOwnPage: async () => ({ users: [], next: null }),
      herenowOwnConnections: async () => [],
    }),
    shardCount: 3,
    storage: {
      get: (async (key: string) => storage.get(key)) as never,
      put: (async (key: string, value: unknown) => {
        storage.set(key, value);
      }) as never,
    },
    changed: () => changed++,
    published: (diff, events) => published.push({ diff, events }),
    log: () => {},
  });
  return { coordinator, storage, pushes, refreshed, published, kicks, changes: () => changed };
}

describe("RoomCoordinator", () => {
  it("numbers the room's diffs, sends each to the shards with anyone, and answers reports with that number", async () => {
    const { coordinator, pushes, published, storage } = setup();
    await coordinator.load(1000);
    const answer = coordinator.report(0, full(["ann"]));
    const second = coordinator.report(1, {
      full: true,
      users: [user("bo")],
      left: [],
      anonymous: 1,
      events: [],
      connections: [],
      at: 2000,
    });
    coordinator.flush(2000);
    expect(await answer).toEqual({ seq: 1 });
    expect(await second).toEqual({ seq: 1 });
    // shard 1 reported a user and an anonymous connection but no connection events: it has anyone all the same
    expect(pushes.map((p) => p.shard).sort()).toEqual([0, 1]);
    expect(published[0]?.diff).toMatchObject({ seq: 1, joined: [{ id: "ann" }, { id: "bo" }], anonymous: 1 });
    expect(storage.get(KEYS.coordinatorSeq)).toBe(1);
    expect([...(storage.get(KEYS.coordinatorShards) as number[])].sort()).toEqual([0, 1]);
    // a partial report from a shard that never said everything is refused
    expect(await coordinator.report(5, { ...full([]), full: false, events: [join("c-x", "x")] })).toEqual({
      need: "full",
    });
  });

  it("after a restart asks the shards that had anyone for everything and sends them the whole room once they answered", async () => {
    const { coordinator, pushes, refreshed, published } = setup({
      [KEYS.coordinatorSeq]: 41,
      [KEYS.coordinatorShards]: [0, 1],
    });
    await coordinator.load(10_000);
    expect(refreshed.sort()).toEqual([0, 1]);
    const first = coordinator.report(0, full(["ann"]));
    coordinator.flush(10_050);
    expect(pushes).toEqual([]); // shard 1 has not answered: nothing goes out yet
    const second = coordinator.report(1, full(["bo"]));
    coordinator.flush(10_100);
    expect(await first).toEqual({ seq: 42 });
    expect(await second).toEqual({ seq: 42 });
    expect(pushes.map((p) => p.shard).sort()).toEqual([0, 1]);
    expect(pushes[0]?.push).toMatchObject({ published: { seq: 42, users: [{ id: "ann" }, { id: "bo" }] } });
    expect(coordinator.rebuildDue()).toBeNull();
    // the connections the shards reported are no news for the webhook: its new generation's snapshot has them
    expect(published.at(-1)?.events).toEqual([]);
  });

  it("gives up on a shard that stays silent after a restart: its connections are dropped", async () => {
    const { coordinator, pushes } = setup({ [KEYS.coordinatorSeq]: 7, [KEYS.coordinatorShards]: [0, 3] });
    await coordinator.load(10_000);
    void coordinator.report(0, full(["ann"]));
    coordinator.flush(10_000 + REBUILD_MS - 1);
    expect(pushes).toEqual([]);
    coordinator.flush(10_000 + REBUILD_MS);
    expect(pushes).toEqual([
      {
        shard: 0,
        push: {
          published: { seq: 8, users: [user("ann")].map(({ stateAt: _, ...u }) => u), anonymous: 0, recent: [] },
        },
      },
    ]);
  });

  it("kicks on the one shard that can hold the target, also when it knows nobody there, and passes the ban along (issue 27, item 1)", async () => {
    const { coordinator, kicks } = setup();
    await coordinator.load(1000);
    const reported = coordinator.report(0, full(["ann"]));
    coordinator.flush(2000);
    await reported;
    // a user's sockets are all on their own shard; a connection's id lives only on the shard it hashes to
    expect(await coordinator.kick({ userId: "troll" }, 90_000)).toBe(1);
    expect(await coordinator.kick({ connectionId: "tab-7" })).toBe(1);
    expect(kicks).toEqual([
      { shard: shardOf("troll", 3), banUntil: 90_000 },
      { shard: shardOf("tab-7", 3), banUntil: null },
    ]);
  });
});
