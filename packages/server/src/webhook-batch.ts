import type { WebhookBatch, WebhookConnection, WebhookEvent, WebhookResult } from "@herenow/core";
import type { ConnectionEvent, OccupancyEvent, RestoredConnection } from "@herenow/core/engine";
import { PREFIXES } from "./storage-keys";

// What the webhook outbox keeps in the room's storage and how a room's events become the wire's.

export interface OutboxMeta {
  generation: string;
  /** Number of the next batch of each generation that still has batches to send. */
  nextSeq: Record<string, number>;
  nextChunk: number;
  /** The next batch of the current generation must carry a full snapshot. */
  needSnapshot: boolean;
  attempt: number;
  retryAt: number | null;
  lastSentAt: number;
  /** When the receiver last accepted a keep-alive (absent in rooms from before it was kept: `lastSentAt`). */
  lastKeepAliveAt?: number;
}

export interface Chunk {
  generation: string;
  events: WebhookEvent[];
}

/**
 * The batch being delivered. Sent whole, `batch` is the body. Sent in
 * parts, `batch` keeps only the header (no events, no snapshot) and each
 * part is a storage value of its own under `herenow:wh:p:<number>`, no larger than
 * a part's body: a Durable Object refuses values over 2 MB, and a
 * 50,000-connection snapshot is several times that.
 */
export interface SealedBatch {
  batch: WebhookBatch;
  chunks: string[];
  parts?: {
    seal: string;
    count: number;
    /** The next part to send. */
    next: number;
    snapshot: boolean;
    /** The time of the batch's keep-alive, if it has one. */
    keepalive: number | null;
  };
}

/** What the outbox reads of a reply: the protocol's `result` (older receivers: `status`), `need`, `received`. */
export interface Reply {
  result?: WebhookResult;
  status?: WebhookResult;
  need?: string;
  received?: number;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export function resultOf(reply: Reply): WebhookResult | undefined {
  return reply.result ?? reply.status;
}

/** The time of a batch's keep-alive, or null. */
export function keepaliveAt(events: readonly WebhookEvent[]): number | null {
  let at: number | null = null;
  for (const event of events) if (event.type === "keepalive") at = Math.max(at ?? event.at, event.at);
  return at;
}

export function partKey(number: number): string {
  return PREFIXES.outboxPart + String(number).padStart(6, "0");
}

export function toWebhookEvent(event: ConnectionEvent | OccupancyEvent): WebhookEvent {
  switch (event.type) {
    case "occupied":
    case "vacated":
      return { type: event.type, at: event.at };
    case "join":
      return { type: "join", connectionId: event.connectionId, user: event.user, at: event.at };
    case "leave":
      return {
        type: "leave",
        connectionId: event.connectionId,
        reason: event.reason,
        at: event.at,
        ...("leaveMs" in event && typeof event.leaveMs === "number" ? { leaveMs: event.leaveMs } : {}),
      };
    case "status":
      return { type: "status", connectionId: event.connectionId, status: event.status, at: event.at };
  }
}

export function toWebhookConnection(connection: RestoredConnection): WebhookConnection {
  return {
    connectionId: connection.id,
    user: connection.user,
    joinedAt: connection.joinedAt,
    lastSeen: connection.lastSeen,
    status: connection.status ?? "active",
    activeAt: connection.activeAt ?? connection.joinedAt,
  };
}
