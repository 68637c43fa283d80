import { type ConnectionEvent, type OccupancyEvent, withOccupancy } from "@herenow/core/engine";

/**
 * Whether the room has a signed-in user, as of its last flush window: the
 * state behind the webhook's `occupied` and `vacated`. It lives in the
 * object that owns the room's outbox (a room of one object, or a sharded
 * room's coordinator, fed by the room totals either keeps).
 */
export class RoomOccupancy {
  private occupied = false;

  constructor(private readonly userCount: () => number) {}

  /** Reads the room as it stands, without an event: on start and wake, when the room is rebuilt from storage. */
  reset(): void {
    this.occupied = this.userCount() > 0;
  }

  /** A flush window's events with `occupied` or `vacated` in place if the user count crossed zero. */
  mark(events: readonly ConnectionEvent[], now: number): (ConnectionEvent | OccupancyEvent)[] {
    const was = this.occupied;
    this.occupied = this.userCount() > 0;
    return withOccupancy(events, was, this.occupied, now);
  }
}
