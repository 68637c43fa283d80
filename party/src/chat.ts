import type { AppMessage, UserIdentity } from "@herenow/core";
import type * as Party from "partykit/server";
import * as v from "valibot";

/** One chat message as clients receive it. */
export interface ChatMessage {
  id: string;
  user: { id: string; name: string };
  text: string;
  at: number;
}

/** How many messages a room keeps and sends as history. */
export const HISTORY_LENGTH = 200;
export const MAX_TEXT_LENGTH = 2000;
const KEY_PREFIX = "chat:";
/** Messages a connection may send per second before `chat:error` `rate_limited`. */
const MESSAGES_PER_SECOND = 5;

const SendSchema = v.object({
  type: v.literal("chat:send"),
  text: v.pipe(
    v.string("`text` must be a string"),
    v.trim(),
    v.minLength(1, "`text` is empty"),
    v.maxLength(MAX_TEXT_LENGTH, `\`text\` is longer than ${MAX_TEXT_LENGTH} characters`),
  ),
});

type ChatErrorCode = "forbidden" | "invalid_message" | "rate_limited";

function chatError(code: ChatErrorCode, message: string): string {
  return JSON.stringify({ type: "chat:error", code, message });
}

/**
 * The demo chat of a room: the last 200 messages in room storage (one key
 * each, since a storage value is capped at 128 KiB and 200 messages of 2,000
 * characters would not fit in one), `chat:history` for every new
 * connection, `chat:message` for every accepted `chat:send`.
 */
export class ChatLog {
  private messages: ChatMessage[] | null = null;
  private counter = 0;
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly room: Party.Room) {}

  private async load(): Promise<ChatMessage[]> {
    if (this.messages) return this.messages;
    const stored = await this.room.storage.list<ChatMessage>({ prefix: KEY_PREFIX });
    // keys sort by their zero-padded counter, so storage order is sending order
    this.messages = [...stored.values()].slice(-HISTORY_LENGTH);
    const lastKey = [...stored.keys()].at(-1);
    this.counter = lastKey ? Number(lastKey.slice(KEY_PREFIX.length)) : 0;
    return this.messages;
  }

  async sendHistory(socket: Party.Connection): Promise<void> {
    socket.send(JSON.stringify({ type: "chat:history", messages: await this.load() }));
  }

  /** Handles a `chat:*` message; false when the type is not the chat's. */
  async handle(message: AppMessage, user: UserIdentity | null, socket: Party.Connection, connectionId: string) {
    if (message.type !== "chat:send") return false;
    if (!user) {
      socket.send(chatError("forbidden", "sign in to send messages: anonymous connections may only read"));
      return true;
    }
    const parsed = v.safeParse(SendSchema, message);
    if (!parsed.success) {
      socket.send(chatError("invalid_message", parsed.issues[0]?.message ?? "chat:send needs { text }"));
      return true;
    }
    if (this.overRate(connectionId)) {
      socket.send(chatError("rate_limited", `at most ${MESSAGES_PER_SECOND} messages a second`));
      return true;
    }
    const messages = await this.load();
    this.counter++;
    const entry: ChatMessage = {
      id: `${Date.now().toString(36)}-${this.counter}`,
      user: { id: user.id, name: user.name },
      text: parsed.output.text,
      at: Date.now(),
    };
    messages.push(entry);
    const removed = messages.length > HISTORY_LENGTH ? messages.splice(0, messages.length - HISTORY_LENGTH) : [];
    await this.room.storage.put(KEY_PREFIX + String(this.counter).padStart(12, "0"), entry);
    if (removed.length > 0) {
      await this.room.storage.delete(
        removed.map((_, i) => KEY_PREFIX + String(this.counter - HISTORY_LENGTH - i).padStart(12, "0")),
      );
    }
    const text = JSON.stringify({ type: "chat:message", ...entry });
    for (const connection of this.room.getConnections()) connection.send(text);
    return true;
  }

  forget(connectionId: string): void {
    this.recent.delete(connectionId);
  }

  private overRate(connectionId: string): boolean {
    const now = Date.now();
    const times = (this.recent.get(connectionId) ?? []).filter((t) => now - t < 1000);
    times.push(now);
    this.recent.set(connectionId, times);
    return times.length > MESSAGES_PER_SECOND;
  }
}
