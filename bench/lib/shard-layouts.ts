import { LIMITS } from "@herenow/core";
import { ManualClock, RoomPresence } from "@herenow/core/engine";
import { type Layout, START } from "./person-layout";
import type { Ops } from "./sim-crowd";
import { Meter } from "./sim-meter";
import { WindowSockets } from "./window-sockets";

/** One object that holds every connection, as a room does today: the baseline. */
export class OneRoom implements Layout {
  private readonly clock = new ManualClock(START);
  readonly room = new RoomPresence({ clock: this.clock, leaveGraceMs: 0, recordEvents: true });
  readonly meter: Meter;
  readonly sockets: WindowSockets;

  constructor(windowSize: number) {
    this.sockets = new WindowSockets(windowSize);
    this.meter = new Meter(this.sockets);
  }

  window(ops: Ops): void {
    const start = this.clock.now();
    const at = this.clock.advance(LIMITS.diffIntervalMs);
    const { room, sockets } = this;
    this.meter.run(() => {
      const count = room.userCount;
      for (const socket of ops.joined) room.connect(socket.connectionId, socket.user);
      for (const id of ops.left) {
        room.leave(id);
        sockets.remove(id);
      }
      for (const id of ops.touched) room.touch(id);
      const diff = room.takeDiff();
      room.takeEvents(); // the webhook's
      if (diff) sockets.deliver(room, diff);
      for (const socket of ops.joined) {
        sockets.add(socket);
        sockets.sync(room, socket);
      }
      if (room.userCount !== count) sockets.countChanged(start);
      // today's cadence: the room's windowed sockets or its users, whichever is more
      sockets.tickCounts(room, at, Math.max(sockets.size, room.userCount));
    });
  }

  meters(): Meter[] {
    return [this.meter];
  }

  firstMember(): number {
    return Number(this.room.headIds(1)[0]?.slice(1));
  }

  takeCountLag(): number {
    return this.sockets.takeCountLag();
  }
}
