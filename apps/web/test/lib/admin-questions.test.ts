import { describe, expect, it } from "vitest";
import { banUserQuestion, counted, kickUserQuestion } from "@/lib/admin-questions";

describe("the ban dialog", () => {
  it("says the ban holds the browser through a new name, and what still gets round it", () => {
    const { question, detail, confirmLabel } = banUserQuestion("lobby", "Bo", 1);
    expect(question).toBe("Ban Bo from #lobby for {choice}?");
    expect(confirmLabel).toBe("Kick and ban");
    expect(detail).toContain("Their 1 connection closes, and they cannot come back until the ban ends or is lifted.");
    expect(detail).toContain("Names here are anonymous");
    expect(detail).toContain("signing out and in again under a new name does not get round it");
    expect(detail).toMatch(/clearing cookies, another browser or a private window does/);
  });
});

describe("counts in the admin's questions", () => {
  it("write thousands as every page does", () => {
    expect(counted(2000, "connection")).toBe("2,000 connections");
    expect(counted(1, "guest")).toBe("1 guest");
    expect(kickUserQuestion("stage", "Ann", 1200).question).toBe("Kick Ann (1,200 connections) from #stage?");
  });
});
