import { describe, expect, it } from "vitest";
import { ago, away } from "@/lib/relative-time";

describe("away", () => {
  const now = Date.UTC(2026, 11, 5, 12);
  it("says away for under a minute, then whole minutes and hours", () => {
    expect(away(now - 20_000, now)).toBe("away");
    expect(away(now - 4 * 60_000 - 30_000, now)).toBe("away 4 min");
    expect(away(now - 2 * 3_600_000 - 60_000, now)).toBe("away 2 h");
  });
  it("keeps ago's wording for the recently left", () => {
    expect(`left ${ago(new Date(now - 3 * 60_000), now)}`).toBe("left 3 min ago");
    expect(ago(new Date(now - 500), now)).toBe("just now");
    expect(ago(new Date(now - 2 * 86_400_000), now)).toBe("2026-12-03");
  });
});
