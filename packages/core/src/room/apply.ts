import type { DiffMessage, PresenceUser } from "../protocol";
import type { RecentList } from "./recent-list";

/**
 * Arrival order: by the start of each stay, ties by id. The order of a window (protocol 1.1), of
 * a sharded room's head and of pages gathered from its shards.
 */
export function byArrival(a: Pick<PresenceUser, "since" | "id">, b: Pick<PresenceUser, "since" | "id">): number {
  return a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Join order: by the start of each stay. Sorted stably over one diff's arrivals, newcomers first
 * (as `joined` lists them), then stays that began again (as `updated` lists them), so a tie keeps
 * the order the room saw it.
 */
export function bySince(a: PresenceUser, b: PresenceUser): number {
  return a.since - b.since;
}

/** The outcome of applying one server message. */
export type ApplyResult = "applied" | "duplicate" | "gap";

/**
 * Applies a room's numbered diff to a copy of its users in join order, the one rule of every
 * copy (the client's view, `PresenceView`):
 * a diff must carry the copy's number plus one (`duplicate` for an old one, `gap` when one was
 * missed; a window takes any newer one), users who left join `recent` at the diff's `leftAt`
 * (outside a window, whose `left` also lists users who only moved out of it), users who came
 * back leave it, and newcomers and users whose stay began again go to the end in join order
 * (`bySince`), where the room put them.
 *
 * @example
 * if (applyDiff(users, seq, diff, recent, false, Date.now()) === "applied") seq = diff.seq;
 */
export function applyDiff(
  users: Map<string, PresenceUser>,
  seq: number,
  diff: Pick<DiffMessage, "seq" | "joined" | "updated" | "left" | "leftAt">,
  recent: RecentList,
  windowed: boolean,
  now: number,
): ApplyResult {
  if (diff.seq <= seq) return "duplicate";
  if (!windowed && diff.seq !== seq + 1) return "gap";
  for (const id of diff.left) {
    const user = users.get(id);
    if (user && !windowed) recent.left(user, diff.leftAt ?? now);
    users.delete(id);
  }
  // the interval's arrivals, newcomers and stays that began again, go to the end in join order, as the room puts them
  const arrivals = [...diff.joined];
  for (const user of diff.joined) recent.returned(user.id);
  for (const user of diff.updated) {
    if (users.get(user.id)?.since === user.since) users.set(user.id, user);
    else arrivals.push(user);
  }
  for (const user of arrivals.sort(bySince)) {
    users.delete(user.id);
    users.set(user.id, user);
  }
  return "applied";
}
