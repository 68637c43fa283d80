import type { AppMessage } from "@herenow/core";
import type { PresenceConnection } from "@herenow/server";
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

const messageId = (at: number, seq: number) => `${at.toString(36)}-${seq}`;

type ChatErrorCode = "forbidden" | "invalid_message" | "rate_limited";

function chatError(code: ChatErrorCode, message: string): string {
  return JSON.stringify({ type: "chat:error", code, message });
}

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  user_id: string;
  user_name: string;
  text: string;
  at: number;
}

/**
 * The demo chat of a room: the last 200 messages in the room's SQLite
 * database (one row each, read in order with one query, trimmed with one),
 * `chat:history` for every new connection, `chat:message` for every
 * accepted `chat:send`.
 */
export class ChatLog {
  private readonly recent = new Map<string, number[]>();
  private ready = false;
  /**
   * The `chat:history` frame as last read, until a message changes it. A join storm then
   * costs one query, not one per socket (it was a tenth of a storm's worker time); a room
   * that wakes from hibernation starts without it and reads the table again.
   */
  private historyFrame: string | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly broadcast: (text: string) => void,
  ) {}

  private table(): SqlStorage {
    if (!this.ready) {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS chat_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL, user_name TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL)`);
      this.ready = true;
    }
    return this.sql;
  }

  history(): ChatMessage[] {
    const rows = this.table()
      .exec<Row>("SELECT * FROM (SELECT * FROM chat_messages ORDER BY seq DESC LIMIT ?) ORDER BY seq", HISTORY_LENGTH)
      .toArray();
    return rows.map((row) => ({
      id: messageId(row.at, row.seq),
      user: { id: row.user_id, name: row.user_name },
      text: row.text,
      at: row.at,
    }));
  }

  sendHistory(socket: WebSocket): void {
    this.historyFrame ??= JSON.stringify({ type: "chat:history", messages: this.history() });
    socket.send(this.historyFrame);
  }

  /** Handles a `chat:*` message; false when the type is not the chat's. */
  handle(message: AppMessage, from: PresenceConnection): boolean {
    if (message.type !== "chat:send") return false;
    const { user, socket, connectionId } = from;
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
    const sql = this.table();
    const at = Date.now();
    const { seq } = sql
      .exec<{ seq: number }>(
        "INSERT INTO chat_messages (user_id, user_name, text, at) VALUES (?, ?, ?, ?) RETURNING seq",
        user.id,
        user.name,
        parsed.output.text,
        at,
      )
      .one();
    const entry: ChatMessage = {
      id: messageId(at, seq),
      user: { id: user.id, name: user.name },
      text: parsed.output.text,
      at,
    };
    sql.exec("DELETE FROM chat_messages WHERE seq <= ?", seq - HISTORY_LENGTH);
    this.historyFrame = null;
    this.broadcast(JSON.stringify({ type: "chat:message", ...entry }));
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
