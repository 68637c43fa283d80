import { describe, expect, it } from "vitest";
import { alarmTimeFor, OVERDUE_ALARM_MS, soonest } from "../src/alarm-time";

const NOW = 1_000_000;

describe("when a room sets its alarm", () => {
  it("sets nothing when nothing is due", () => {
    expect(alarmTimeFor(null, null, NOW)).toBeNull();
    expect(alarmTimeFor(null, NOW + 50, NOW)).toBeNull();
  });

  it("sets the due time when no alarm is set, and a sooner due replaces a later alarm", () => {
    expect(alarmTimeFor(NOW + 500, null, NOW)).toBe(NOW + 500);
    expect(alarmTimeFor(NOW + 500, NOW + 900, NOW)).toBe(NOW + 500);
  });

  it("leaves an alarm that fires first: its handler sets the next one", () => {
    expect(alarmTimeFor(NOW + 900, NOW + 500, NOW)).toBeNull();
    expect(alarmTimeFor(NOW + 500, NOW + 500, NOW)).toBeNull();
  });

  it("never sets a time at or before now, so a handler never sets the time that fired it", () => {
    // inside the handler of the alarm set for NOW - 3 (the room forgot it when the handler began),
    // something of the room is due at that same time or before: the alarm moves 1 ms ahead
    expect(alarmTimeFor(NOW - 3, null, NOW)).toBe(NOW + 1);
    expect(alarmTimeFor(NOW, null, NOW)).toBe(NOW + 1);
    expect(alarmTimeFor(NOW - 60_000, null, NOW)).toBe(NOW + 1);
  });

  it("trusts an overdue alarm for a second, then takes it as lost and sets it again", () => {
    expect(alarmTimeFor(NOW + 100, NOW - OVERDUE_ALARM_MS + 1, NOW)).toBeNull();
    expect(alarmTimeFor(NOW + 100, NOW - OVERDUE_ALARM_MS, NOW)).toBe(NOW + 100);
    expect(alarmTimeFor(NOW - 5_000, NOW - 5_000, NOW)).toBe(NOW + 1);
  });

  it("holds for any times: what it sets is ahead of now and no later than the due, or the set alarm covers the due", () => {
    const offsets = Array.from({ length: 49 }, (_, k) => (k - 24) * 125);
    for (const dueOffset of offsets) {
      for (const setOffset of [null, ...offsets]) {
        const due = NOW + dueOffset;
        const set = setOffset === null ? null : NOW + setOffset;
        const at = alarmTimeFor(due, set, NOW);
        if (at === null) {
          expect(set).not.toBeNull();
          expect(set as number).toBeLessThanOrEqual(due);
          expect(set as number).toBeGreaterThan(NOW - OVERDUE_ALARM_MS);
        } else {
          expect(at).toBeGreaterThan(NOW);
          expect(at).toBe(Math.max(due, NOW + 1));
        }
      }
    }
  });

  it("takes the soonest of the room's dues", () => {
    expect(soonest([])).toBeNull();
    expect(soonest([null, null])).toBeNull();
    expect(soonest([NOW + 9, null, NOW + 2, NOW + 5])).toBe(NOW + 2);
  });
});
