import { type Kysely, sql } from "kysely";
import { toSession } from "./presence-rows";
import type { Session, WhoWasHere } from "./presence-types";
import type { Database, EndReason } from "./schema";

/** The end of one connection's stay in a room, for {@link closeSessions}. */
export interface SessionEnd {
  room: string;
  connectionId: string;
  reason: EndReason;
  at: Date;
  /** The room's measured time to leave (null or absent: not measured). */
  leaveMs?: number | null;
}

/**
 * Closes the open sessions of these connections, each with its own reason
 * and time, in one statement: the ends travel as parallel arrays through
 * `unnest`, so the SQL text stays the same whatever the batch size.
 */
export async function closeSessions(db: Kysely<Database>, ends: readonly SessionEnd[]): Promise<void> {
  if (ends.length === 0) return;
  await closeSessionsQuery(db, ends).execute();
}

/** The statement behind {@link closeSessions}, for callers that run it inside a larger one (a CTE). */
export function closeSessionsQuery(db: Kysely<Database>, ends: readonly SessionEnd[]) {
  const endsTable = sql<{
    room: string;
    connection_id: string;
    end_reason: EndReason;
    left_at: Date;
    leave_ms: number | null;
  }>`unnest(
    ${ends.map((e) => e.room)}::text[],
    ${ends.map((e) => e.connectionId)}::text[],
    ${ends.map((e) => e.reason)}::text[],
    ${ends.map((e) => e.at.toISOString())}::timestamptz[],
    ${ends.map((e) => e.leaveMs ?? null)}::integer[]
  )`.as<"ends">(sql`ends(room, connection_id, end_reason, left_at, leave_ms)`);
  return db
    .updateTable("herenow_sessions")
    .from(endsTable)
    .set((eb) => ({
      left_at: eb.ref("ends.left_at"),
      end_reason: eb.ref("ends.end_reason"),
      leave_ms: eb.ref("ends.leave_ms"),
    }))
    .whereRef("herenow_sessions.room", "=", "ends.room")
    .whereRef("herenow_sessions.connection_id", "=", "ends.connection_id")
    .where("herenow_sessions.left_at", "is", null);
}

/**
 * Filters for `store.sessions()`.
 *
 * @example
 * await store.sessions({ room: "lobby", since: new Date(Date.now() - 86_400_000), limit: 50 } satisfies SessionQuery);
 */
export interface SessionQuery {
  room?: string;
  userId?: string;
  /** Only sessions that began at or after this instant. */
  since?: Date;
  /** At most this many, newest first. Default 100. */
  limit?: number;
}

/** Session history, newest first (ties broken by id, so the order is stable). */
export async function listSessions(db: Kysely<Database>, query: SessionQuery = {}): Promise<Session[]> {
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`sessions: limit must be a positive integer, got ${limit}`);
  let q = db.selectFrom("herenow_sessions").selectAll();
  if (query.room !== undefined) q = q.where("room", "=", query.room);
  if (query.userId !== undefined) q = q.where("user_id", "=", query.userId);
  if (query.since !== undefined) q = q.where("joined_at", ">=", query.since);
  const rows = await q.orderBy("joined_at", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map(toSession);
}

/**
 * Distinct users, and anonymous connections, whose sessions covered `at`:
 * joined at or before it and not yet left (a session ending exactly at `at`
 * no longer counts).
 */
export async function whoWasHere(db: Kysely<Database>, room: string, at: Date): Promise<WhoWasHere> {
  const rows = await db
    .selectFrom("herenow_sessions")
    .select(["user_id", "user_name"])
    .where("room", "=", room)
    .where("joined_at", "<=", at)
    .where((eb) => eb.or([eb("left_at", "is", null), eb("left_at", ">", at)]))
    .orderBy("joined_at")
    .orderBy("id")
    .execute();
  const users = new Map<string, { id: string; name: string | null }>();
  let anonymous = 0;
  for (const row of rows) {
    if (row.user_id === null) anonymous += 1;
    else if (!users.has(row.user_id)) users.set(row.user_id, { id: row.user_id, name: row.user_name });
  }
  return { users: [...users.values()], anonymous };
}
