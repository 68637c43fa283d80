import type { UserIdentity } from "@herenow/core";
import {
  countIntervalFor,
  type RoomReader,
  type ViewChanges,
  WindowedDiff,
  type WindowSpec,
  windowUsers,
} from "@herenow/core/engine";

/** A simulated windowed socket: its connection, its user and what it watches. */
export interface SimSocket {
  connectionId: string;
  user: UserIdentity;
  spec: WindowSpec;
  /** The diff number of the last counts this socket got (in a diff, a count or its sync). */
  countsAt: number;
}

/** What one object sent its sockets, by kind of frame. */
export interface SocketTraffic {
  diffFrames: number;
  diffBytes: number;
  countFrames: number;
  countBytes: number;
  syncs: number;
  syncBytes: number;
}

const noTraffic = (): SocketTraffic => ({
  diffFrames: 0,
  diffBytes: 0,
  countFrames: 0,
  countBytes: 0,
  syncs: 0,
  syncBytes: 0,
});

/**
 * The windowed sockets of one object (a shard, or one room that holds everyone), indexed as
 * the server's `RoomWindows` indexes them: a diff costs the sockets whose window it touches
 * (every socket when the head moved, else the watchers of the users it is about), and counts
 * go once an interval to the sockets no diff reached since the last. Frames are built as
 * the server builds them and only measured (their JSON length), never sent.
 *
 * @example
 * const sockets = new WindowSockets(100);
 * sockets.add(socket);
 * sockets.sync(room, socket);
 * sockets.deliver(room, diff); // after the room or mirror applied it
 */
export class WindowSockets {
  traffic: SocketTraffic = noTraffic();
  private readonly byConnection = new Map<string, SimSocket>();
  /** User id → the sockets that show that user wherever they are (self and follows). */
  private readonly watchers = new Map<string, Set<SimSocket>>();
  /** The first users when the last diff went out: what the windows were built from. */
  private head: string[] = [];
  private diffNumber = 0;
  private lastCountAt = Number.NEGATIVE_INFINITY;
  private changedAt: number[] = [];
  private countLagMs = 0;

  constructor(private readonly windowSize: number) {}

  get size(): number {
    return this.byConnection.size;
  }

  add(socket: SimSocket): void {
    this.byConnection.set(socket.connectionId, socket);
    for (const userId of watched(socket.spec)) {
      let set = this.watchers.get(userId);
      if (!set) {
        set = new Set();
        this.watchers.set(userId, set);
      }
      set.add(socket);
    }
  }

  remove(connectionId: string): void {
    const socket = this.byConnection.get(connectionId);
    if (!socket) return;
    this.byConnection.delete(connectionId);
    for (const userId of watched(socket.spec)) {
      const set = this.watchers.get(userId);
      set?.delete(socket);
      if (set?.size === 0) this.watchers.delete(userId);
    }
  }

  /** The sync a new socket gets: its window of the room as the room is now. */
  sync(room: RoomReader, socket: SimSocket): void {
    const { spec } = socket;
    const text = JSON.stringify({
      type: "presence:sync",
      room: "big-room",
      seq: room.seq,
      self: { connectionId: socket.connectionId, user: socket.user },
      users: windowUsers(room, spec),
      anonymous: room.anonymous,
      count: room.userCount,
      window: { size: spec.size, follows: [...spec.follows] },
    });
    socket.countsAt = this.diffNumber;
    this.traffic.syncs++;
    this.traffic.syncBytes += text.length;
  }

  /** Each touched socket's part of a diff the room (or mirror) has just applied. */
  deliver(room: RoomReader, diff: ViewChanges): void {
    const headAfter = room.headIds(this.windowSize);
    const windows = new WindowedDiff(room, diff, this.head, headAfter);
    this.head = headAfter;
    this.diffNumber++;
    const touched = new Set<SimSocket>();
    if (windows.changesHead(this.windowSize)) for (const socket of this.byConnection.values()) touched.add(socket);
    for (const userId of windows.users()) for (const socket of this.watchers.get(userId) ?? []) touched.add(socket);
    const { seq, anonymous } = diff;
    const count = room.userCount;
    for (const socket of touched) {
      const changes = windows.changesFor(socket.spec);
      if (!changes) continue;
      const text = JSON.stringify({ type: "presence:diff", seq, ...changes, anonymous, count });
      socket.countsAt = this.diffNumber;
      this.traffic.diffFrames++;
      this.traffic.diffBytes += text.length;
    }
  }

  /** One `presence:count` to every socket whose counts are behind. */
  counts(room: RoomReader): void {
    const text = JSON.stringify({
      type: "presence:count",
      seq: room.seq,
      count: room.userCount,
      anonymous: room.anonymous,
    });
    for (const socket of this.byConnection.values()) {
      if (socket.countsAt === this.diffNumber) continue;
      socket.countsAt = this.diffNumber;
      this.traffic.countFrames++;
      this.traffic.countBytes += text.length;
    }
  }

  /**
   * Counts on the server's cadence (`countIntervalFor`, as `RoomWindows` counts): every 250 ms, a tenth of a ms
   * more per `crowd` (the windowed sockets or users it counts), at most a second. `changedAt`
   * lists when each count change this object's room reader now has happened; the worst wait
   * from a change to the counts every socket has is kept in `countLagMs`.
   */
  tickCounts(room: RoomReader, now: number, crowd: number): void {
    if (now < this.lastCountAt + countIntervalFor(crowd)) return;
    this.lastCountAt = now;
    this.counts(room);
    for (const at of this.changedAt) this.countLagMs = Math.max(this.countLagMs, now - at);
    this.changedAt = [];
  }

  /** A count change that happened at `at` is now in the room this object reads from. */
  countChanged(at: number): void {
    this.changedAt.push(at);
  }

  /** The worst wait from a count change to the counts of every socket since the last call. */
  takeCountLag(): number {
    const lag = this.countLagMs;
    this.countLagMs = 0;
    return lag;
  }

  /** Starts counting traffic afresh (a new phase of the run). */
  resetTraffic(): SocketTraffic {
    const traffic = this.traffic;
    this.traffic = noTraffic();
    return traffic;
  }
}

function* watched(spec: WindowSpec): Generator<string> {
  if (spec.selfUserId !== null) yield spec.selfUserId;
  yield* spec.follows;
}
