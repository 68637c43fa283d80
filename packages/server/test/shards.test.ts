import { describe, expect, it } from "vitest";
import { readSettings } from "../src/settings";
import { roleOf, shardName, shardOf } from "../src/shards";

const settings = readSettings({
  HERENOW_SECRET: "a-secret-long-enough-for-the-protocol-0123",
  HERENOW_SHARDED_ROOMS: "stage, town-*",
  HERENOW_SHARDS: "4",
});

describe("sharded rooms", () => {
  it("reads which rooms spread over shards, and refuses a malformed list or count", () => {
    expect(settings.shardedRooms).toEqual(["stage", "town-*"]);
    expect(settings.shards).toBe(4);
    const secret = "a-secret-long-enough-for-the-protocol-0123";
    expect(() => readSettings({ HERENOW_SECRET: secret, HERENOW_SHARDED_ROOMS: "a b" })).toThrow(
      /HERENOW_SHARDED_ROOMS/,
    );
    expect(() => readSettings({ HERENOW_SECRET: secret, HERENOW_SHARDS: "1" })).toThrow(/HERENOW_SHARDS/);
    expect(() => readSettings({ HERENOW_SECRET: secret, HERENOW_SHARDS: "257" })).toThrow(/at most 256/);
  });

  it("tells rooms, coordinators and shards apart by name, and knows no shard outside a sharded room's count", () => {
    expect(roleOf("lobby", settings)).toEqual({ kind: "room", room: "lobby" });
    expect(roleOf("stage", settings)).toEqual({ kind: "coordinator", room: "stage" });
    expect(roleOf("town-hall", settings)).toEqual({ kind: "coordinator", room: "town-hall" });
    expect(roleOf(shardName("town-hall", 3), settings)).toEqual({ kind: "shard", room: "town-hall", shard: 3 });
    for (const name of ["stage~4", "stage~01", "stage~-1", "stage~", "lobby~0", "stage~1~2"]) {
      expect(roleOf(name, settings)).toBeNull();
    }
  });

  it("puts the same connection id on the same shard and spreads many ids evenly", () => {
    expect(shardOf("tab-1", 8)).toBe(shardOf("tab-1", 8));
    const counts = new Array(8).fill(0);
    for (let n = 0; n < 8000; n++) counts[shardOf(crypto.randomUUID(), 8)]++;
    // 1000 expected per shard; 6 standard deviations (about 180) either side never happens by chance
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(180);
  });
});
