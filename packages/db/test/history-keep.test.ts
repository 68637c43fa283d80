import { countOnline, knownDay } from "@herenow/testing/known-day";
import { beforeEach, expect, it } from "vitest";
import { SETTLE_MS } from "../src/history-keep";
import type { HistoryRange } from "../src/history-range";
import { createPresenceStore } from "../src/store";
import { describeEachDatabase } from "./support/databases";

/** "Now": half a minute into 12:00, as in online-history.test.ts. */
const MINUTE = Date.parse("2026-11-28T12:00:00.000Z");
const NOW = new Date(MINUTE + 30_000);
const SETTLED = NOW.getTime() - SETTLE_MS;
const RANGES: HistoryRange[] = ["hour", "day", "week"];
const day = knownDay(MINUTE);

describeEachDatabase("the site's charts keep their settled steps", (db) => {
  const store = () => createPresenceStore(db(), { now: () => NOW });

  beforeEach(async () => {
    await db().insertInto("herenow_sessions").values(day.sessions).execute();
    await db().insertInto("herenow_generations").values(day.generations).execute();
  });

  it("serves the known day's settled steps from what the first read kept, not from the sessions", async () => {
    const cold = new Map<HistoryRange, Awaited<ReturnType<ReturnType<typeof store>["onlineHistory"]>>>();
    for (const range of RANGES) cold.set(range, await store().onlineHistory({ range }));
    const coldQuality = await store().presenceQuality({ range: "day" });
    // the history is gone: only what the reads kept can still show it
    await db().deleteFrom("herenow_sessions").execute();
    for (const range of RANGES) {
      const warm = await store().onlineHistory({ range });
      const before = cold.get(range);
      let kept = 0;
      warm.points.forEach((point, i) => {
        const settled = point.at.getTime() + warm.stepMs <= SETTLED;
        if (settled) kept += before?.points[i]?.connections ?? 0;
        expect(point, `${range} at ${point.at.toISOString()}`).toEqual(
          settled ? before?.points[i] : { at: point.at, people: 0, connections: 0 },
        );
      });
      expect(kept, `${range}: some settled step had someone online`).toBeGreaterThan(0);
    }
    // ann's flap (-40) and all five measured leaves (-42 … -14) are in settled steps of the day;
    // cy (-10) and ed (-2) vanished in steps that were still counted afresh, from nothing now
    const warmQuality = await store().presenceQuality({ range: "day" });
    expect(coldQuality).toMatchObject({ flaps: 1, vanished: 2, leave: { count: 5 } });
    expect(warmQuality).toMatchObject({ flaps: 1, vanished: 0, restarts: 1, leave: coldQuality.leave });
    // and stage, listed for its flap and restart, keeps its own leave times
    const stage = (q: typeof coldQuality) => q.rooms.find((r) => r.room === "stage")?.leave;
    expect(stage(coldQuality)).toEqual({ count: 4, p50: 1472, p95: 4983 });
    expect(stage(warmQuality)).toEqual(stage(coldQuality));
  });

  it("gives the same points cold and from kept steps", async () => {
    for (const range of RANGES) {
      const cold = await store().onlineHistory({ range });
      const warm = await store().onlineHistory({ range });
      expect(warm).toEqual(cold);
      expect(warm.points.map((p) => [p.people, p.connections])).toEqual(
        warm.points.map((p) => countOnline(day.sessions, p.at.getTime(), p.at.getTime() + warm.stepMs, null)),
      );
      const coldQuality = await store().presenceQuality({ range });
      expect(await store().presenceQuality({ range })).toEqual(coldQuality);
    }
    const kept = await db().selectFrom("herenow_online_steps").select("step_ms").execute();
    expect(kept.length).toBeGreaterThan(0);
  });

  it("takes back a stay the prune ends hours in the past, after steps were kept", async () => {
    const s = store();
    const joined = MINUTE - 3 * 60 * 60_000;
    await s.add("hall", "h-1", { id: "hal", name: "Hal" }, { at: new Date(joined) });
    const open = await s.onlineHistory({ range: "day" });
    expect(open.points.filter((p) => p.at.getTime() === joined + 60 * 60_000)[0]?.people).toBe(1);
    expect(open.points.map((p) => p.connections)).toEqual(await bruteForce(open.points, open.stepMs));
    // no heartbeat came: the prune ends the stay "stale" at its last-seen time, its join
    expect(await s.prunePresences({ maxAgeMs: 60_000 })).toHaveLength(1);
    const ended = await s.onlineHistory({ range: "day" });
    expect(ended.points.filter((p) => p.at.getTime() === joined + 60 * 60_000)[0]?.people).toBe(0);
    expect(ended.points.map((p) => p.connections)).toEqual(await bruteForce(ended.points, ended.stepMs));
    expect((await s.presenceQuality({ range: "day" })).vanished).toBe(3);
  });

  it("keeps the steps behind a connection open for hours while its room's keep-alives arrive", async () => {
    const joined = MINUTE - 3 * 60 * 60_000;
    await store().add("hall", "h-1", { id: "hal", name: "Hal" }, { at: new Date(joined) });
    // the room vouched for hal a minute ago; hal's own row has not changed since the join
    await db()
      .updateTable("herenow_rooms")
      .set({ keepalive_at: new Date(MINUTE - 60_000) })
      .where("name", "=", "hall")
      .execute();
    const read = await store().onlineHistory({ range: "day" });
    const kept = await db().selectFrom("herenow_online_steps").select(["at", "step_ms"]).execute();
    const keptDay = kept.filter((row) => row.step_ms === read.stepMs).map((row) => new Date(row.at).getTime());
    // every step that ended before the margin is kept, those after hal's join included
    const settled = read.points.filter((p) => p.at.getTime() + read.stepMs <= SETTLED).map((p) => p.at.getTime());
    expect(settled.some((at) => at > joined)).toBe(true);
    expect(keptDay.sort((a, b) => a - b)).toEqual(settled);
    // and what they keep counts hal as the plain reading does
    expect(read.points.map((p) => p.connections)).toEqual(await bruteForce(read.points, read.stepMs));
  });

  /** Connections per step as the plain reading counts them over the rows now in the table. */
  async function bruteForce(points: readonly { at: Date }[], stepMs: number): Promise<number[]> {
    const rows = await db().selectFrom("herenow_sessions").selectAll().execute();
    const sessions = rows.map((row) => ({ ...row, leave_ms: row.leave_ms ?? null }));
    return points.map((p) => countOnline(sessions, p.at.getTime(), p.at.getTime() + stepMs, null)[1]);
  }

  it("counts a stay written up to the margin late in steps a read before it already showed", async () => {
    await store().onlineHistory({ range: "hour" });
    // a batch delivered late: a visit of two minutes that ended six minutes ago
    await db()
      .insertInto("herenow_sessions")
      .values({
        room: "hall",
        connection_id: "late-1",
        user_id: null,
        user_name: null,
        joined_at: new Date(MINUTE - 8 * 60_000),
        left_at: new Date(MINUTE - 6 * 60_000),
        end_reason: "closed",
      })
      .execute();
    const after = await store().onlineHistory({ range: "hour" });
    const minute = (m: number) => after.points.find((p) => p.at.getTime() === MINUTE + m * 60_000);
    expect(minute(-8)?.connections).toBe(
      1 + countOnline(day.sessions, MINUTE - 8 * 60_000, MINUTE - 7 * 60_000, null)[1],
    );
    expect(minute(-7)?.connections).toBe(
      1 + countOnline(day.sessions, MINUTE - 7 * 60_000, MINUTE - 6 * 60_000, null)[1],
    );
  });
});
