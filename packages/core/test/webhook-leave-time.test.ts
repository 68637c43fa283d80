import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { WebhookBatchSchema } from "../src/webhook";

// A leave's measured time to leave (docs/protocol.md, decision 26): optional, a whole number of ms.
const batch = (leave: Record<string, unknown>) => ({
  v: 1,
  id: "g:1",
  room: "lobby",
  generation: "g",
  seq: 1,
  sentAt: 0,
  events: [{ type: "leave", connectionId: "c-1", reason: "closed", at: 10, ...leave }],
});

describe("a leave's leaveMs in the webhook schema", () => {
  it("keeps a measured time to leave and accepts a leave without one", () => {
    expect(v.parse(WebhookBatchSchema, batch({ leaveMs: 1_512 })).events[0]).toEqual({
      type: "leave",
      connectionId: "c-1",
      reason: "closed",
      at: 10,
      leaveMs: 1_512,
    });
    expect(v.parse(WebhookBatchSchema, batch({})).events[0]).not.toHaveProperty("leaveMs");
  });

  it("refuses a negative or fractional time", () => {
    expect(v.safeParse(WebhookBatchSchema, batch({ leaveMs: -1 })).success).toBe(false);
    expect(v.safeParse(WebhookBatchSchema, batch({ leaveMs: 1.5 })).success).toBe(false);
  });
});
