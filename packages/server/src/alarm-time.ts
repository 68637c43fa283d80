/** How long an alarm may be overdue before the room takes it as lost and sets it again. */
export const OVERDUE_ALARM_MS = 1000;

/**
 * When to set a room's one alarm so that it fires for `due`, or `null` to
 * leave the alarm as it is. `set` is the time the room last set it (`null`
 * once it fired or when none is set).
 *
 * Never at or before `now`: the runtime deletes the alarm that is running
 * when its handler ends, and a handler that set a time already past (the
 * time that fired it, say) was seen to leave the room with no alarm. An alarm already set
 * for `due` or sooner is left alone while it is ahead, or overdue by less
 * than {@link OVERDUE_ALARM_MS} (its handler is about to run and sets the
 * next one); one overdue by more is taken as lost and set again.
 */
export function alarmTimeFor(due: number | null, set: number | null, now: number): number | null {
  if (due === null) return null;
  if (set !== null && set <= due && set > now - OVERDUE_ALARM_MS) return null;
  return Math.max(due, now + 1);
}

/** The soonest of some times, `null` for none. */
export function soonest(times: Array<number | null>): number | null {
  return times.reduce<number | null>(
    (first, at) => (at === null ? first : first === null ? at : Math.min(first, at)),
    null,
  );
}
