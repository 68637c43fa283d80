// The coordinator half of a sharded room, without a runtime: in-memory storage and shards that
// record what they were sent.
import type { DiffMessage } from "@herenow/core";
import { type ConnectionEvent, type HeadPush, type HeadReport, RoomPresence, shardOf } from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import { REBUILD_MS, RoomCoordinator } from "../src/room-coordinator";
import { KEYS } from "../src/storage-keys";
import { headReport, reportedUser } from "./head-reports";

const join = (connectionId: string, id: string): ConnectionEvent => ({
  type: "join",
  connectionId,
  user: { id, name: id, info: {} },
  at: 1000,
});
/** A shard's full report of these users (all exposed), and `anonymous` more connections. */
const full = (users: string[], anonymous = 0, at = 2000): HeadReport => {
  const last = users.at(-1);
  const through = last ? { since: 1000, id: last } : null;
  const counts = { count: users.length, anonymous, connections: users.length + anonymous };
  return headReport({ full: true, ...counts, users: users.map((id) => reportedUser(id)), through, at, no: 1 });
};

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
      herenowHasUser: async () => false,
      herenowOwnPage: async () => ({ users: [], next: null }),
      herenowOwnConnections: async () => [],
    }),
    shardCount: 3,
    headSize: 1000,
    own: new RoomPresence(),
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

const pushed = (pushes: { push: unknown }[]) => pushes.map(({ push }) => push as HeadPush);

describe("RoomCoordinator", () => {
  it("numbers the room's pushes, sends each to the shards with anyone, and takes reports at once", async () => {
    const { coordinator, pushes, published, storage } = setup();
    await coordinator.load(1000);
    expect(coordinator.report(0, full(["ann"]))).toEqual({ ok: true });
    expect(coordinator.report(1, full(["bo"], 1))).toEqual({ ok: true });
    coordinator.flush(2000);
    expect(pushes.map((p) => p.shard).sort()).toEqual([0, 1]);
    // every shard's first push is its whole part of the room, naming the report it includes
    for (const push of pushed(pushes)) {
      expect(push).toMatchObject({ seq: 1, no: 1, full: true, reportNo: 1, count: 2, anonymous: 1, exact: true });
      expect(push.head.map((u) => u.id)).toEqual(["ann", "bo"]);
    }
    expect(published[0]?.diff).toMatchObject({ seq: 1, joined: [{ id: "ann" }, { id: "bo" }], anonymous: 1 });
    expect(storage.get(KEYS.coordinatorSeq)).toBe(1);
    expect([...(storage.get(KEYS.coordinatorShards) as number[])].sort()).toEqual([0, 1]);
    // a partial report from a shard that never said everything is refused
    expect(coordinator.report(5, { ...full([]), full: false, events: [join("c-x", "x")] })).toEqual({
      need: "full",
    });
  });

  it("after a restart asks the shards that had anyone for everything and sends them the room once they answered", async () => {
    const { coordinator, pushes, refreshed, published } = setup({
      [KEYS.coordinatorSeq]: 41,
      [KEYS.coordinatorShards]: [0, 1],
    });
    await coordinator.load(10_000);
    expect(refreshed.sort()).toEqual([0, 1]);
    coordinator.report(0, full(["ann"]));
    coordinator.flush(10_050);
    expect(pushes).toEqual([]); // shard 1 has not answered: nothing goes out yet
    coordinator.report(1, full(["bo"]));
    coordinator.flush(10_100);
    expect(pushes.map((p) => p.shard).sort()).toEqual([0, 1]);
    expect(pushed(pushes)[0]).toMatchObject({ seq: 42, full: true, head: [{ id: "ann" }, { id: "bo" }] });
    expect(coordinator.rebuildDue()).toBeNull();
    // the connections the shards reported are no news for the webhook: its new generation's snapshot has them
    expect(published.at(-1)?.events).toEqual([]);
  });

  it("gives up on a shard that stays silent after a restart: its people are dropped", async () => {
    const { coordinator, pushes } = setup({ [KEYS.coordinatorSeq]: 7, [KEYS.coordinatorShards]: [0, 2] });
    await coordinator.load(10_000);
    coordinator.report(0, full(["ann"]));
    coordinator.flush(10_000 + REBUILD_MS - 1);
    expect(pushes).toEqual([]);
    coordinator.flush(10_000 + REBUILD_MS);
    expect(pushes.map((p) => p.shard)).toEqual([0]);
    expect(pushed(pushes)[0]).toMatchObject({ seq: 8, full: true, count: 1, head: [{ id: "ann" }] });
  });

  it("pushes nothing to a shard whose people all left, and counts the room's connections from the reports", async () => {
    const { coordinator, pushes } = setup();
    await coordinator.load(1000);
    coordinator.report(0, full(["ann"]));
    coordinator.report(1, full(["bo"], 2));
    coordinator.flush(2000);
    expect(coordinator.head.connectionCount).toBe(4);
    pushes.length = 0;
    coordinator.report(0, { ...full([]), full: false, gone: ["ann"], no: 2 });
    coordinator.flush(2050);
    expect(pushes.map((p) => p.shard)).toEqual([1]);
    expect(pushed(pushes)[0]).toMatchObject({ headLeft: ["ann"], count: 1 });
    expect(coordinator.shards()).toEqual([1]);
  });

  it("kicks on the one shard that can hold the target, also when it knows nobody there, and passes the ban along (issue 27, item 1)", async () => {
    const { coordinator, kicks } = setup();
    await coordinator.load(1000);
    coordinator.report(0, full(["ann"]));
    coordinator.flush(2000);
    // a user's sockets are all on their own shard; a connection's id lives only on the shard it hashes to
    expect(await coordinator.kick({ userId: "troll" }, 90_000)).toBe(1);
    expect(await coordinator.kick({ connectionId: "tab-7" })).toBe(1);
    expect(kicks).toEqual([
      { shard: shardOf("troll", 3), banUntil: 90_000 },
      { shard: shardOf("tab-7", 3), banUntil: null },
    ]);
  });
});
