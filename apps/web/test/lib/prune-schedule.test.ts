// The admin page's word for when the cron route prunes comes from vercel.json, the schedule that runs.
import { describe, expect, it } from "vitest";
import { describeCron, pruneSchedule } from "@/lib/prune-schedule";
import vercel from "../../vercel.json";

describe("the prune schedule", () => {
  it("is the one vercel.json gives the prune route, in words: daily, not hourly", () => {
    expect(vercel.crons).toContainEqual({ path: "/api/cron/prune", schedule: "0 4 * * *" });
    expect(pruneSchedule()).toBe("daily at 04:00 UTC");
  });

  it("reads the schedules a deployment would use, and quotes any other", () => {
    expect(describeCron("30 2 * * *")).toBe("daily at 02:30 UTC");
    expect(describeCron("0 * * * *")).toBe("hourly");
    expect(describeCron("*/15 * * * *")).toBe('on the schedule "*/15 * * * *" (UTC)');
    expect(describeCron("0 4 * * 1")).toBe('on the schedule "0 4 * * 1" (UTC)');
  });
});
