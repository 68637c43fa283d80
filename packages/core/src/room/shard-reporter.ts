import type { DiffMessage, PresenceUser } from "../protocol";
import { byArrival } from "./apply";
import { type ExposeRequest, FIRST_REQUEST, type HeadPush, type HeadReport } from "./head-messages";
import type { RoomPresence } from "./room-presence";

/** A report to send (or `null`: nothing changed) and the shard's own diff it was taken with. */
export interface TakenReport {
  report: HeadReport | null;
  /** The changes of the shard's own users since the last report: its sockets' own entries. */
  own: DiffMessage | null;
}

/**
 * The shard's side of a room sharded by person: from the shard's own `RoomPresence` (its users
 * only), what the coordinator last asked (`ExposeRequest`) and the people it watches, the report
 * of each interval (`HeadReport`). It remembers which of its users the coordinator has, so a
 * report carries only what changed; and which people its sockets follow, counted per socket.
 *
 * @example
 * const reporter = new ShardReporter(room);
 * reporter.follow("u7"); // a socket's window follows u7
 * const { report } = reporter.take({ full: !coordinatorKnowsUs, at: clock.now() });
 * if (report) await coordinator.report(shard, report);
 */
export class ShardReporter {
  private request: ExposeRequest = FIRST_REQUEST;
  private readonly watched = new Set<string>();
  /** The users the coordinator has from this shard (exposed or watched). */
  private readonly sent = new Set<string>();
  /** The users the last report exposed. */
  private exposedIds = new Set<string>();
  /** People added to or removed from the watch list since the last report. */
  private readonly watchChanged = new Set<string>();
  /** Sockets following each person. */
  private readonly follows = new Map<string, number>();
  private readonly followsAdded = new Set<string>();
  private readonly followsRemoved = new Set<string>();
  /** What the last report said of the exposure and counts. */
  private last = { through: "", more: false, count: -1, anonymous: -1, shows: 0 };
  /** The request or watch list changed: the next report looks again though no user did. */
  private asked = true;
  /** What only an unsent report carried, for the next one. */
  private carried: Pick<HeadReport, "ended" | "returned" | "events"> = { ended: [], returned: [], events: [] };

  constructor(private readonly room: RoomPresence) {}

  /** What the coordinator asks now: takes effect with the next report. */
  heard(push: Pick<HeadPush, "full" | "request" | "watch">): void {
    if (push.request) this.request = push.request;
    if (push.full) {
      for (const id of this.watched) this.watchChanged.add(id);
      this.watched.clear();
    }
    for (const id of push.watch?.remove ?? []) {
      this.watched.delete(id);
      this.watchChanged.add(id);
    }
    for (const id of push.watch?.add ?? []) {
      this.watched.add(id);
      this.watchChanged.add(id);
    }
    if (push.request || push.watch || push.full) this.asked = true;
  }

  /**
   * A report the coordinator refused (`needs-full`) or never got: who left, who came back and the
   * connection events only it carried go with the next report, which must then be full.
   */
  unsent(report: HeadReport): void {
    const { carried } = this;
    this.carried = {
      ended: [...carried.ended, ...report.ended],
      returned: [...carried.returned, ...report.returned],
      events: [...carried.events, ...report.events],
    };
  }

  /** One more of the shard's sockets follows `userId`. */
  follow(userId: string): void {
    const sockets = this.follows.get(userId) ?? 0;
    this.follows.set(userId, sockets + 1);
    if (sockets === 0 && !this.followsRemoved.delete(userId)) this.followsAdded.add(userId);
  }

  /** One socket fewer follows `userId`. */
  unfollow(userId: string): void {
    const sockets = this.follows.get(userId);
    if (sockets === undefined) return;
    if (sockets > 1) {
      this.follows.set(userId, sockets - 1);
      return;
    }
    this.follows.delete(userId);
    if (!this.followsAdded.delete(userId)) this.followsRemoved.add(userId);
  }

