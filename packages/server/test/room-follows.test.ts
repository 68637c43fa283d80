import { describe, expect, it } from "vitest";
import { RoomFollows } from "../src/room-follows";
import { PREFIXES } from "../src/storage-keys";

/** The part of a Durable Object's storage RoomFollows uses, over a Map. */
function storage(entries = new Map<string, unknown>()) {
  return {
    entries,
    list: (async ({ prefix }: { prefix: string }) =>
      new Map([...entries].filter(([key]) => key.startsWith(prefix)))) as never,
    put: (async (key: string, value: unknown) => {
      entries.set(key, value);
    }) as never,
    delete: (async (keys: string | string[]) => {
      for (const key of Array.isArray(keys) ? keys : [keys]) entries.delete(key);
      return true;
    }) as never,
  };
}

describe("RoomFollows (issue 24, item 7)", () => {
  it("keeps each connection's follows outside its attachment, back after a wake, and drops those of closed ones", async () => {
    const stored = storage();
    const before = new RoomFollows(stored);
    const long = Array.from({ length: 100 }, (_, n) => `${n}-`.padEnd(128, "x"));
    before.set("c1", long);
    before.set("c2", ["u7"]);
    before.set("c3", ["u8"]);
    before.set("c3", []);
    expect(before.of("c1")).toEqual(long);
    expect(before.of("c3")).toEqual([]);
    // a wake: only c1 is still open
    const after = new RoomFollows(stored);
    await after.load(new Set(["c1"]));
    expect(after.of("c1")).toEqual(long);
    expect(after.of("c2")).toEqual([]);
    expect([...stored.entries.keys()]).toEqual([`${PREFIXES.follows}c1`]);
    after.forget("c1");
    expect(stored.entries.size).toBe(0);
  });
});
