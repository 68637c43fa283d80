import type { DiffMessage } from "@herenow/core";
import type { ConnectionEvent } from "@herenow/core/engine";

/** A connection event, with a leave's measured time to leave when the room measured one. */
export type TimedEvent = ConnectionEvent | (Extract<ConnectionEvent, { type: "leave" }> & { leaveMs: number });

/**
 * The room's own measurement of time to leave, sent with the webhook
 * (docs/protocol.md, decision 26): from the moment a connection's socket
 * closed to the diff that told the others it was gone. Only leaves that
 * followed a close this object saw are measured, and only when the others
 * were told: the user's last connection went (the diff lists them as
 * `left`), or it was an anonymous one (the count changed). A tab reloaded
 * within its grace is no leave at all, and a room evicted from memory
 * during a grace forgets the close and sends no measurement for it.
 */
export class LeaveTimer {
  private readonly closedAt = new Map<string, number>();

  /** A socket closed without `presence:leave`. */
  closed(connectionId: string, at: number): void {
    this.closedAt.set(connectionId, at);
  }

  /** The connection is live again under its id (it came back within its grace). */
  reopened(connectionId: string): void {
    this.closedAt.delete(connectionId);
  }

  /** A diff interval's events, each leave that ended a measured close carrying `leaveMs` up to `sentAt`. */
  measure(events: readonly ConnectionEvent[], diff: Pick<DiffMessage, "left"> | null, sentAt: number): TimedEvent[] {
    if (this.closedAt.size === 0) return [...events];
    const left = new Set(diff?.left ?? []);
    return events.map((event) => {
      if (event.type !== "leave") return event;
      const closedAt = this.closedAt.get(event.connectionId);
      if (closedAt === undefined) return event;
      this.closedAt.delete(event.connectionId);
      const told = event.userId === null || left.has(event.userId);
      return told ? { ...event, leaveMs: Math.max(0, sentAt - closedAt) } : event;
    });
  }
}