  /**
   * Takes the shard's own diff and, from it, the report of this interval. With `full` it lists
   * everything the coordinator needs (after either side started, or a refused report). A report
   * goes whenever the own diff is not empty, so its changes come back numbered in a push; `no`
   * numbers it, `shows` is how many of the room's first users the shard's sockets show.
   */
  take(options: { full: boolean; at: number; no?: number; shows?: number }): TakenReport {
    const { room } = this;
    const { full, at, no } = options;
    const shows = options.shows ?? 0;
    const recentBefore = new Set(room.recent().map((user) => user.id));
    const moves = room.takeIdentityMoves();
    const own = room.takeDiff();
    const events = [...this.carried.events, ...room.takeEvents()];
    const changed = new Set(moves);
    for (const user of own?.joined ?? []) changed.add(user.id);
    for (const user of own?.updated ?? []) changed.add(user.id);
    if (!full && !own && changed.size === 0 && events.length === 0 && !this.asked && this.quiet(shows)) {
      return { report: null, own };
    }
    this.asked = false;
    const { exposed, more } = this.exposure();
    const exposedIds = new Set(exposed.map((user) => user.id));
    const left = new Set(own?.left);
    // who may have come into or gone out of what the coordinator has: O(exposed + changes), not O(watched)
    const check = full
      ? new Set([...exposedIds, ...this.watched])
      : new Set([...exposedIds, ...this.exposedIds, ...changed, ...left, ...this.watchChanged]);
    if (full) this.sent.clear();
    this.exposedIds = exposedIds;
    this.watchChanged.clear();
    const users: PresenceUser[] = [];
    const gone: string[] = [];
    for (const id of check) {
      const wanted = exposedIds.has(id) || (this.watched.has(id) && room.hasUser(id));
      if (wanted && (!this.sent.has(id) || changed.has(id))) {
        const user = room.presentUser(id);
        if (user) users.push(user);
        this.sent.add(id);
      } else if (!wanted && this.sent.delete(id)) gone.push(id);
    }
    const ended = [...this.carried.ended, ...(left.size > 0 ? room.recent().filter((user) => left.has(user.id)) : [])];
    const returned = [
      ...this.carried.returned,
      ...(own?.joined ?? []).filter((user) => recentBefore.has(user.id)).map((user) => user.id),
    ];
    this.carried = { ended: [], returned: [], events: [] };
    const lastExposed = exposed[exposed.length - 1];
    const through = lastExposed ? { since: lastExposed.since, id: lastExposed.id } : null;
    const interest = full
      ? { add: [...this.follows.keys()], remove: [] }
      : { add: [...this.followsAdded], remove: [...this.followsRemoved] };
    this.followsAdded.clear();
    this.followsRemoved.clear();
    const counts = { count: room.userCount, anonymous: room.anonymous };
    const news =
      full ||
      own !== null ||
      users.length + gone.length + ended.length + returned.length + events.length > 0 ||
      interest.add.length + interest.remove.length > 0 ||
      !this.quiet(shows, through, more);
    this.last = { through: JSON.stringify(through), more, shows, ...counts };
    if (!news) return { report: null, own };
    const report: HeadReport = {
      full,
      ...counts,
      connections: room.connectionCount,
      users,
      gone,
      through,
      more,
      ended,
      returned,
      interest,
      events,
      at,
      ...(no !== undefined && { no }),
      ...(shows > 0 && { shows }),
      ...(own && { ownChanged: true }),
    };
    return { report, own };
  }

  /** Whether exposure and counts are as the last report said (by default: as they are now). */
  private quiet(shows: number, through?: HeadReport["through"], more?: boolean): boolean {
    const { last, room } = this;
    if (last.count !== room.userCount || last.anonymous !== room.anonymous || last.shows !== shows) return false;
    if (this.followsAdded.size > 0 || this.followsRemoved.size > 0) return false;
    return through === undefined || (last.through === JSON.stringify(through) && last.more === more);
  }

  /**
   * The prefix of the shard's users in arrival order that the coordinator asked for: every one up
   * to the cutoff and `extra` more. The room's map is in order of `since`, so it is read from the
   * start until the last `since` needed has passed (ties by id are sorted here).
   */
  private exposure(): { exposed: PresenceUser[]; more: boolean } {
    const { room, request } = this;
    const total = room.userCount;
    let limit = Math.max(this.exposedIds.size, 8) + request.extra;
    for (;;) {
      const users = room.headIds(limit).map((id) => room.presentUser(id) as PresenceUser);
      const all = users.length < limit;
      const sorted = [...users].sort(byArrival);
      const { cutoff } = request;
      let end = cutoff ? sorted.findIndex((user) => byArrival(user, cutoff) > 0) : 0;
      if (end < 0) end = sorted.length;
      const exposed = sorted.slice(0, Math.min(sorted.length, end + request.extra));
      const lastNeeded = exposed[exposed.length - 1];
      const lastRead = users[users.length - 1];
      // complete when everyone was read, or the map went past the last `since` needed
      const enough = end < sorted.length && exposed.length === end + request.extra;
      if (all || (enough && lastNeeded && lastRead && lastRead.since > lastNeeded.since)) {
        return { exposed, more: total > exposed.length };
      }
      limit *= 2;
    }
  }
}
