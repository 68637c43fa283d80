import { shardOf } from "@herenow/core/engine";
import { describe, expect, it } from "vitest";
import { freshConnectionId, isOwnId } from "../src/connection-ids";

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
});
