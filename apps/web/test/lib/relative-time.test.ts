import { describe, expect, it } from "vitest";
import { ago, until } from "@/lib/relative-time";

const NOW = Date.parse("2026-11-29T12:00:00.000Z");
const before = (seconds: number) => new Date(NOW - seconds * 1000);
const after = (seconds: number) => new Date(NOW + seconds * 1000);

describe("ago", () => {
  it("says just now under 2 s, and for a time a skewed clock puts in the future", () => {
    expect(ago(before(0), NOW)).toBe("just now");
    expect(ago(before(1.4), NOW)).toBe("just now");
    expect(ago(after(30), NOW)).toBe("just now");
  });

  it("counts seconds, then minutes, then hours, switching at the whole unit", () => {
    expect(ago(before(2), NOW)).toBe("2 s ago");
    expect(ago(before(59), NOW)).toBe("59 s ago");
    // 59.6 s rounds to a full minute
    expect(ago(before(59.6), NOW)).toBe("1 min ago");
    expect(ago(before(60), NOW)).toBe("1 min ago");
    expect(ago(before(3599), NOW)).toBe("59 min ago");
    expect(ago(before(3600), NOW)).toBe("1 h ago");
    expect(ago(before(86_399), NOW)).toBe("23 h ago");
  });

  it("gives the date from a day on", () => {
    expect(ago(before(86_400), NOW)).toBe("2026-11-28");
    expect(ago(new Date("2025-01-02T03:04:05Z"), NOW)).toBe("2025-01-02");
  });
});

describe("until", () => {
  it("says in 0 s for a moment already past", () => {
    expect(until(before(10), NOW)).toBe("in 0 s");
    expect(until(after(0), NOW)).toBe("in 0 s");
  });

  it("rounds minutes up, so a ban never looks shorter than it is", () => {
    expect(until(after(59), NOW)).toBe("in 59 s");
    expect(until(after(60), NOW)).toBe("in 1 min");
    expect(until(after(61), NOW)).toBe("in 2 min");
    expect(until(after(3599), NOW)).toBe("in 60 min");
  });

  it("counts hours up to two days, then days", () => {
    expect(until(after(3600), NOW)).toBe("in 1 h");
    expect(until(after(90 * 60), NOW)).toBe("in 2 h");
    expect(until(after(2 * 86_400 - 1), NOW)).toBe("in 48 h");
    expect(until(after(2 * 86_400), NOW)).toBe("in 2 days");
    expect(until(after(7 * 86_400), NOW)).toBe("in 7 days");
  });
});
