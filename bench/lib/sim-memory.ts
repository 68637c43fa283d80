import {
  byArrival,
  type HeadPush,
  type HeadReport,
  type RestoredConnection,
  RoomHead,
  RoomPresence,
  ShardReporter,
  ShardView,
} from "@herenow/core/engine";
import type { PersonShardedRoom } from "./person-layout";
import type { Crowd } from "./sim-crowd";
import { WindowSockets } from "./window-sockets";

/** What the objects of a room sharded by person hold, measured on the heap. */
export interface Held {
  /** A coordinator rebuilt from every shard's full report, as after its restart. */
  coordinatorBytes: number;
  /** The same without any follow: what the follows cost it. */
  unfollowedBytes: number;
  /** People some socket follows, and those of them present (their entries are at the coordinator). */
  followed: number;
  followedPresent: number;
  /** The largest shard rebuilt: its own people, its copy of the head and followed, its sockets' windows. */
  shardBytes: number;
  shardUsers: number;
  socketsMax: number;
}

/**
 * Measures the memory of a coordinator and of the largest shard of `layout` by building them
 * afresh from what they would get after a restart (the shards' full reports; the shard's
 * connections, its full push and its sockets), as the heap's growth after a full collection.
 */
export function measureHeld(layout: PersonShardedRoom, crowd: Crowd, windowSize: number): Held {
  // each measure in its own function, so what one built is garbage before the next starts
  const shard = measureShard(layout, crowd, windowSize);
  return { ...measureCoordinator(layout), ...shard };
}

/** A coordinator rebuilt from every shard's full report, with and without the follows. */
function measureCoordinator(layout: PersonShardedRoom) {
  const at = layout.clock.now();
  const reports = layout.shards.map((shard) => JSON.stringify(shard.reporter.take({ full: true, at }).report));
  const interest = new Set<string>();
  const present = new Set<string>();
  const parsed = reports.map((text) => JSON.parse(text) as HeadReport);
  for (const report of parsed) for (const id of report.interest.add) interest.add(id);
  for (const report of parsed) for (const user of report.users) if (interest.has(user.id)) present.add(user.id);
  const unfollowed = parsed.map((report) => {
    const through = report.through;
    const exposed = report.users.filter((user) => through !== null && byArrival(user, through) <= 0);
    return JSON.stringify({ ...report, users: exposed, interest: { add: [], remove: [] } });
  });
  parsed.length = 0;
  return {
    coordinatorBytes: coordinatorHeap(layout, reports),
    unfollowedBytes: coordinatorHeap(layout, unfollowed),
    followed: interest.size,
    followedPresent: present.size,
  };
}

/** The largest shard rebuilt from its connections, its full push and its sockets. */
function measureShard(layout: PersonShardedRoom, crowd: Crowd, windowSize: number) {
  const at = layout.clock.now();
  let largest = 0;
  for (const [index, shard] of layout.shards.entries()) {
    if (shard.room.userCount > (layout.shards[largest]?.room.userCount ?? 0)) largest = index;
  }
  const shard = layout.shards[largest];
  if (!shard) throw new Error("no shard");
  const connections = JSON.stringify(shard.room.snapshotConnections());
  const push = JSON.stringify(layout.head.snapshotFor(largest));
  const before = heap();
  const room = new RoomPresence({ clock: layout.clock, leaveGraceMs: 0 });
  const restored = JSON.parse(connections) as RestoredConnection[];
  room.restore(restored);
  const reporter = new ShardReporter(room);
  const view = new ShardView(room, { clock: layout.clock });
  const full = JSON.parse(push) as HeadPush;
  view.apply(full);
  reporter.heard(full);
  const sockets = new WindowSockets(windowSize);
  for (const connection of restored) {
    const socket = crowd.socket(Number(connection.id.slice(1)));
    sockets.add(socket);
    for (const id of socket.spec.follows) reporter.follow(id);
  }
  reporter.take({ full: true, at });
  const shardBytes = heap() - before;
  if (room.userCount !== shard.room.userCount || view.userCount !== layout.head.userCount || sockets.size === 0) {
    throw new Error("the rebuilt shard lost users");
  }
  return {
    shardBytes,
    shardUsers: room.userCount,
    socketsMax: Math.max(...layout.shards.map((part) => part.room.connectionCount)),
  };
}

/** The heap a coordinator built from these full reports holds. */
function coordinatorHeap(layout: PersonShardedRoom, reports: string[]): number {
  const before = heap();
  const head = new RoomHead({ headSize: layout.headSize, shards: layout.shardCount, clock: layout.clock });
  for (const [shard, text] of reports.entries()) head.apply(shard, JSON.parse(text) as HeadReport);
  head.takePushes();
  head.takeEvents();
  const bytes = heap() - before;
  if (head.userCount !== layout.head.userCount) throw new Error("the rebuilt coordinator lost users");
  return bytes;
}

/** The heap in use after a full collection. */
function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (npm run shard-sim -w @herenow/bench does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
