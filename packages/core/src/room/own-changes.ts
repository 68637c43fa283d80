import type { DiffMessage, PresenceUser } from "../protocol";
import { byLeaveOrder } from "./recent-list";
import type { ViewChanges } from "./shard-view";

/**
 * The changes of a shard's own people, kept by the number of the report they
 * went out with until a push of the coordinator includes that report: then
 * they join the push's changes, so the shard's sockets see the shard's own
 * people under the room's numbering, in the same diff as the room's head.
 *
 * @example
 * own.add(7, presence.takeDiff());
 * const changes = own.mergeInto(view.apply(push), push.reportNo, push.at);
 */
export class OwnChanges {
  private pending: { no: number; diff: DiffMessage }[] = [];

  /** The own diff taken with report `no`. */
  add(no: number, diff: DiffMessage): void {
    this.pending.push({ no, diff });
  }

  /**
   * A push's changes with the own diffs of every report up to `included`, in order, as one diff;
   * who left did so at the push's time `at`, as the room's `recent` says.
   */
  mergeInto(changes: ViewChanges, included: number, at: number): ViewChanges {
    const due = this.pending.filter((own) => own.no <= included);
    if (due.length === 0) return changes;
    this.pending = this.pending.filter((own) => own.no > included);
    const joined = new Map(changes.joined.map((user) => [user.id, user]));
    const updated = new Map(changes.updated.map((user) => [user.id, user]));
    const left = new Set(changes.left);
    for (const { diff } of due) {
      for (const user of diff.joined) join(user);
      for (const user of diff.updated) (joined.has(user.id) ? joined : updated).set(user.id, user);
      for (const id of diff.left) {
        // one who came and went within the merged diff was never shown: neither list names them
        if (joined.delete(id)) continue;
        updated.delete(id);
        left.add(id);
      }
    }
    const merged: ViewChanges = {
      seq: changes.seq,
      joined: [...joined.values()],
      updated: [...updated.values()],
      left: [...left].sort(byLeaveOrder),
      anonymous: changes.anonymous,
    };
    if (merged.left.length > 0) merged.leftAt = at;
    return merged;

    function join(user: PresenceUser): void {
      // one who left and came back within the merged diff is still shown: an update
      if (left.delete(user.id)) updated.set(user.id, user);
      else joined.set(user.id, user);
    }
  }
}
