// A known day of presence history, for the admin's charts and quality figures
// (issue 30): rows to insert straight into herenow_sessions and
// herenow_generations, placed around `minute` (the start of the minute "now"
// is in), and what the hour range must show for them. Times are minutes
// before `minute` unless said otherwise.
//
//   stage  ann   -50 … -40 closed (1.5 s to leave), back at -39:55 … -30 closed (1.5 s): one flap
//          bo    -45 … open; a second tab -44 … -42 closed (5 s): not a flap, bo stayed
//          guest -35 … -33 closed (40 ms)
//          cy    -20 … -10 stale: vanished
//          fay   -600 … -540 closed (10 hours ago: the day and week ranges only)
//          gus   three days ago, for two hours, left (the week range only)
//          ivy   -13 … -12 ended by the restart at -12 (its first generation seen at -60)
//   lobby  ann   -25 … -5 left
//          dee   -15 … -14 closed (1.6 s), back at -13:30 … open: 30 s later, not a flap
//          ed    -70 … -2 pruned: vanished
//          first generation seen at -70; a new one at -8 that ended no stay
//          (the room woke with nobody lost): not a restart

/** One `herenow_sessions` row (without its id). */
export interface KnownSession {
  room: string;
  connection_id: string;
  user_id: string | null;
  user_name: string | null;
  joined_at: Date;
  left_at: Date | null;
  end_reason: "left" | "closed" | "stale" | "kicked" | "restart" | "pruned" | null;
  leave_ms: number | null;
}

/** One `herenow_generations` row. */
export interface KnownGeneration {
  room: string;
  generation: string;
  previous: string | null;
  seen_at: Date;
  lost: number;
}

const MINUTE = 60_000;

/**
 * The known day's rows around `minute` (ms, a whole minute).
 *
 * @example
 * const { sessions, generations } = knownDay(Math.floor(Date.now() / 60_000) * 60_000);
 * await db.insertInto("herenow_sessions").values(sessions).execute();
 */
export function knownDay(minute: number): { sessions: KnownSession[]; generations: KnownGeneration[] } {
  if (minute % MINUTE !== 0) throw new RangeError(`knownDay: ${minute} is not the start of a minute`);
  const t = (minutes: number, seconds = 0) => new Date(minute + minutes * MINUTE + seconds * 1000);
  const user = (id: string) => ({ user_id: id, user_name: id[0]?.toUpperCase() + id.slice(1) });
  const stay = (
    room: string,
    connection_id: string,
    who: string | null,
    joined_at: Date,
    left_at: Date | null,
    end_reason: KnownSession["end_reason"],
    leave_ms: number | null = null,
  ): KnownSession => ({
    room,
    connection_id,
    ...(who ? user(who) : { user_id: null, user_name: null }),
    joined_at,
    left_at,
    end_reason,
    leave_ms,
  });
  return {
    sessions: [
      stay("stage", "c-ann-1", "ann", t(-50), t(-40), "closed", 1500),
      stay("stage", "c-ann-2", "ann", t(-40, 5), t(-30), "closed", 1500),
      stay("stage", "c-bo", "bo", t(-45), null, null),
      stay("stage", "c-bo-2", "bo", t(-44), t(-42), "closed", 5000),
      stay("stage", "c-guest", null, t(-35), t(-33), "closed", 40),
      stay("stage", "c-cy", "cy", t(-20), t(-10), "stale"),
      stay("stage", "c-ivy", "ivy", t(-13), t(-12), "restart"),
      stay("stage", "c-fay", "fay", t(-600), t(-540), "closed"),
      stay("stage", "c-gus", "gus", t(-3 * 24 * 60), t(-3 * 24 * 60 + 120), "left"),
      stay("lobby", "c-ann-3", "ann", t(-25), t(-5), "left"),
      stay("lobby", "c-dee-1", "dee", t(-15), t(-14), "closed", 1600),
      stay("lobby", "c-dee-2", "dee", t(-14, 30), null, null),
      stay("lobby", "c-ed", "ed", t(-70), t(-2), "pruned"),
    ],
    generations: [
      { room: "stage", generation: "g-stage-1", previous: null, seen_at: t(-60), lost: 0 },
      { room: "stage", generation: "g-stage-2", previous: "g-stage-1", seen_at: t(-12), lost: 1 },
      { room: "lobby", generation: "g-lobby-1", previous: null, seen_at: t(-70), lost: 0 },
      { room: "lobby", generation: "g-lobby-2", previous: "g-lobby-1", seen_at: t(-8), lost: 0 },
    ],
  };
}

/**
 * What the hour range shows for the known day: points by minutes before
 * `minute` (0 is the minute itself), as `[people, connections]`; a minute
 * not listed is as the brute-force count gives it. Leave times are the
 * nearest rank of the measured ones (1.5 s, 1.5 s, 5 s, 40 ms in stage,
 * 1.6 s in lobby) as the store reads them from buckets 5% wide: 1,500 ms
 * reads 1,472, 1,600 reads 1,622 and 5,000 reads 4,983.
 */
export const KNOWN_HOUR = {
  site: {
    points: { [-45]: [3, 3], [-43]: [3, 4], [-40]: [3, 3], [-34]: [4, 4], [-15]: [5, 5], [-14]: [5, 5], 0: [2, 2] },
    flaps: 1,
    vanished: 2,
    restarts: 1,
    leave: { count: 5, p50: 1472, p95: 4983 },
  },
  stage: {
    points: { [-50]: [1, 1], [-43]: [2, 3], [-34]: [3, 3], [-11]: [2, 2], 0: [1, 1] },
    flaps: 1,
    vanished: 1,
    restarts: 1,
    leave: { count: 4, p50: 1472, p95: 4983 },
  },
  lobby: {
    points: { [-59]: [1, 1], [-15]: [3, 3], [-14]: [3, 3], 0: [1, 1] },
    flaps: 0,
    vanished: 1,
    restarts: 0,
    leave: { count: 1, p50: 1622, p95: 1622 },
  },
} as const;

/**
 * People and connections in one step by brute force over the rows, the
 * plain reading of "online during the step" (a stay overlapping it), to
 * check every point of a range against.
 */
export function countOnline(
  sessions: readonly KnownSession[],
  from: number,
  to: number,
  room: string | null = null,
): [people: number, connections: number] {
  const here = sessions.filter(
    (s) =>
      (room === null || s.room === room) &&
      s.joined_at.getTime() < to &&
      (s.left_at === null || s.left_at.getTime() > from),
  );
  const users = new Set(here.flatMap((s) => (s.user_id ? [s.user_id] : [])));
  return [users.size + here.filter((s) => s.user_id === null).length, here.length];
}
