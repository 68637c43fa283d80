import type { Presence, Session } from "./presence-types";
import type { PresenceRecord, SessionRecord } from "./schema";

// Rows leave the database through these two functions only, so snake_case
// and driver quirks (pg returns bigint as a string, PGlite as a number) stop here.

/**
 * A presences row as the store returns it at `now`: an active connection
 * was active until now; any other, at its `active_at` (or, lacking one, when
 * it joined).
 */
export function toPresence(row: PresenceRecord, now: Date): Presence {
  return {
    room: row.room,
    connectionId: row.connection_id,
    // A row written by other tools may lack a name; the id is the best stand-in.
    user:
      row.user_id === null
        ? null
        : {
            id: row.user_id,
            name: row.user_name ?? row.user_id,
            info: row.user_info,
            ...(row.user_kind === "agent" ? { kind: row.user_kind } : {}),
          },
    joinedAt: row.joined_at,
    lastSeenAt: row.last_seen_at,
    generation: row.generation,
    status: row.status,
    activeAt: row.status === "active" ? now : (row.active_at ?? row.joined_at),
  };
}

/** A sessions row as the store returns it, its bigint id as a number. */
export function toSession(row: SessionRecord): Session {
  return {
    id: Number(row.id),
    room: row.room,
    connectionId: row.connection_id,
    userId: row.user_id,
    userName: row.user_name,
    joinedAt: row.joined_at,
    leftAt: row.left_at,
    endReason: row.end_reason,
  };
}
