import {
  type Clock,
  type DiffMessage,
  LIMITS,
  type RoomPresence,
  type SyncMessage,
  WindowedDiff,
  type WindowSpec,
  windowUsers,
} from "@herenow/core";
import type { ConnectionData } from "./connection-data";

/** What `RoomWindows` needs of its room: its sockets, their data, a clock and timers. */
export interface WindowedRoom {
  readonly presence: RoomPresence;
  /** Users above which connections that asked for a window get one (`HERENOW_WINDOW_THRESHOLD`). */
  readonly threshold: number;
  /** Every open socket, as the runtime lists them. */
  sockets(): Iterable<WebSocket>;
  /** The herenow data of a socket, read from its attachment (a cache miss only). */
  dataOf(socket: WebSocket): ConnectionData | null;
  /** Writes a frame unless the socket is closing. */
  send(socket: WebSocket, text: string): void;
  /** Keeps the room's mode across restarts and hibernation. */
  saveMode(windowed: boolean): void;
  readonly clock: Clock;
  setTimer(run: () => void, ms: number): unknown;
}

/**
 * The large-room half of a presence room (protocol 1.1). Up to `threshold`
 * users every connection gets the whole list and one shared diff frame.
 * Above it, a connection that asked for a window (`?window=<size>`) gets a
 * sync of its window (the first users, itself, those it follows) and only
 * the diffs that touch it; head counts reach it in `presence:count` at most
 * every `LIMITS.countIntervalMs`. Connections that did not ask (protocol 1
 * clients) keep the full list. The mode switches back below 90% of the
 * threshold, so a room at the edge does not flap; each switch resyncs the
 * connections that asked for windows.
 *
 * A connection's window is cached by socket: read once from its attachment
 * and kept until it changes, so a diff costs each socket a lookup and
 * O(changes), never an attachment read or O(room size).
 */
export class RoomWindows {
  windowed = false;
  private readonly specs = new WeakMap<WebSocket, WindowSpec | null>();
  /** The first users when the last diff went out: what windows were built from. */
  private head: string[] = [];
  /** Bumped by every diff; what each windowed socket last got of the counts. */
  private countVersion = 0;
  private readonly countSent = new WeakMap<WebSocket, number>();
  private countTimer: unknown = null;
  private lastCountAt = 0;

  constructor(private readonly room: WindowedRoom) {}

  /** After a wake: the mode the room was in, and the head its windows were built from. */
  restore(windowed: boolean): void {
    this.windowed = windowed;
    if (windowed) this.head = this.room.presence.headIds(LIMITS.maxWindowSize);
  }

  /** Remembers a socket's window after its data changed (connect, follow). */
  remember(socket: WebSocket, data: ConnectionData): void {
    this.specs.set(socket, specOf(data));
  }

  /** The window a socket asked for, `null` for a protocol 1 client. */
  specOf(socket: WebSocket): WindowSpec | null {
    let spec = this.specs.get(socket);
    if (spec === undefined) {
      const data = this.room.dataOf(socket);
      spec = data ? specOf(data) : null;
      this.specs.set(socket, spec);
    }
    return spec;
  }

  /**
   * Switches the mode when the room crossed the threshold; returns whether it
   * did, in which case every socket that asked for a window needs a new sync.
   */
  updateMode(): boolean {
    const users = this.room.presence.userCount;
    const next = this.windowed ? users > Math.floor(this.room.threshold * 0.9) : users > this.room.threshold;
    if (next === this.windowed) return false;
    this.windowed = next;
    this.room.saveMode(next);
    if (next) this.head = this.room.presence.headIds(LIMITS.maxWindowSize);
    return true;
  }

  /** The sockets that asked for a window: they are resynced when the mode switches. */
  *windowAware(): Generator<WebSocket> {
    for (const socket of this.room.sockets()) if (this.specOf(socket)) yield socket;
  }

  /** The sync for one connection: its window when the room is windowed and it asked for one, else everyone. */
  sync(socket: WebSocket, base: Omit<SyncMessage, "users" | "count" | "window">, everyone: () => string): string {
    const presence = this.room.presence;
    const spec = this.windowed ? this.specOf(socket) : null;
    this.countSent.set(socket, this.countVersion);
    if (!spec) {
      const { type, room, seq, self, anonymous } = base;
      return `{"type":${JSON.stringify(type)},"room":${JSON.stringify(room)},"seq":${seq},"self":${JSON.stringify(self)},"users":${everyone()},"anonymous":${anonymous},"count":${presence.userCount}}`;
    }
    const message: SyncMessage = {
      ...base,
      users: windowUsers(presence, spec),
      count: presence.userCount,
      window: { size: spec.size, follows: [...spec.follows] },
    };
    return JSON.stringify(message);
  }

  /** Sends a diff: one shared frame to full-list sockets, each window its part, counts later. */
  send(diff: DiffMessage, skip: ReadonlySet<WebSocket> | null): void {
    const presence = this.room.presence;
    const count = presence.userCount;
    this.countVersion++;
    const full = JSON.stringify({ ...diff, count });
    if (!this.windowed) {
      for (const socket of this.room.sockets()) if (!skip?.has(socket)) this.room.send(socket, full);
      return;
    }
    const headAfter = presence.headIds(LIMITS.maxWindowSize);
    const windows = new WindowedDiff(presence, diff, this.head, headAfter);
    this.head = headAfter;
    let countsOwed = false;
    for (const socket of this.room.sockets()) {
      if (skip?.has(socket)) continue;
      const spec = this.specOf(socket);
      if (!spec) {
        this.room.send(socket, full);
        continue;
      }
      const changes = windows.changesFor(spec);
      if (!changes) {
        countsOwed = true;
        continue;
      }
      const { seq, anonymous } = diff;
      this.room.send(socket, JSON.stringify({ type: "presence:diff", seq, ...changes, anonymous, count }));
      this.countSent.set(socket, this.countVersion);
    }
    if (countsOwed) this.scheduleCounts();
  }

  private scheduleCounts(): void {
    if (this.countTimer !== null) return;
    const wait = Math.max(0, this.lastCountAt + LIMITS.countIntervalMs - this.room.clock.now());
    this.countTimer = this.room.setTimer(() => {
      this.countTimer = null;
      this.sendCounts();
    }, wait);
  }

  /** One `presence:count` frame to every windowed socket whose counts are behind. */
  private sendCounts(): void {
    this.lastCountAt = this.room.clock.now();
    if (!this.windowed) return;
    const presence = this.room.presence;
    const text = JSON.stringify({
      type: "presence:count",
      seq: presence.seq,
      count: presence.userCount,
      anonymous: presence.anonymous,
    });
    for (const socket of this.room.sockets()) {
      if (this.countSent.get(socket) === this.countVersion || !this.specOf(socket)) continue;
      this.room.send(socket, text);
      this.countSent.set(socket, this.countVersion);
    }
  }
}

function specOf(data: ConnectionData): WindowSpec | null {
  if (data.window === undefined || data.left) return null;
  return { size: data.window, selfUserId: data.user?.id ?? null, follows: new Set(data.follows ?? []) };
}
