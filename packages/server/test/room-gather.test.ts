import { ManualClock, RoomPresence } from "@herenow/core/engine";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GATHER_TIMEOUT_MS, RoomGather, ShardUnavailable } from "../src/room-gather";
import type { ShardRpc } from "../src/room-rpc";

// RoomGather over real RoomPresence objects as shards (the workerd suite, rooms/sharded-gather,
// runs it through real shards): how a shard that fails, or never answers, is treated.

const clock = new ManualClock(1_764_300_000_000);
const person = (id: string) => ({ id, name: id, info: {} });

/** Three shards' own users and the coordinator's agent, joined one a millisecond: a0 b0 c0 bot a1 b1. */
function room() {
  const shards = [0, 1, 2].map(() => new RoomPresence({ clock }));
  const own = new RoomPresence({ clock });
  for (const [at, id] of ["a0", "b0", "c0", "bot", "a1", "b1"].entries()) {
    clock.set(1_764_300_000_000 + at);
    if (id === "bot") own.connect("agent:bot", { ...person("bot"), kind: "agent" }, { pinned: true });
    else shards["abc".indexOf(id[0] as string)]?.connect(`c-${id}`, person(id));
  }
  return { shards, own };
}

/** One shard's calls, answered from its RoomPresence unless `fail` says otherwise for that call. */
function stub(presence: RoomPresence, fail: () => "throw" | "hang" | null): ShardRpc {
  const answer = async <T>(value: () => T): Promise<T> => {
    const how = fail();
    if (how === "throw") throw new Error("shard down");
    if (how === "hang") return new Promise<T>(() => {});
    return value();
  };
  const none = async () => {};
  return {
    herenowPush: none,
    herenowRefresh: none,
    herenowKick: async () => 0,
    herenowBroadcast: none,
    herenowHasUser: async (userId) => presence.hasUser(userId),
    herenowOwnPage: (after, limit) => answer(() => presence.page(after, limit)),
    herenowOwnConnections: () => answer(() => presence.snapshotConnections()),
  };
}

function gather(fail: (shard: number) => "throw" | "hang" | null = () => null) {
  const { shards, own } = room();
  const logs: string[] = [];
  const calls = [0, 0, 0];
  const host = {
    shards: () => [0, 1, 2],
    shard: (index: number) => {
      calls[index] = (calls[index] ?? 0) + 1;
      return stub(shards[index] as RoomPresence, () => fail(index));
    },
    own,
    log: (message: string) => logs.push(message),
  };
  return { gather: new RoomGather(host), logs, calls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RoomGather", () => {
  it("merges every shard's page and the coordinator's agents in join order, and pages on from a cursor", async () => {
    const { gather: room } = gather();
    const first = await room.page(null, 4);
    expect(first?.users.map((u) => u.id)).toEqual(["a0", "b0", "c0", "bot"]);
    const second = await room.page(first?.next ?? null, 4);
    expect(second).toMatchObject({ next: null });
    expect(second?.users.map((u) => u.id)).toEqual(["a1", "b1"]);
    expect(await room.page("no cursor", 4)).toBeNull();
    expect((await room.users()).map((u) => u.id)).toEqual(["a0", "b0", "c0", "bot", "a1", "b1"]);
    expect((await room.connections()).map((c) => c.id).sort()).toEqual(
      ["agent:bot", "c-a0", "c-a1", "c-b0", "c-b1", "c-c0"].sort(),
    );
  });

  it("asks a shard that failed once more, and answers whole when it does", async () => {
    let failures = 1;
    const { gather: room, logs, calls } = gather((shard) => (shard === 1 && failures-- > 0 ? "throw" : null));
    expect((await room.users()).map((u) => u.id)).toEqual(["a0", "b0", "c0", "bot", "a1", "b1"]);
    expect(calls).toEqual([1, 2, 1]);
    expect(logs).toEqual(["shard 1 did not answer a gather (Error: shard down); asking once more"]);
  });

  it("fails the whole answer, naming the shard, when one fails twice or never answers", async () => {
    await expect(gather((shard) => (shard === 2 ? "throw" : null)).gather.page(null, 10)).rejects.toThrow(
      new ShardUnavailable(2, new Error("shard down")).message,
    );
    vi.useFakeTimers();
    const hung = gather((shard) => (shard === 0 ? "hang" : null)).gather.connections();
    const settled = expect(hung).rejects.toThrow(
      `shard 0 of the room did not answer (no answer within ${GATHER_TIMEOUT_MS} ms)`,
    );
    await vi.advanceTimersByTimeAsync(2 * GATHER_TIMEOUT_MS);
    await settled;
  });
});
