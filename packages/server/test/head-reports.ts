// Shards' reports for the tests of a sharded room's coordinator and shard link, built one way.
import type { PresenceUser } from "@herenow/core";
import type { HeadReport } from "@herenow/core/engine";

/** A user as a shard reports them: one connection, no state, active since `since`. */
export function reportedUser(id: string, since = 1000): PresenceUser {
  return { id, name: id, info: {}, connections: 1, state: {}, since, status: "active", activeAt: since };
}

/** A partial report that says nothing new, with `fields` in place of its defaults. */
export function headReport(fields: Partial<HeadReport> = {}): HeadReport {
  return {
    full: false,
    count: 0,
    anonymous: 0,
    connections: 0,
    users: [],
    gone: [],
    through: null,
    more: false,
    ended: [],
    returned: [],
    interest: { add: [], remove: [] },
    events: [],
    at: 0,
    ...fields,
  };
}
