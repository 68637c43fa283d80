import { type CommonTableExpressionOutput, type Kysely, type QueryCreator, sql } from "kysely";
import { inTransaction } from "./in-transaction";
import { presenceRows } from "./presence-reads";
import { toPresence } from "./presence-rows";
import type { Presence } from "./presence-types";
import { planRoom, type RoomChanges, type RoomPlan } from "./room-plan";
import type { Database } from "./schema";
import { closeSessionsQuery } from "./sessions";

// The one writer of presence rows and sessions: a plan from room-plan.ts
// becomes data-modifying CTEs of a single statement. The webhook receiver
// adds its room bookkeeping and the batch id to that statement; the store
// adds the room's last activity. Both lock the room's row first, so the
// rows a plan was made from cannot change under it.

/** One data-modifying part of the statement that writes a plan. */
export type WritePart = [name: string, query: CommonTableExpressionOutput<Database, string>];

/** A time as SQL parameters carry it (arrays of Dates do not survive both drivers alike). */
export const iso = (at: Date | null): string | null => at?.toISOString() ?? null;

/**
 * The rows a plan needs: those of the connections the events name, or the
 * whole room for a snapshot, with last-seen times within the room's lease,
 * read as of `now`.
 */
export async function rowsBefore(
  trx: Kysely<Database>,
  changes: RoomChanges,
  now: Date,
): Promise<Map<string, Presence>> {
  let query = presenceRows(trx).where("herenow_presences.room", "=", changes.room);
  if (!changes.snapshot) {
    const ids = [...new Set(changes.events.flatMap((e) => ("connectionId" in e ? [e.connectionId] : [])))];
    if (ids.length === 0) return new Map();
    // An array through `= any(…)`: a long row-IN list crashes PGlite ("bad
    // buffer ID") and makes Postgres plan one OR per key.
    query = query.where("herenow_presences.connection_id", "=", sql<string>`any(${ids}::text[])`);
  }
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.connection_id, toPresence(row, now)]));
}

/**
 * The parts that write a plan's rows and sessions. They touch disjoint rows
 * (a connection is either deleted or upserted; closed sessions are old rows,
 * new sessions new ones), which is what lets them share one snapshot. Every
 * list travels as an array through `unnest`, so the SQL text is the same
 * whatever the plan's size.
 */
export function planWrites(trx: Kysely<Database>, room: string, plan: RoomPlan): WritePart[] {
  const parts: WritePart[] = [];
  if (plan.deletes.length > 0) {
    parts.push([
      "gone",
      trx
        .deleteFrom("herenow_presences")
        .where("room", "=", room)
        .where("connection_id", "=", sql<string>`any(${plan.deletes}::text[])`),
    ]);
  }
  if (plan.upserts.length > 0) {
    const rows = plan.upserts;
    // an active row keeps no active_at: it is active now, whenever it is read
    const activeAts = rows.map((p) => (p.status === "active" ? null : iso(p.activeAt)));
    parts.push([
      "kept",
      trx
        .insertInto("herenow_presences")
        .columns([
          "room",
          "connection_id",
          "user_id",
          "user_name",
          "user_info",
          "user_kind",
          "joined_at",
          "last_seen_at",
          "generation",
          "status",
          "active_at",
        ])
        .expression(
          // jsonb travels as text and is cast in SQL: both drivers then pass the
          // string through untouched instead of each guessing how to serialise it.
          sql`select ${room}::text, u.connection_id, u.user_id, u.user_name, u.user_info::jsonb, u.user_kind, u.joined_at,
              u.last_seen_at, u.generation, u.status, u.active_at
            from unnest(
              ${rows.map((p) => p.connectionId)}::text[],
              ${rows.map((p) => p.user?.id ?? null)}::text[],
              ${rows.map((p) => p.user?.name ?? null)}::text[],
              ${rows.map((p) => (p.user?.info == null ? null : JSON.stringify(p.user.info)))}::text[],
              ${rows.map((p) => p.user?.kind ?? null)}::text[],
              ${rows.map((p) => iso(p.joinedAt))}::timestamptz[],
              ${rows.map((p) => iso(p.lastSeenAt))}::timestamptz[],
              ${rows.map((p) => p.generation)}::text[],
              ${rows.map((p) => p.status)}::text[],
              ${activeAts}::timestamptz[]
            ) as u(connection_id, user_id, user_name, user_info, user_kind, joined_at, last_seen_at, generation, status, active_at)`,
        )
        .onConflict((oc) =>
          oc.columns(["room", "connection_id"]).doUpdateSet((eb) => ({
            user_id: eb.ref("excluded.user_id"),
            user_name: eb.ref("excluded.user_name"),
            user_info: eb.ref("excluded.user_info"),
            user_kind: eb.ref("excluded.user_kind"),
            joined_at: eb.ref("excluded.joined_at"),
            // a heartbeat's touch (which takes no room lock) may have moved it on meanwhile
            last_seen_at: sql<Date>`greatest(herenow_presences.last_seen_at, excluded.last_seen_at)`,
            generation: eb.ref("excluded.generation"),
            status: eb.ref("excluded.status"),
            active_at: eb.ref("excluded.active_at"),
          })),
        ),
    ]);
  }
  if (plan.closes.length > 0) {
    parts.push([
      "closed",
      closeSessionsQuery(
        trx,
        plan.closes.map((c) => ({ room, ...c })),
      ),
    ]);
  }
  if (plan.sessions.length > 0) {
    const rows = plan.sessions;
    parts.push([
      "opened",
      trx
        .insertInto("herenow_sessions")
        .columns(["room", "connection_id", "user_id", "user_name", "joined_at", "left_at", "end_reason", "leave_ms"])
        .expression(
          sql`select ${room}::text, s.* from unnest(
            ${rows.map((s) => s.connectionId)}::text[],
            ${rows.map((s) => s.user?.id ?? null)}::text[],
            ${rows.map((s) => s.user?.name ?? null)}::text[],
            ${rows.map((s) => iso(s.joinedAt))}::timestamptz[],
            ${rows.map((s) => iso(s.leftAt))}::timestamptz[],
            ${rows.map((s) => s.reason)}::text[],
            ${rows.map((s) => s.leaveMs)}::integer[]
          ) as s`,
        ),
    ]);
  }
  return parts;
}

