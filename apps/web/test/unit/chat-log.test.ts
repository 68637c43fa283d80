import { describe, expect, it } from "vitest";
import {
  type ChatEvent,
  type ChatLog,
  chatLog,
  continuesRun,
  EMPTY_CHAT_LOG,
  nextTimeout,
  RUN_WINDOW_MS,
  SEND_TIMEOUT_MS,
} from "@/components/room/chat-log";
import type { ChatMessage } from "@/lib/chat-messages";

const ANN = { id: "u-ann", name: "Ann" };
const BO = { id: "u-bo", name: "Bo" };
const T0 = 1_800_000_000_000;

const message = (id: string, user: typeof ANN, at: number, clientId?: string): ChatMessage => ({
  id,
  user,
  text: `text of ${id}`,
  at,
  ...(clientId === undefined ? {} : { clientId }),
});
const run = (events: ChatEvent[], from: ChatLog = EMPTY_CHAT_LOG) => events.reduce(chatLog, from);

describe("chatLog", () => {
  it("is loading until the history comes, then knows an empty room from one still loading", () => {
    expect(EMPTY_CHAT_LOG.loaded).toBe(false);
    const log = run([{ type: "history", messages: [], selfId: null }]);
    expect(log).toMatchObject({ loaded: true, messages: [] });
  });

  it("replaces its messages with every history, so a reconnect shows nothing twice", () => {
    const first = [message("1", ANN, T0), message("2", BO, T0 + 1)];
    const log = run([
      { type: "history", messages: first, selfId: null },
      { type: "message", message: message("3", ANN, T0 + 2), selfId: null },
      { type: "message", message: message("3", ANN, T0 + 2), selfId: null },
      { type: "history", messages: [...first, message("3", ANN, T0 + 2)], selfId: null },
    ]);
    expect(log.messages.map((each) => each.id)).toEqual(["1", "2", "3"]);
  });

  it("puts a page of older messages in front of the first one shown, and drops one for a list replaced since", () => {
    const last = [message("51", ANN, T0 + 51), message("52", BO, T0 + 52)];
    const shown = run([
      { type: "history", messages: last, more: true, selfId: null },
      { type: "older", before: "51" },
    ]);
    expect(shown).toMatchObject({ more: true, olderRequested: "51" });
    const older = [message("49", BO, T0 + 49), message("50", ANN, T0 + 50)];
    const paged = chatLog(shown, { type: "page", before: "51", messages: older, more: false });
    expect(paged.messages.map((each) => each.id)).toEqual(["49", "50", "51", "52"]);
    expect(paged).toMatchObject({ more: false, olderRequested: null });

    // a reconnect's history came in between: the page no longer continues what is shown
    const replaced = run(
      [
        { type: "older", before: "51" },
        { type: "history", messages: [message("53", ANN, T0 + 53)], more: true, selfId: null },
        { type: "page", before: "51", messages: older, more: false },
      ],
      shown,
    );
    expect(replaced.messages.map((each) => each.id)).toEqual(["53"]);
    expect(replaced).toMatchObject({ more: true, olderRequested: null });
  });

  it("turns a pending message into the room's when the echo with its clientId arrives", () => {
    const sent = run([
      { type: "history", messages: [], selfId: ANN.id },
      { type: "send", clientId: "c-1", text: "hi", at: T0, open: true },
    ]);
    expect(sent.pending).toEqual([{ clientId: "c-1", text: "hi", at: T0, waitingSince: T0, failure: null }]);
    // someone else's message with the same clientId is not our echo
    const spoofed = chatLog(sent, { type: "message", message: message("9", BO, T0 + 1, "c-1"), selfId: ANN.id });
    expect(spoofed.pending).toHaveLength(1);
    const echoed = chatLog(spoofed, { type: "message", message: message("10", ANN, T0 + 2, "c-1"), selfId: ANN.id });
    expect(echoed.pending).toEqual([]);
    expect(echoed.messages.map((each) => each.id)).toEqual(["9", "10"]);
  });

  it("finds a message sent before a drop in the next history, and keeps the others pending", () => {
    const log = run([
      { type: "history", messages: [], selfId: ANN.id },
      { type: "send", clientId: "c-1", text: "got through", at: T0, open: true },
      { type: "connection", open: false, at: T0 + 1 },
      { type: "send", clientId: "c-2", text: "typed while reconnecting", at: T0 + 2, open: false },
      { type: "history", messages: [message("1", ANN, T0, "c-1")], selfId: ANN.id },
    ]);
    expect(log.pending.map((pending) => pending.clientId)).toEqual(["c-2"]);
    expect(log.pending[0]?.waitingSince).toBeNull();
  });

  it("times a message out only while a socket is open, and lets it be retried or discarded", () => {
    let log = run([
      { type: "send", clientId: "c-1", text: "buffered", at: T0, open: false },
      // however long the reconnect takes, nothing fails while no socket has the message
      { type: "expire", now: T0 + 10 * SEND_TIMEOUT_MS },
    ]);
    expect(log.pending[0]?.failure).toBeNull();
    expect(nextTimeout(log)).toBeNull();

    const opened = T0 + 10 * SEND_TIMEOUT_MS;
    log = chatLog(log, { type: "connection", open: true, at: opened });
    expect(nextTimeout(log)).toBe(opened + SEND_TIMEOUT_MS);
    log = chatLog(log, { type: "expire", now: opened + SEND_TIMEOUT_MS - 1 });
    expect(log.pending[0]?.failure).toBeNull();
    log = chatLog(log, { type: "expire", now: opened + SEND_TIMEOUT_MS });
    expect(log.pending[0]?.failure).toMatch(/did not confirm/);
    expect(nextTimeout(log)).toBeNull();

    log = chatLog(log, { type: "retry", clientId: "c-1", at: opened + 20_000, open: true });
    expect(log.pending[0]).toMatchObject({ failure: null, waitingSince: opened + 20_000 });
    log = chatLog(log, { type: "discard", clientId: "c-1" });
    expect(log.pending).toEqual([]);
  });

  it("fails what waits when the connection stays closed, and marks a refused send by its clientId", () => {
    let log = run([
      { type: "send", clientId: "c-1", text: "one", at: T0, open: false },
      { type: "send", clientId: "c-2", text: "two", at: T0, open: true },
      { type: "error", message: "at most 5 messages a second", clientId: "c-2" },
    ]);
    expect(log.pending.map((pending) => pending.failure)).toEqual([null, "at most 5 messages a second"]);
    expect(log.error).toBeNull();
    log = chatLog(log, { type: "connection", open: false, halted: true, at: T0 + 1 });
    expect(log.pending[0]?.failure).toMatch(/not connected/);
    // an error for no pending message of ours is the chat's own
    expect(chatLog(log, { type: "error", message: "sign in to send" }).error).toBe("sign in to send");
  });

  it("announces only live messages from others, never the history nor one's own, and only the last few", () => {
    let log = run([{ type: "history", messages: [message("1", BO, T0), message("2", BO, T0 + 1)], selfId: ANN.id }]);
    expect(log.announced).toEqual([]);
    log = chatLog(log, { type: "message", message: message("3", ANN, T0 + 2), selfId: ANN.id });
    expect(log.announced).toEqual([]);
    for (const id of ["4", "5", "6", "7"]) {
      log = chatLog(log, { type: "message", message: message(id, BO, T0 + 3), selfId: ANN.id });
    }
    expect(log.announced.map((each) => each.id)).toEqual(["5", "6", "7"]);
    // a reconnect's history announces nothing new
    const again = chatLog(log, { type: "history", messages: log.messages, selfId: ANN.id });
    expect(again.announced).toBe(log.announced);
  });
});

describe("continuesRun", () => {
  it("groups one person's messages within the window, and starts a new run otherwise", () => {
    const first = { userId: ANN.id, at: T0 };
    expect(continuesRun(undefined, first)).toBe(false);
    expect(continuesRun(first, { userId: ANN.id, at: T0 + RUN_WINDOW_MS - 1 })).toBe(true);
    expect(continuesRun(first, { userId: ANN.id, at: T0 + RUN_WINDOW_MS })).toBe(false);
    expect(continuesRun(first, { userId: BO.id, at: T0 + 1 })).toBe(false);
    // a message dated before the one above it (another clock) starts its own run
    expect(continuesRun(first, { userId: ANN.id, at: T0 - 1 })).toBe(false);
  });
});
