import { type DiffMessage, LIMITS, type SyncMessage } from "@herenow/core";
import {
  type Clock,
  countIntervalFor,
  type RoomReader,
  SHOWS_EVERYONE,
  WindowedDiff,
  type WindowSpec,
  windowUsers,
} from "@herenow/core/engine";
import type { ConnectionData } from "./connection-data";

/** What `RoomWindows` needs of its room: its sockets, their data, a clock and timers. */
export interface WindowedRoom {
  readonly presence: RoomReader;
  /** Users above which connections that asked for a window get one (`HERENOW_WINDOW_THRESHOLD`). */
  readonly threshold: number;
  /** Every open socket, as the runtime lists them. */
  sockets(): Iterable<WebSocket>;
  /** The herenow data of a socket, read from its attachment (a cache miss only). */
  dataOf(socket: WebSocket): ConnectionData | null;
  /** The users a connection follows (kept outside its attachment). */
  followsOf(connectionId: string): readonly string[];
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
 * Sockets are indexed by window size and by the users they watch (their
 * own and those they follow), so a diff costs the sockets it concerns, not
 * the room: a join at the end of a crowd of 10,000 reaches the newcomer's
 * followers and no one else's window. The index lives in memory and is
 * rebuilt from the sockets' attachments after a wake.
 */
export class RoomWindows {
  windowed = false;
  private readonly specs = new Map<WebSocket, WindowSpec | null>();
  /** Protocol 1 sockets (no window asked for): they get every diff in full. */
  private readonly full = new Set<WebSocket>();
  private readonly bySize = new Map<number, Set<WebSocket>>();
  /** User id → the sockets whose window shows that user wherever they are (self and follows). */
  private readonly watchers = new Map<string, Set<WebSocket>>();
  private indexed = false;
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

  /** Indexes a socket after its data changed (connect, follow). */
  remember(socket: WebSocket, data: ConnectionData): void {
    if (!this.indexed) return; // the first use after a wake indexes every socket, this one included
    this.index(socket, this.specOfData(data));
  }

  /** Drops a socket that closed from the index. */
  forget(socket: WebSocket): void {
    const spec = this.specs.get(socket);
    this.specs.delete(socket);
    if (spec === undefined) return;
    if (spec === null) {
      this.full.delete(socket);
      return;
    }
    this.bySize.get(spec.size)?.delete(socket);
    for (const userId of watched(spec)) {
      const set = this.watchers.get(userId);
      set?.delete(socket);
      if (set?.size === 0) this.watchers.delete(userId);
    }
  }

