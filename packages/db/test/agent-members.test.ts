import type { WebhookBatch } from "@herenow/core";
import { expect, it } from "vitest";
import { createPresenceStore } from "../src/store";
import { createWebhookHandler } from "../src/webhook-handler";
import { at } from "./support/clock";
import { describeEachDatabase } from "./support/databases";
import { ann, answer, batch, conn, join, leave, SECRET, signedRequest } from "./support/webhook";

// Issue 29, item 1: a room's agent members (`kind: "agent"` on their user) in the database
// copy, from the webhook's joins and snapshots, beside people who have no kind.

const NOW = at(60);
const bot = { id: "bot-1", name: "Assistant", info: { model: "small" }, kind: "agent" as const };

describeEachDatabase("agent members in the copy", (db) => {
  const store = () => createPresenceStore(db(), { now: () => NOW });

  async function handle(body: WebhookBatch) {
    const handler = createWebhookHandler({ store: store(), secret: SECRET, now: () => NOW });
    const response = await handler(await signedRequest(JSON.stringify(body)));
    return (await response.json()) as Record<string, unknown>;
  }

  it("keeps kind agent from a join, reads it back on presences and users, and people have no kind", async () => {
    const first = batch(1, [join("c1", ann, 1), join("agent:bot-1", bot, 2)], {
      snapshot: [conn("c1", ann, 1), conn("agent:bot-1", bot, 2)],
    });
    expect(await handle(first)).toEqual(answer("applied"));
    const presences = await store().getPresences("lobby");
    const agent = presences.find((p) => p.connectionId === "agent:bot-1");
    expect(agent?.user).toEqual(bot);
    expect(presences.find((p) => p.connectionId === "c1")?.user).toEqual(ann);
    const users = await store().getUsers("lobby");
    expect(users.map((user) => [user.id, user.kind])).toEqual([
      ["u1", undefined],
      ["bot-1", "agent"],
    ]);
    expect("kind" in (users[0] ?? {})).toBe(false);
    expect((await store().getRoom("lobby"))?.users).toBe(2);
    // the agent's leave (its TTL ended) removes its row like anyone's
    await handle(batch(2, [leave("agent:bot-1", 5, "stale")]));
    expect((await store().getPresences("lobby")).map((p) => p.connectionId)).toEqual(["c1"]);
  });

  it("takes kind from a snapshot alone", async () => {
    await handle(batch(1, [], { snapshot: [conn("agent:bot-1", bot, 3)] }));
    const [only] = await store().getPresences("lobby");
    expect(only?.user?.kind).toBe("agent");
  });
});
