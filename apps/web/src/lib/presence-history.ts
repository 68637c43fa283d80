import type { HistoryRange, OnlineHistory, PresenceQuality, QualityCounts } from "@herenow/db";

/**
 * What `GET /api/admin/history` answers and the admin's charts draw: who was
 * online over a range (times in ms since the epoch), the presence quality
 * over the same range, and the plain sentences that say what is off.
 */
export interface HistoryJson {
  range: HistoryRange;
  room: string | null;
  /** When the server read it (ms). */
  at: number;
  from: number;
  to: number;
  stepMs: number;
  points: { at: number; people: number; connections: number }[];
  quality: Omit<PresenceQuality, "from" | "to" | "range" | "room">;
  notices: Notice[];
}

/** One thing that is off, as a sentence ("12 flaps in the last hour") and the room it happened in. */
interface Notice {
  text: string;
  room: string | null;
}

/** A leave seen later than this (p95) is off: the leave grace (5 s) and a second for the alarm and the window. */
const SLOW_LEAVE_MS = 6_000;
/** The most sentences shown: the rooms with the most wrong come first. */
const MAX_NOTICES = 6;

const LAST: Record<HistoryRange, string> = { hour: "the last hour", day: "the last day", week: "the last week" };

/** "1 flap", "12 flaps". */
function counted(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}

/**
 * The sentences for what is off over a range, per room for the site (or for
 * the one room asked about): flaps, vanished connections, restarts, slow leaves.
 *
 * @example
 * presenceNotices(quality, "hour", null); // [{ text: "12 flaps in the last hour", room: "stage" }]
 */
function presenceNotices(quality: PresenceQuality, range: HistoryRange, room: string | null): Notice[] {
  const places: (QualityCounts & { room: string | null })[] = room === null ? quality.rooms : [{ ...quality, room }];
  const notices: Notice[] = [];
  for (const place of places) {
    const last = LAST[range];
    if (place.flaps > 0)
      notices.push({ text: `${counted(place.flaps, "flap", "flaps")} in ${last}`, room: place.room });
    if (place.vanished > 0)
      notices.push({
        text: `${counted(place.vanished, "connection", "connections")} vanished without a goodbye in ${last}`,
        room: place.room,
      });
    if (place.restarts > 0)
      notices.push({ text: `${counted(place.restarts, "restart", "restarts")} in ${last}`, room: place.room });
    if (place.leave.p95 !== null && place.leave.p95 > SLOW_LEAVE_MS)
      notices.push({
        text: `leaves took ${(place.leave.p95 / 1000).toFixed(1)} s to be seen (p95) in ${last}`,
        room: place.room,
      });
  }
  // a site-wide slow leave with no room singled out still deserves a word
  if (room === null && notices.length === 0 && quality.leave.p95 !== null && quality.leave.p95 > SLOW_LEAVE_MS) {
    notices.push({
      text: `leaves took ${(quality.leave.p95 / 1000).toFixed(1)} s to be seen (p95) in ${LAST[range]}`,
      room: null,
    });
  }
  return notices.slice(0, MAX_NOTICES);
}

/**
 * The JSON of a range's history and quality.
 *
 * @example
 * const json = historyJson(await store.onlineHistory({ range }), await store.presenceQuality({ range }), Date.now());
 */
export function historyJson(online: OnlineHistory, quality: PresenceQuality, at: number): HistoryJson {
  const { from: _from, to: _to, range: _range, room: _room, ...figures } = quality;
  return {
    range: online.range,
    room: online.room,
    at,
    from: online.from.getTime(),
    to: online.to.getTime(),
    stepMs: online.stepMs,
    points: online.points.map((p) => ({ at: p.at.getTime(), people: p.people, connections: p.connections })),
    quality: figures,
    notices: presenceNotices(quality, online.range, online.room),
  };
}

/** The range a page or route asks for: `?range=` when it names one, else the hour. */
export function rangeParam(value: string | string[] | null | undefined): HistoryRange | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null || first === "") return "hour";
  return first === "hour" || first === "day" || first === "week" ? first : null;
}
