import { shardOf } from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import { freshConnectionId, isOwnId, placedConnectionId } from "../src/connection-ids";

describe("connection ids of a sharded room (issue 24, item 9)", () => {
  it("keeps on a shard only ids that hash to it, and draws fresh ones that do", () => {
    const place = { shard: 3, shards: 8 };
    const claimed = "tab-1";
    expect(isOwnId(claimed, place)).toBe(shardOf(claimed, 8) === 3);
    expect(isOwnId(claimed, null)).toBe(true);
    for (let n = 0; n < 50; n++) {
      const id = freshConnectionId(claimed, place);
      expect(id).toMatch(/^tab-1\.[0-9a-f]{8}$/);
      expect(shardOf(id, 8)).toBe(3);
    }
    expect(freshConnectionId(claimed, null)).toMatch(/^tab-1\.[0-9a-f]{8}$/);
  });

  it("renames a signed-in socket's id of another shard the same way every time, and apart for another user (issue 27, item 1)", () => {
    const place = { shard: 5, shards: 8 };
    const claimed = "tab-1"; // hashes to another shard: the socket came because of its user
    expect(isOwnId(claimed, place)).toBe(false);
    const ann = placedConnectionId(claimed, "u-ann", place);
    expect(ann).toMatch(/^tab-1\.[0-9a-f]{8}$/);
    expect(shardOf(ann, 8)).toBe(5);
    // a reload of the same tab comes back under the same id, so it finds its grace
    expect(placedConnectionId(claimed, "u-ann", place)).toBe(ann);
    // another user claiming the same `_pk` on the same shard does not take Ann's id
    expect(placedConnectionId(claimed, "u-bob", place)).not.toBe(ann);
  });
});