  /** The window a socket asked for, `null` for a protocol 1 client. */
  specOf(socket: WebSocket): WindowSpec | null {
    this.ensureIndexed();
    let spec = this.specs.get(socket);
    if (spec === undefined) {
      const data = this.room.dataOf(socket);
      spec = data ? this.specOfData(data) : null;
      this.index(socket, spec);
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

  /**
   * How many of the room's first users these sockets show: the largest window asked for, or
   * every user when a socket asked for none (a protocol 1 client lists the whole room).
   */
  shows(): number {
    this.ensureIndexed();
    if (this.full.size > 0) return SHOWS_EVERYONE;
    let largest = 0;
    for (const [size, sockets] of this.bySize) if (sockets.size > 0) largest = Math.max(largest, size);
    return largest;
  }

  /** Whether some socket lists the whole room (every socket while the room is not windowed): it must see every diff. */
  needsEveryDiff(): boolean {
    if (!this.windowed) return true;
    this.ensureIndexed();
    return this.full.size > 0;
  }

  /** The sockets that asked for a window: they are resynced when the mode switches. */
  *windowAware(): Generator<WebSocket> {
    this.ensureIndexed();
    for (const sockets of this.bySize.values()) yield* sockets;
  }

  /** The sync for one connection: its window when the room is windowed and it asked for one, else everyone. */
  sync(socket: WebSocket, base: Omit<SyncMessage, "users" | "count" | "window">, everyone: () => string): string {
    const presence = this.room.presence;
    const spec = this.windowed ? this.specOf(socket) : null;
    this.countSent.set(socket, this.countVersion);
    if (!spec) {
      const { type, room, seq, self, anonymous, recent } = base;
      return `{"type":${JSON.stringify(type)},"room":${JSON.stringify(room)},"seq":${seq},"self":${JSON.stringify(self)},"users":${everyone()},"anonymous":${anonymous},"count":${presence.userCount},"recent":${JSON.stringify(recent ?? [])}}`;
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
    this.ensureIndexed();
    for (const socket of this.full) if (!skip?.has(socket)) this.room.send(socket, full);
    const headAfter = presence.headIds(LIMITS.maxWindowSize);
    const windows = new WindowedDiff(presence, diff, this.head, headAfter);
    this.head = headAfter;
    // the windows this diff may touch: every window whose head moved, and the watchers of its users
    const touched = new Set<WebSocket>();
    for (const [size, sockets] of this.bySize) if (windows.changesHead(size)) for (const s of sockets) touched.add(s);
    for (const userId of windows.users()) for (const s of this.watchers.get(userId) ?? []) touched.add(s);
    const { seq, anonymous } = diff;
    let sent = 0;
    for (const socket of touched) {
      const spec = this.specs.get(socket);
      if (!spec || skip?.has(socket)) continue;
      const changes = windows.changesFor(spec);
      if (!changes) continue;
      this.room.send(socket, JSON.stringify({ type: "presence:diff", seq, ...changes, anonymous, count }));
      this.countSent.set(socket, this.countVersion);
      sent++;
    }
    if (sent < this.windowedSockets()) this.scheduleCounts();
  }

  private windowedSockets(): number {
    let total = 0;
    for (const sockets of this.bySize.values()) total += sockets.size;
    return total;
  }

  private ensureIndexed(): void {
    if (this.indexed) return;
    this.indexed = true;
    for (const socket of this.room.sockets()) {
      const data = this.room.dataOf(socket);
      this.index(socket, data ? this.specOfData(data) : null);
    }
  }

  private specOfData(data: ConnectionData): WindowSpec | null {
    if (data.window === undefined || data.left) return null;
    return { size: data.window, selfUserId: data.user?.id ?? null, follows: new Set(this.room.followsOf(data.id)) };
  }

  private index(socket: WebSocket, spec: WindowSpec | null): void {
    this.forget(socket);
    this.specs.set(socket, spec);
    if (spec === null) {
      this.full.add(socket);
      return;
    }
    let sized = this.bySize.get(spec.size);
    if (!sized) {
      sized = new Set();
      this.bySize.set(spec.size, sized);
    }
    sized.add(socket);
    for (const userId of watched(spec)) {
      let set = this.watchers.get(userId);
      if (!set) {
        set = new Set();
        this.watchers.set(userId, set);
      }
      set.add(socket);
    }
  }

  /**
   * How often counts go out: every 250 ms, and less often in a big room so
   * that counts stay a small part of its work (each frame costs the runtime
   * some tens of µs): a tenth of a ms per windowed socket or per user of the
   * room, whichever is more, at most a second. A shard of a sharded room
   * holds a part of the sockets but counts at the room's pace, so a client
   * gets as many counts whether its room is sharded or not (measured: eight
   * shards counting at their own pace sent three times the frames).
   */
  countInterval(): number {
    return countIntervalFor(Math.max(this.windowedSockets(), this.room.presence.userCount));
  }

  private scheduleCounts(): void {
    if (this.countTimer !== null) return;
    const wait = Math.max(0, this.lastCountAt + this.countInterval() - this.room.clock.now());
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
    for (const socket of this.windowAware()) {
      if (this.countSent.get(socket) === this.countVersion) continue;
      this.room.send(socket, text);
      this.countSent.set(socket, this.countVersion);
    }
  }
}

/** The users a window shows wherever they are in the join order. */
function* watched(spec: WindowSpec): Generator<string> {
  if (spec.selfUserId !== null) yield spec.selfUserId;
  yield* spec.follows;
}
