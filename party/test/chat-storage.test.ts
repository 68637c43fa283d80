import { join } from "node:path";
import { PartyServer } from "@herenow/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The demo chat's storage in a room's own SQLite database, through a fixture worker that
// gives ChatLog the storage a room would have: above all a room created before `clientId`
// existed, whose table has no such column, must keep its messages and take new ones.
let server: PartyServer;
beforeAll(async () => {
  server = await PartyServer.start({}, join(import.meta.dirname, "fixtures", "chat-storage"));
});
afterAll(async () => {
  await server?.dispose();
});

interface Answer {
  history: { id: string; user: { id: string; name: string }; text: string; at: number; clientId?: string }[];
  columns: string[];
  broadcast: { type: string; text?: string; clientId?: string }[];
  replies: { type: string; code?: string }[];
}

async function call(room: string, action: "" | "old" | "send", query: Record<string, string> = {}) {
  const params = new URLSearchParams(query).toString();
  const response = await fetch(`http://${server.host}/${room}/${action}${params ? `?${params}` : ""}`, {
    method: action === "" ? "GET" : "POST",
  });
  expect(response.status).toBe(200);
  return response;
}
const read = async (room: string, action: "" | "send", query: Record<string, string> = {}) =>
  (await (await call(room, action, query)).json()) as Answer;

describe("the chat's table in a room's storage", () => {
  it("keeps an old room's messages and gains the clientId column the first time the room reads it", async () => {
    await call("old-room", "old");

    const first = await read("old-room", "");
    expect(first.columns).toEqual(["seq", "user_id", "user_name", "text", "at", "client_id"]);
    expect(first.history).toEqual([
      {
        id: expect.any(String),
        user: { id: "u-ann", name: "Ann" },
        text: "from before clientId",
        at: 1_764_300_000_000,
      },
    ]);

    // a message with a clientId after the change, and one without, follow the old one in order
    const sent = await read("old-room", "send", { text: "after", clientId: "m-1" });
    expect(sent.replies).toEqual([]);
    expect(sent.broadcast).toEqual([expect.objectContaining({ type: "chat:message", text: "after", clientId: "m-1" })]);
    await read("old-room", "send", { text: "no id" });

    // a new ChatLog over the same storage (a room woken from hibernation) reads it all back; the column is added once
    const again = await read("old-room", "");
    expect(again.columns).toEqual(first.columns);
    expect(again.history.map(({ text, clientId }) => ({ text, clientId }))).toEqual([
      { text: "from before clientId", clientId: undefined },
      { text: "after", clientId: "m-1" },
      { text: "no id", clientId: undefined },
    ]);
    expect(new Set(again.history.map((message) => message.id)).size).toBe(3);
  });

  it("creates the table with the column in a new room", async () => {
    const fresh = await read("new-room", "");
    expect(fresh.columns).toEqual(["seq", "user_id", "user_name", "text", "at", "client_id"]);
    expect(fresh.history).toEqual([]);
    const sent = await read("new-room", "send", { text: "hello", clientId: "m-9" });
    expect(sent.history).toEqual([expect.objectContaining({ text: "hello", clientId: "m-9" })]);
  });
});
