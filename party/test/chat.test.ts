import { partySuite } from "@herenow/testing/suite";
import { describe, expect, it } from "vitest";

const party = partySuite();
const connect = (room: string, user?: { id: string; name: string }) => party.connect(room, { user });

const ann = { id: "u-ann", name: "Ann" };
const bo = { id: "u-bo", name: "Bo" };

describe("demo chat", () => {
  it("broadcasts chat:send from a signed-in user as chat:message with the sender from the token", async () => {
    const a = await connect("chat-1", ann);
    const b = await connect("chat-1", bo);
    const from = b.messages.length;
    a.send({ type: "chat:send", text: "  hello <b>there</b>  ", user: { id: "u-bo", name: "forged" } });
    const message = await b.next("chat:message", from);
    expect(message).toMatchObject({ user: { id: "u-ann", name: "Ann" }, text: "hello <b>there</b>" });
    expect(typeof message.id).toBe("string");
    expect(Math.abs(message.at - Date.now())).toBeLessThan(5000);
    await a.next("chat:message", 0);
  });

  it("sends recent history to a new connection, anonymous ones included", async () => {
    const a = await connect("chat-2", ann);
    for (const text of ["one", "two", "three"]) a.send({ type: "chat:send", text });
    await a.waitFor(() => a.messages.filter((m) => m.type === "chat:message").length === 3);
    const guest = await connect("chat-2");
    const history = await guest.next("chat:history", 0);
    expect(history.messages.map((m: { text: string }) => m.text)).toEqual(["one", "two", "three"]);
  });

  it("keeps the last 200 messages, sends a new connection the last 50 and pages back through the rest", async () => {
    const watcher = await connect("chat-3", ann);
    // 41 senders of 5 messages each stay under the per-connection limit of 5 a second
    const senders = await Promise.all(
      Array.from({ length: 41 }, (_, i) => connect("chat-3", { id: `s${i}`, name: `S${i}` })),
    );
    senders.forEach((sender, i) => {
      for (let j = 0; j < 5; j++) sender.send({ type: "chat:send", text: `m${i}-${j}` });
    });
    const received = () => watcher.messages.filter((m) => m.type === "chat:message");
    await watcher.waitFor(() => received().length === 205, 10_000, "205 messages");
    const kept = received()
      .slice(5)
      .map((m) => m.text);
    expect(senders.some((s) => s.messages.some((m) => m.type === "chat:error"))).toBe(false);

    // an anonymous connection gets the last 50, not the whole log, and is told that more are kept
    const guest = await connect("chat-3");
    const history = await guest.next("chat:history", 0);
    expect(history.messages.map((m: { text: string }) => m.text)).toEqual(kept.slice(-50));
    expect(history.more).toBe(true);

    // and pages back, 50 at a time, to the oldest message kept
    let oldest = history.messages[0].id;
    const pages: string[][] = [];
    for (;;) {
      const from = guest.messages.length;
      guest.send({ type: "chat:older", before: oldest });
      const page = await guest.next("chat:page", from);
      expect(page.before).toBe(oldest);
      pages.unshift(page.messages.map((m: { text: string }) => m.text));
      if (!page.more) break;
      oldest = page.messages[0].id;
    }
    expect(pages.map((page) => page.length)).toEqual([50, 50, 50]);
    expect([...pages.flat(), ...history.messages.map((m: { text: string }) => m.text)]).toEqual(kept);
    // a page goes to the connection that asked alone
    expect(watcher.messages.some((m) => m.type === "chat:page")).toBe(false);
  });

  it("refuses a chat:older without a message id, and a flood of them", async () => {
    const guest = await connect("chat-10");
    const from = guest.messages.length;
    guest.send({ type: "chat:older", before: "DROP TABLE" });
    expect(await guest.next("chat:error", from)).toMatchObject({ code: "invalid_message" });
    const later = guest.messages.length;
    for (let i = 0; i < 8; i++) guest.send({ type: "chat:older", before: "abc-1" });
    expect(await guest.next("chat:error", later)).toMatchObject({ code: "rate_limited" });
    expect((await guest.next("chat:page", later)).messages).toEqual([]);
  });

  it("lets anonymous connections read but not send", async () => {
    const guest = await connect("chat-4");
    const from = guest.messages.length;
    guest.send({ type: "chat:send", text: "hi" });
    const error = await guest.next("chat:error", from);
    expect(error.code).toBe("forbidden");
  });

  it.each([
    ["empty text", { type: "chat:send", text: "   " }],
    ["text over 2,000 characters", { type: "chat:send", text: "x".repeat(2001) }],
    ["text that is not a string", { type: "chat:send", text: 5 }],
  ])("refuses %s with chat:error", async (_what, message) => {
    const a = await connect("chat-5", ann);
    const from = a.messages.length;
    a.send(message);
    expect((await a.next("chat:error", from)).code).toBe("invalid_message");
    expect(a.messages.slice(from).some((m) => m.type === "chat:message")).toBe(false);
  });

  it("rate-limits a chat flood", async () => {
    const a = await connect("chat-6", ann);
    const from = a.messages.length;
    for (let i = 0; i < 8; i++) a.send({ type: "chat:send", text: `spam ${i}` });
    const error = await a.next("chat:error", from);
    expect(error.code).toBe("rate_limited");
  });

  it("repeats the sender's clientId in the message, in the history, and in an error for that send", async () => {
    const a = await connect("chat-7", ann);
    const b = await connect("chat-7", bo);
    const from = b.messages.length;
    a.send({ type: "chat:send", text: "with an id", clientId: "c-123e4567" });
    const echoed = await a.next("chat:message", 0);
    expect(echoed).toMatchObject({ text: "with an id", clientId: "c-123e4567", user: { id: "u-ann" } });
    expect((await b.next("chat:message", from)).clientId).toBe("c-123e4567");

    // after a reconnect the history tells the sender which of its messages got through
    const again = await connect("chat-7", ann);
    const history = await again.next("chat:history", 0);
    expect(history.messages.at(-1)).toMatchObject({ text: "with an id", clientId: "c-123e4567" });

    const before = a.messages.length;
    a.send({ type: "chat:send", text: "   ", clientId: "c-empty" });
    expect(await a.next("chat:error", before)).toMatchObject({ code: "invalid_message", clientId: "c-empty" });
  });

  it("keeps messages without a clientId as they were, for clients that send none", async () => {
    const a = await connect("chat-8", ann);
    a.send({ type: "chat:send", text: "old client" });
    const message = await a.next("chat:message", 0);
    expect(message).not.toHaveProperty("clientId");
    const guest = await connect("chat-8");
    expect((await guest.next("chat:history", 0)).messages[0]).not.toHaveProperty("clientId");
  });

  it.each([
    ["a clientId over 64 characters", "x".repeat(65)],
    ["an empty clientId", ""],
    ["a clientId that is not a string", 42],
  ])("refuses %s with chat:error", async (_what, clientId) => {
    const a = await connect("chat-9", ann);
    const from = a.messages.length;
    a.send({ type: "chat:send", text: "hello", clientId });
    const error = await a.next("chat:error", from);
    expect(error.code).toBe("invalid_message");
    expect(error.message).toContain("clientId");
    expect(error).not.toHaveProperty("clientId");
    expect(a.messages.slice(from).some((m) => m.type === "chat:message")).toBe(false);
  });
});
