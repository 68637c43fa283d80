import type { AppMessage } from "@herenow/core";
import type { PresenceConnection } from "@herenow/server";
import * as v from "valibot";
import {
  type ChatMessage,
  ChatOlderSchema,
  ChatSendSchema,
  ClientIdSchema,
  chatErrorFrame,
  HISTORY_LENGTH,
  HISTORY_PAGE,
} from "./chat-protocol";

/** Messages a connection may send per second before `chat:error` `rate_limited`; so many pages too. */
const MESSAGES_PER_SECOND = 5;

const messageId = (at: number, seq: number) => `${at.toString(36)}-${seq}`;
/** The row a message id names (ids are `<at in base 36>-<seq>`). */
const seqOf = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

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
 * `chat:history` with the last 50 of them for every new connection (a join
 * or a reconnect must not cost the whole log, least of all an anonymous one),
 * `chat:page` with the 50 before a message for a `chat:older`, and
 * `chat:message` for every accepted `chat:send`. A `chat:send` may carry a `clientId` (1 to 64
 * characters) that its `chat:message`, the history and a `chat:error` for it
 * repeat, so the sender can match its pending copy; clients that send none
 * get messages without one, as before.
 */
export class ChatLog {
  private readonly recent = new Map<string, number[]>();
  private readonly recentPages = new Map<string, number[]>();
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

  /**
   * Up to `limit` messages before the row `beforeSeq` (the newest without
   * it), oldest first, and whether older ones are kept.
   */
  history(limit = HISTORY_LENGTH, beforeSeq = Number.MAX_SAFE_INTEGER): { messages: ChatMessage[]; more: boolean } {
    const rows = this.table()
      .exec<Row>("SELECT * FROM chat_messages WHERE seq < ? ORDER BY seq DESC LIMIT ?", beforeSeq, limit + 1)
      .toArray();
    const more = rows.length > limit;
    return {
      messages: rows
        .slice(0, limit)
        .reverse()
        .map((row) => ({
          id: messageId(row.at, row.seq),
          user: { id: row.user_id, name: row.user_name },
          text: row.text,
          at: row.at,
          ...(row.client_id === null ? {} : { clientId: row.client_id }),
        })),
      more,
    };
  }

  sendHistory(socket: WebSocket): void {
    this.historyFrame ??= JSON.stringify({ type: "chat:history", ...this.history(HISTORY_PAGE) });
    socket.send(this.historyFrame);
  }

  /** Handles a `chat:*` message; false when the type is not the chat's. */
  handle(message: AppMessage, from: PresenceConnection): boolean {
    if (message.type === "chat:older") {
      this.sendPage(message, from);
      return true;
    }
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
    if (this.overRate(this.recent, connectionId)) {
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
    this.recentPages.delete(connectionId);
  }

  /** Answers a `chat:older` (anonymous connections may read, so may page) to its connection alone. */
  private sendPage(message: AppMessage, { socket, connectionId }: PresenceConnection): void {
    const parsed = v.safeParse(ChatOlderSchema, message);
    if (!parsed.success) {
      socket.send(chatErrorFrame("invalid_message", parsed.issues[0]?.message ?? "chat:older needs { before }"));
      return;
    }
    if (this.overRate(this.recentPages, connectionId)) {
      socket.send(chatErrorFrame("rate_limited", `at most ${MESSAGES_PER_SECOND} pages a second`));
      return;
    }
    const { before } = parsed.output;
    socket.send(JSON.stringify({ type: "chat:page", before, ...this.history(HISTORY_PAGE, seqOf(before)) }));
  }

  private overRate(recent: Map<string, number[]>, connectionId: string): boolean {
    const now = Date.now();
    const times = (recent.get(connectionId) ?? []).filter((t) => now - t < 1000);
    times.push(now);
    recent.set(connectionId, times);
    return times.length > MESSAGES_PER_SECOND;
  }
}
