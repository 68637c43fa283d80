import {
  type AppMessage,
  CLOSE_CODES,
  DEFAULTS,
  type ErrorCode,
  FRAMES,
  type JsonObject,
  LIMITS,
  type ListMessage,
  parseClientMessage,
  type UserStatus,
} from "@herenow/core";
import { ErrorBudget, type RoomPresence, type RoomReader, systemClock, type UserPage } from "@herenow/core/engine";
import type { Connection, WSMessage } from "partyserver";
import { type ConnectionData, dataOf } from "./connection-data";
import { type LimitedRequest, REQUESTS_PER_SECOND, RequestRates } from "./request-rates";
import { type RoomSockets, sendQuietly } from "./room-sockets";

/** Attachments are rewritten at most this often for heartbeats: last-seen needs no finer grain. */
const LAST_SEEN_GRAIN_MS = 1000;

/** What `ClientFrames` needs of the object its frames reach. */
export interface FramesHost {
  /** This object's own connections. */
  readonly presence: RoomPresence;
  readonly sockets: RoomSockets;
  /** The whole room as this object's connections see it. */
  view(): RoomReader;
  /** Resolves once this object can read the whole room (a shard that woke takes its view first). */
  haveRoom(): Promise<void>;
  /**
   * One page of the whole room in join order (`null`: `after` is no cursor): a shard's is
   * gathered by its coordinator from every shard, and rejects when one of them did not answer.
   */
  page(after: string | null, limit: number): Promise<UserPage | null>;
  changed(): void;
  flushNow(): void;
}

/**
 * The frames clients send: presence's own (`presence:*`) answered here, an
 * application's handed back parsed. Every error is answered with
 * `presence:error`, and a connection that keeps erring is closed.
 */
export class ClientFrames {
  private readonly budgets = new Map<string, ErrorBudget>();
  private readonly rates = new RequestRates();

  constructor(private readonly host: FramesHost) {}

  /** Handles a frame; returns an application message for the app, or `null`. */
  handle(connection: Connection, message: WSMessage): AppMessage | null {
    const data = dataOf(connection);
    // from the moment the room decided to close a connection nothing it sends counts
    if (!data || data.left || connection.readyState !== WebSocket.OPEN) return null;
    this.touch(connection, data);
    const parsed = parseClientMessage(message);
    if (!parsed.ok) {
      this.refuse(connection, data.id, parsed.code, parsed.message);
      return null;
    }
    if (parsed.kind === "app") return parsed.message;
    const { presence, sockets } = this.host;
    switch (parsed.message.type) {
      case "presence:heartbeat":
        sendQuietly(connection, FRAMES.pong);
        break;
      case "presence:resync":
        if (this.withinRate(connection, data.id, "presence:resync")) sockets.awaitSync(data.id);
        break;
      case "presence:leave":
        presence.leave(data.id);
        sockets.closeSocket(connection, data, CLOSE_CODES.normal, "left");
        this.host.flushNow();
        break;
      case "presence:state":
        this.applyState(connection, data, parsed.message.state);
        break;
      case "presence:status":
        this.applyStatus(connection, data, parsed.message.status);
        break;
      case "presence:follow":
        if (this.withinRate(connection, data.id, "presence:follow")) this.follow(connection, data, parsed.message.ids);
        break;
      case "presence:list":
        void this.list(connection, data, parsed.message);
        break;
    }
    return null;
  }

  /** Answers a client with `presence:error`; sustained abuse closes it with 4008 and removes it. */
  refuse(connection: Connection, connectionId: string, code: ErrorCode, message: string): void {
    sendQuietly(connection, JSON.stringify({ type: "presence:error", code, message }));
    // the protocol page: rate_limited answers "do not count as abuse" (a client typing fast, a
    // tab flipping between hidden and shown); what they hold back is still applied
    if (code !== "rate_limited") this.charge(connection, connectionId);
  }

  /** A connection closed: its budgets go. */
  forget(connectionId: string): void {
    this.budgets.delete(connectionId);
    this.rates.forget(connectionId);
  }

  /** Replaces the users a connection follows; a windowed connection gets its new window at once. */
  private follow(connection: Connection, data: ConnectionData, ids: string[]): void {
    const { sockets } = this.host;
    sockets.follows.set(data.id, [...new Set(ids)]);
    sockets.windows.remember(connection, data);
    if (sockets.windows.windowed && data.window !== undefined) sockets.awaitSync(data.id);
  }

