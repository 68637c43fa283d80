import type { ConnectionEvent } from "./room/connections";

/**
 * A room-level webhook event: the room's signed-in user count went from 0
 * to 1 (`occupied`) or from 1 to 0 (`vacated`) over one diff interval.
 */
export type OccupancyEvent = { type: "occupied"; at: number } | { type: "vacated"; at: number };

/**
 * The events of one diff interval with `occupied` or `vacated` put in place,
 * judged like a diff: by the room's user count before and after the interval,
 * so a user who arrives and leaves inside one interval (or a reload, a leave
 * followed by a join of the same user) occupies and vacates nothing.
 * `occupied` follows the interval's first join of a signed-in user and
 * `vacated` its last leave of one, each at that event's time; with no such
 * event (a restarted coordinator whose shards' joins became a snapshot) it
 * comes last, at `now`.
 *
 * @example
 * const events = withOccupancy(presence.takeEvents(), wasOccupied, presence.userCount > 0, Date.now());
 */
export function withOccupancy(
  events: readonly ConnectionEvent[],
  wasOccupied: boolean,
  isOccupied: boolean,
  now: number,
): (ConnectionEvent | OccupancyEvent)[] {
  if (wasOccupied === isOccupied) return [...events];
  const type = isOccupied ? "occupied" : "vacated";
  const index = isOccupied ? events.findIndex(isUserJoin) : lastIndexOf(events, isUserLeave);
  const out: (ConnectionEvent | OccupancyEvent)[] = [...events];
  if (index < 0) out.push({ type, at: now });
  else out.splice(index + 1, 0, { type, at: (events[index] as ConnectionEvent).at });
  return out;
}

function isUserJoin(event: ConnectionEvent): boolean {
  return event.type === "join" && event.user !== null;
}

function isUserLeave(event: ConnectionEvent): boolean {
  return event.type === "leave" && event.userId !== null;
}

/** `findLastIndex`, which ES2022 lacks. */
function lastIndexOf<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}
