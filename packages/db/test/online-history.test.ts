import { countOnline, KNOWN_HOUR, knownDay } from "@herenow/testing/known-day";
import { beforeEach, describe, expect, it } from "vitest";
import { type HistoryRange, rangeWindow } from "../src/history-range";
import { createPresenceStore } from "../src/store";
import { describeEachDatabase } from "./support/databases";

/** "Now": half a minute into 12:00 (the start of the minute the fixture is placed around). */
const MINUTE = Date.parse("2026-11-28T12:00:00.000Z");
const NOW = new Date(MINUTE + 30_000);
const day = knownDay(MINUTE);

describe("rangeWindow", () => {
  it("cuts the hour per minute, the day per 10 minutes, the week per hour, ending with the step holding now", () => {
    expect(rangeWindow("hour", NOW)).toEqual({
      range: "hour",
      from: new Date("2026-11-28T11:01:00.000Z"),
      to: new Date("2026-11-28T12:01:00.000Z"),
      stepMs: 60_000,
      steps: 60,
    });
    expect(rangeWindow("day", NOW)).toMatchObject({ to: new Date("2026-11-28T12:10:00.000Z"), steps: 144 });
    expect(rangeWindow("week", NOW)).toMatchObject({ to: new Date("2026-11-28T13:00:00.000Z"), steps: 168 });
    expect(() => rangeWindow("month" as HistoryRange, NOW)).toThrow(/range must be one of hour, day, week/);
  });
});

describeEachDatabase("online over time and presence quality", (db) => {
  const store = () => createPresenceStore(db(), { now: () => NOW });

  beforeEach(async () => {
    await db().insertInto("herenow_sessions").values(day.sessions).execute();
    await db().insertInto("herenow_generations").values(day.generations).execute();
  });

  it("gives the known day's people and connections per minute over the hour, for the site and each room", async () => {
    for (const room of [null, "stage", "lobby"] as const) {
      const history = await store().onlineHistory({ range: "hour", room });
      expect(history).toMatchObject({ range: "hour", room, stepMs: 60_000 });
      expect(history.points).toHaveLength(60);
      const byMinute = new Map(history.points.map((p) => [(p.at.getTime() - MINUTE) / 60_000, p]));
      for (const [minute, [people, connections]] of Object.entries(KNOWN_HOUR[room ?? "site"].points)) {
        expect(byMinute.get(Number(minute)), `${room ?? "site"} at ${minute} min`).toMatchObject({
          people,
          connections,
        });
      }
      // and every point as the plain reading of "online during the minute" counts it
      const window = rangeWindow("hour", NOW);
      for (const point of history.points) {
        const from = point.at.getTime();
        const [people, connections] = countOnline(day.sessions, from, from + window.stepMs, room);
        expect({ at: point.at, people: point.people, connections: point.connections }).toEqual({
          at: point.at,
          people,
          connections,
        });
      }
    }
  });

  it("covers the day per 10 minutes and the week per hour, with the stays only they reach", async () => {
    for (const range of ["day", "week"] as const) {
      const window = rangeWindow(range, NOW);
      const history = await store().onlineHistory({ range, room: "stage" });
      expect(history.points).toHaveLength(window.steps);
      expect(history.points.map((p) => [p.people, p.connections])).toEqual(
        history.points.map((p) => countOnline(day.sessions, p.at.getTime(), p.at.getTime() + window.stepMs, "stage")),
      );
      // fay, ten hours ago, shows in both; gus, three days ago, only in the week
      const fay = history.points.find((p) => p.at.getTime() === MINUTE - 600 * 60_000);
      expect(fay?.people ?? 0).toBe(1);
      const gus = history.points.some((p) => p.at.getTime() === MINUTE - 3 * 24 * 60 * 60_000);
      expect(gus).toBe(range === "week");
    }
  });

  it("counts flaps, vanished stays, restarts and the rooms' measured time to leave", async () => {
    for (const room of [null, "stage", "lobby"] as const) {
      const quality = await store().presenceQuality({ range: "hour", room });
      const known = KNOWN_HOUR[room ?? "site"];
      expect(quality, room ?? "site").toMatchObject({
        range: "hour",
        room,
        flaps: known.flaps,
        vanished: known.vanished,
        restarts: known.restarts,
        leave: known.leave,
      });
    }
    const site = await store().presenceQuality({ range: "hour" });
    expect(site.rooms).toEqual([
      { room: "stage", flaps: 1, vanished: 1, restarts: 1, leave: KNOWN_HOUR.stage.leave },
      { room: "lobby", flaps: 0, vanished: 1, restarts: 0, leave: KNOWN_HOUR.lobby.leave },
    ]);
    // a return more than 10 s after the leave, and a second tab closing while the first stays, are no flaps
    expect((await store().presenceQuality({ range: "week", room: "lobby" })).flaps).toBe(0);
  });

  it("counts a leave and a return within 10 s as a flap only when the user had no other connection there", async () => {
    const s = createPresenceStore(db(), { now: () => new Date(MINUTE + 3_600_000) });
    const at = (seconds: number) => ({ at: new Date(MINUTE + 3_000_000 + seconds * 1000) });
    const zed = { id: "zed", name: "Zed" };
    await s.add("hall", "z-1", zed, at(0));
    await s.remove("hall", "z-1", "closed", at(10));
    await s.add("hall", "z-2", zed, at(19)); // back 9 s later: a flap
    await s.add("hall", "z-3", zed, at(20)); // a second tab
    await s.remove("hall", "z-2", "closed", at(30));
    await s.add("hall", "z-4", zed, at(31)); // z-3 stayed: no flap
    await s.remove("hall", "z-4", "closed", at(40));
    await s.remove("hall", "z-3", "closed", at(41));
    await s.add("hall", "z-5", zed, at(52)); // 11 s later: no flap
    expect((await s.presenceQuality({ range: "hour", room: "hall" })).flaps).toBe(1);
  });
});
