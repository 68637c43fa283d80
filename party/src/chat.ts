import type { AppMessage } from "@herenow/core";
import type { PresenceConnection } from "@herenow/server";
import * as v from "valibot";
import { type ChatMessage, ChatSendSchema, ClientIdSchema, chatErrorFrame, HISTORY_LENGTH } from "./chat-protocol";

/** Messages a connection may send per second before `chat:error` `rate_limited`. */
const MESSAGES_PER_SECOND = 5;

const messageId = (at: number, seq: number) => `${at.toString(36)}-${seq}`;

/** The `clientId` of a `chat:send`, even one refused for its text, so the error can name it. */
function clientIdOf(message: AppMessage): string | undefined {
  const parsed = v.safeParse(ClientIdSchema, (message as { clientId?: unknown }).clientId);
  return parsed.success ? parsed.output : undefined;
}

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  user_id: string;
  user_name: string;
  text: string;
  at: number;
  client_id: string | null;
}

/**
 * The demo chat of a room: the last 200 messages in the room's SQLite
 * database (one row each, read in order with one query, trimmed with one),
 * `chat:history` for every new connection, `chat:message` for every
 * accepted `chat:send`. A `chat:send` may carry a `clientId` (1 to 64
 * characters) that its `chat:message`, the history and a `chat:error` for it
 * repeat, so the sender can match its pending copy; clients that send none
 * get messages without one, as before.
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
        user_id TEXT NOT NULL, user_name TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL,
        client_id TEXT)`);
      // a room created before `clientId` existed keeps its messages and gains the column
      const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(chat_messages)").toArray();
      if (!columns.some((column) => column.name === "client_id")) {
        this.sql.exec("ALTER TABLE chat_messages ADD COLUMN client_id TEXT");
      }
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
      ...(row.client_id === null ? {} : { clientId: row.client_id }),
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
    const clientId = clientIdOf(message);
    if (!user) {
      socket.send(
        chatErrorFrame("forbidden", "sign in to send messages: anonymous connections may only read", clientId),
      );
      return true;
    }
    const parsed = v.safeParse(ChatSendSchema, message);
    if (!parsed.success) {
      socket.send(chatErrorFrame("invalid_message", parsed.issues[0]?.message ?? "chat:send needs { text }", clientId));
      return true;
    }
    if (this.overRate(connectionId)) {
      socket.send(chatErrorFrame("rate_limited", `at most ${MESSAGES_PER_SECOND} messages a second`, clientId));
      return true;
    }
    const sql = this.table();
    const at = Date.now();
    const { seq } = sql
      .exec<{ seq: number }>(
        "INSERT INTO chat_messages (user_id, user_name, text, at, client_id) VALUES (?, ?, ?, ?, ?) RETURNING seq",
        user.id,
        user.name,
        parsed.output.text,
        at,
        parsed.output.clientId ?? null,
      )
      .one();
    const entry: ChatMessage = {
      id: messageId(at, seq),
      user: { id: user.id, name: user.name },
      text: parsed.output.text,
      at,
      ...(parsed.output.clientId === undefined ? {} : { clientId: parsed.output.clientId }),
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
