import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { jsonSize } from "../src/json-size";
import { type WebhookBatch, WebhookBatchSchema, WebhookPartSchema } from "../src/webhook";
import { joinWebhookParts, splitWebhookBatch } from "../src/webhook-parts";

const connection = (i: number) => ({
  connectionId: `c-${i}`,
  user: i % 5 === 0 ? null : { id: `u${i}`, name: `Ünïcode ${i}`, info: { colour: "teal" } },
  joinedAt: 1_764_300_000_000 + i,
  lastSeen: 1_764_300_000_000 + i,
});

function batchOf(connections: number, events = 0): WebhookBatch {
  return {
    v: 1,
    id: "0mih3k8g0-4f1c2a9e:1",
    room: "town-hall",
    generation: "0mih3k8g0-4f1c2a9e",
    seq: 1,
    sentAt: 1_764_300_000_000,
    events: Array.from({ length: events }, (_, i) => ({
      type: "join" as const,
      connectionId: `c-${i}`,
      user: null,
      at: 1_764_300_000_000 + i,
    })),
    snapshot: Array.from({ length: connections }, (_, i) => connection(i)),
  };
}

describe("splitWebhookBatch and joinWebhookParts", () => {
  it("leaves a batch that fits alone", () => {
    expect(splitWebhookBatch(batchOf(10, 3), 64 * 1024, "s1")).toBeNull();
  });

  it("cuts a large batch into parts under the budget that join back into the same batch", () => {
    const batch = batchOf(3000, 500);
    const budget = 16 * 1024;
    const parts = splitWebhookBatch(batch, budget, "s1");
    if (!parts) throw new Error("expected parts");
    expect(parts.length).toBeGreaterThan(jsonSize(batch) / budget);
    for (const part of parts) {
      // restamped as a send does: still under the budget, and a valid part body, not a whole batch
      const sent = { ...part, sentAt: Date.now() };
      expect(jsonSize(sent)).toBeLessThanOrEqual(budget);
      expect(v.safeParse(WebhookPartSchema, sent).success).toBe(true);
      expect(v.safeParse(WebhookBatchSchema, sent).success).toBe(false);
      expect(part.part).toMatchObject({ count: parts.length, seal: "s1" });
      expect(part.part.snapshot).toBeDefined();
    }
    expect(parts.map((p) => p.part.number)).toEqual(parts.map((_, i) => i + 1));
    expect(joinWebhookParts(parts)).toEqual(batch);
  });

  it("keeps a batch without snapshot without one, and puts an oversized item alone in its part", () => {
    const batch = { ...batchOf(0, 4), snapshot: undefined };
    delete batch.snapshot;
    const parts = splitWebhookBatch(batch, 200, "s2");
    expect(parts?.map((p) => p.part.events.length)).toEqual([1, 1, 1, 1]);
    expect(parts?.every((p) => !("snapshot" in p.part))).toBe(true);
    expect(joinWebhookParts(parts ?? [])).toEqual(batch);
  });

  it("refuses parts that are not one whole", () => {
    const parts = splitWebhookBatch(batchOf(400), 8 * 1024, "s1") ?? [];
    expect(parts.length).toBeGreaterThan(2);
    expect(() => joinWebhookParts(parts.slice(1))).toThrow(/\d+ of \d+ parts/);
    expect(() => joinWebhookParts([...parts.slice(0, -1), parts[0] as never])).toThrow(/expected part \d+, got 1/);
    const other = parts.map((p, i) => (i === 1 ? { ...p, part: { ...p.part, seal: "s9" } } : p));
    expect(() => joinWebhookParts(other)).toThrow(/does not belong/);
    expect(() => joinWebhookParts([])).toThrow(/no parts/);
  });
});