  /** Answers `presence:list` with one page of everyone here, at most ten pages a second per connection. */
  private async list(connection: Connection, data: ConnectionData, request: ListMessage): Promise<void> {
    if (this.rates.take(data.id, "presence:list", systemClock.now()) !== "ok") {
      // not abuse: a page is small, and the client waits and asks again
      sendQuietly(connection, rateLimited("presence:list"));
      return;
    }
    const after = request.after ?? null;
    // a shard that woke from hibernation takes its view of the room before it counts it
    await this.host.haveRoom();
    let page: UserPage | null;
    try {
      page = await this.host.page(after, request.limit ?? DEFAULTS.pageSize);
    } catch {
      // never a page short of a shard's people: the client asks again, as after a rate limit
      const message = "presence:list: a shard of this room did not answer; ask again in a moment";
      sendQuietly(connection, JSON.stringify({ type: "presence:error", code: "rate_limited", message }));
      return;
    }
    if (!page) {
      this.refuse(connection, data.id, "invalid_message", "presence:list: `after` is not a cursor from presence:page");
      return;
    }
    const message = { type: "presence:page", after, ...page, count: this.host.view().userCount };
    sendQuietly(connection, JSON.stringify(message));
  }

  /**
   * Whether a resync or a follow is within its connection's rate: the first
   * one over it in a second is answered with `rate_limited`, and every later
   * one in that second is dropped unanswered and counts as abuse, since each
   * would cost the room a copy of its list.
   */
  private withinRate(connection: Connection, connectionId: string, request: LimitedRequest): boolean {
    const verdict = this.rates.take(connectionId, request, systemClock.now());
    if (verdict === "limited") sendQuietly(connection, rateLimited(request));
    else if (verdict === "flood") this.charge(connection, connectionId);
    return verdict === "ok";
  }

  /** Counts one error against a connection; past the budget it is closed with 4008 and removed. */
  private charge(connection: Connection, connectionId: string): void {
    let budget = this.budgets.get(connectionId);
    if (!budget) {
      budget = new ErrorBudget(systemClock);
      this.budgets.set(connectionId, budget);
    }
    if (!budget.spend()) return;
    const data = dataOf(connection);
    if (!data || data.left) return;
    this.host.presence.remove(data.id, "closed");
    this.host.sockets.closeSocket(
      connection,
      data,
      CLOSE_CODES.policy,
      `more than ${LIMITS.errorsPerMinute} errors a minute`,
    );
    this.host.changed();
  }

  private touch(connection: Connection, data: ConnectionData): void {
    this.host.presence.touch(data.id);
    const now = systemClock.now();
    if (now - data.lastSeen >= LAST_SEEN_GRAIN_MS) this.host.sockets.saveData(connection, { ...data, lastSeen: now });
  }

  private applyState(connection: Connection, data: ConnectionData, state: JsonObject): void {
    const result = this.host.presence.setState(data.id, state);
    if (result === "anonymous") {
      this.refuse(connection, data.id, "invalid_message", "anonymous connections have no presence state");
    } else if (result === "rate_limited") {
      this.refuse(
        connection,
        data.id,
        "rate_limited",
        `at most ${LIMITS.stateChangesPerSecond} state changes a second; the newest is applied when the second ends`,
      );
    } else if (result === "applied") {
      this.host.changed();
    }
  }

  /**
   * A connection's status (protocol 1.2). The socket's attachment keeps the status asked for at
   * once, even one held back by the rate limit (it is applied within the second), so a room
   * woken from hibernation gives the hidden connection its longer max age.
   */
  private applyStatus(connection: Connection, data: ConnectionData, status: UserStatus): void {
    const { presence } = this.host;
    const result = presence.setStatus(data.id, status);
    if (result === "unknown") return;
    const activeAt = presence.connectionStatus(data.id)?.activeAt ?? data.activeAt;
    const current = dataOf(connection) ?? data;
    this.host.sockets.saveData(connection, { ...current, status, activeAt });
    if (result === "rate_limited") {
      this.refuse(
        connection,
        data.id,
        "rate_limited",
        `at most ${LIMITS.statusChangesPerSecond} status changes a second; the newest is applied when the second ends`,
      );
    } else this.host.changed();
  }
}

/** The answer to a limited request over its rate. */
function rateLimited(request: LimitedRequest): string {
  const message = `at most ${REQUESTS_PER_SECOND[request]} ${request} a second`;
  return JSON.stringify({ type: "presence:error", code: "rate_limited", message });
}