/** A query creator whose statement runs every part first (Postgres runs each data-modifying CTE once). */
export function withParts(trx: Kysely<Database>, parts: readonly WritePart[]): QueryCreator<Database> {
  // Each `with` widens the creator's type by a CTE nobody selects from; the base tables are all we need.
  return parts.reduce<QueryCreator<Database>>(
    (creator, [name, query]) => creator.with(name, query) as unknown as QueryCreator<Database>,
    trx,
  );
}

/**
 * The store's write: locks the room's row (creating the room for a join),
 * plans `changes` against the rows they name and writes the plan and the
 * room's last activity in one statement. Null when the room has no row and
 * nothing joins it: there is nothing to remove then.
 *
 * @example
 * const plan = await writeRoomEvents(db, { room: "lobby", generation: null, events: [leave] }, new Date());
 */
export function writeRoomEvents(db: Kysely<Database>, changes: RoomChanges, at: Date): Promise<RoomPlan | null> {
  return inTransaction(db, async (trx) => {
    if (!(await lockRoom(trx, changes, at))) return null;
    const plan = planRoom(changes, await rowsBefore(trx, changes, at), at);
    const changed = plan.upserts.length + plan.deletes.length + plan.sessions.length > 0;
    await withParts(trx, planWrites(trx, changes.room, plan))
      .updateTable("herenow_rooms")
      // greatest() skips a null: a call that changed nothing leaves last activity alone
      .set({
        last_activity_at: sql<Date>`greatest(last_activity_at, ${changed ? iso(plan.latestAt) : null}::timestamptz)`,
      })
      .where("name", "=", changes.room)
      .execute();
    return plan;
  });
}

/** Locks the room's row, creating it when someone joins; false when there is no row to lock. */
async function lockRoom(trx: Kysely<Database>, changes: RoomChanges, at: Date): Promise<boolean> {
  if (changes.events.some((event) => event.type === "join")) {
    // the no-op update on conflict is what locks an existing row
    await trx
      .insertInto("herenow_rooms")
      .values({ name: changes.room, generation: changes.generation, created_at: at, last_activity_at: at })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({
          generation: sql<string | null>`coalesce(excluded.generation, herenow_rooms.generation)`,
        }),
      )
      .execute();
    return true;
  }
  const row = await trx
    .selectFrom("herenow_rooms")
    .select("name")
    .where("name", "=", changes.room)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}
