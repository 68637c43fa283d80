import type { DiffMessage } from "@herenow/core";
import type { ConnectionEvent, RestoredConnection } from "@herenow/core/engine";
import type { LeaveTimer } from "./leave-timer";
import type { RoomRecord } from "./object-role";
import { RoomOccupancy } from "./room-occupancy";
import type { RoomStorage } from "./room-storage";
import type { RoomSettings } from "./settings";
import { WebhookOutbox } from "./webhook-outbox";

/** What changed in a room over one coalescing window. */
export interface RoomChange {
  room: string;
  /** The diff clients received, or `null` when only connection-level events happened. */
  diff: DiffMessage | null;
  /** Every join and leave of a connection in the diff interval, in order (for logs and webhooks). */
  events: ConnectionEvent[];
}

/** What `RoomEvents` needs of the room's own object. */
export interface EventsHost {
  readonly settings: RoomSettings;
  readonly storage: DurableObjectStorage;
  readonly store: RoomStorage;
  readonly leaveTimer: LeaveTimer;
  /** The room's name. */
  readonly room: string;
  /** The room as its object keeps it. */
  record(): RoomRecord;
  /** Every connection of the room now, for the webhook's snapshot (a coordinator gathers them from its shards). */
  snapshot(): Promise<RestoredConnection[]>;
  /** The room changed, for `onPresenceChanged`. */
  changed(change: RoomChange): void;
  scheduleAlarm(): Promise<void>;
  log(message: string): void;
}

/**
 * What the room's own object (a room of one object, a sharded room's
 * coordinator) does each time the room changed: the events to the webhook's
 * outbox (with `occupied` and `vacated`), the change to `onPresenceChanged`,
 * and the recent list to storage. A shard does none of it.
 */
export class RoomEvents {
  readonly outbox: WebhookOutbox | null;
  /** Whether the room has a signed-in user, for the webhook's `occupied` and `vacated`. */
  private readonly occupancy: RoomOccupancy;

  constructor(private readonly host: EventsHost) {
    this.occupancy = new RoomOccupancy(() => host.record().userCount);
    const { webhookUrl, secret, webhookBatchMs, webhookPartBytes, maxAgeMs } = host.settings;
    this.outbox = webhookUrl
      ? new WebhookOutbox(host.storage, {
          url: webhookUrl,
          secret,
          batchMs: webhookBatchMs,
          partBytes: webhookPartBytes,
          keepAliveMs: Math.max(1000, Math.floor(maxAgeMs / 2)),
          room: () => host.room,
          snapshot: () => host.snapshot(),
          hasConnections: () => host.record().connectionCount > 0,
          log: (message) => host.log(message),
        })
      : null;
  }

  /** After the room loaded: a room that starts `empty` begins a new webhook generation. */
  async load(empty: boolean, now: number): Promise<void> {
    await this.outbox?.load(empty, now);
    this.occupancy.reset();
  }

  /** The room changed: events to the webhook, the change to `onPresenceChanged`. */
  published(diff: DiffMessage | null, events: ConnectionEvent[], at: number, recentChanged?: boolean): void {
    const { settings, store } = this.host;
    // the recent list changes exactly when users leave or come back, and must outlive hibernation
    const recentMoved = recentChanged ?? (diff !== null && (diff.left.length > 0 || diff.joined.length > 0));
    if (settings.recentMs > 0 && recentMoved) {
      store.saveRecent(this.host.record().recent());
    }
    // every window counts, even one without events: a restarted coordinator's shards come back as a snapshot
    const outgoing = this.outbox ? this.occupancy.mark(this.host.leaveTimer.measure(events, diff, at), at) : [];
    if (outgoing.length > 0) {
      this.outbox?.enqueue(outgoing, at);
      void this.host.scheduleAlarm();
    }
    if (diff || events.length > 0) this.host.changed({ room: this.host.room, diff, events });
  }
}
