import { type Kysely, sql } from "kysely";
import { inTransaction } from "./in-transaction";
import { PRESENCE_COLUMNS } from "./presence-reads";
import { keyOf, toPresence } from "./presence-rows";
import type { Presence, StoredUserInput } from "./presence-types";
import type { Database, EndReason, Json } from "./schema";
import { closeSessions, openSessions } from "./sessions";

// Every function here takes a batch and issues a fixed number of statements
// whatever its size, so a webhook receiver can apply many joins and leaves in
// one transaction; the store calls them with batches of one.

/** One connection joining a room. */
export interface Join {
  room: string;
  connectionId: string;
  user: StoredUserInput | null;
  at: Date;
  generation: string | null;
}

/**
 * What a join did: `added` false means the connection was already there as
 * the same user. Outcomes come back ordered by room and connection id.
 */
export interface JoinOutcome {
  presence: Presence;
  added: boolean;
  /** The same connection's previous row, when it now belongs to a different user. */
  replaced: Presence | null;
}

/** One connection leaving a room. */
export interface Leave {
  room: string;
  connectionId: string;
  reason: EndReason;
  at: Date;
}

type Key = { room: string; connectionId: string };

/**
 * The connections of a batch as a table to join against. Arrays through
 * `unnest` rather than `(room, connection_id) in ((…), …)`: a long row-IN
 * list crashes PGlite ("bad buffer ID") and makes Postgres plan one OR per key.
 */
function keysTable(keys: readonly Key[]) {
  return sql<{ room: string; connection_id: string }>`unnest(
    ${keys.map((k) => k.room)}::text[],
    ${keys.map((k) => k.connectionId)}::text[]
  )`.as<"keys">(sql`keys(room, connection_id)`);
}

function jsonb(value: Json | null | undefined) {
  // Sent as text and cast in SQL: both drivers then pass the string through
  // untouched instead of each guessing how to serialise a JS value.
  return value === undefined || value === null ? null : sql<Json>`cast(${JSON.stringify(value)}::text as jsonb)`;
}

/**
 * Keeps the last of several entries for one connection (one statement cannot
 * touch a row twice), sorted by key so that concurrent batches lock rows in
 * the same order and cannot deadlock each other.
 */
function lastPerKey<T extends Key>(items: readonly T[]): T[] {
  const byKey = new Map(items.map((item) => [keyOf(item.room, item.connectionId), item]));
  return [...byKey.keys()].sort().map((key) => byKey.get(key) as T);
}

/**
 * Adds connections to rooms, creating the rooms. A connection already in the
 * room as the same user is refreshed (name, info, last seen) without a new
 * session; one that now carries a different user is updated in place, its old
 * session closed as "left" and a new one opened. (django-channels-presence
 * raised an IntegrityError there.)
 *
 * @example
 * await db.transaction().execute((trx) => addPresences(trx, events.map(toJoin)));
 */
export function addPresences(db: Kysely<Database>, joins: readonly Join[]): Promise<JoinOutcome[]> {
  const batch = lastPerKey(joins);
  if (batch.length === 0) return Promise.resolve([]);
  return inTransaction(db, async (trx) => {
    await upsertRooms(trx, batch);
    const before = await trx
      .selectFrom("herenow_presences")
      .innerJoin(keysTable(batch), (join) =>
        join
          .onRef("keys.room", "=", "herenow_presences.room")
          .onRef("keys.connection_id", "=", "herenow_presences.connection_id"),
      )
      .selectAll("herenow_presences")
      .forUpdate("herenow_presences")
      .execute();
    const previous = new Map(before.map((row) => [keyOf(row.room, row.connection_id), toPresence(row)]));
    const rows = await trx
      .insertInto("herenow_presences")
      .values(
        batch.map((j) => ({
          room: j.room,
          connection_id: j.connectionId,
          user_id: j.user?.id ?? null,
          user_name: j.user?.name ?? null,
          user_info: jsonb(j.user?.info),
          joined_at: j.at,
          last_seen_at: j.at,
          generation: j.generation,
        })),
      )
      .onConflict((oc) =>
        oc.columns(["room", "connection_id"]).doUpdateSet((eb) => ({
          user_id: eb.ref("excluded.user_id"),
          user_name: eb.ref("excluded.user_name"),
          user_info: eb.ref("excluded.user_info"),
          // A different user on the same connection starts a new stay.
          joined_at: sql<Date>`case when herenow_presences.user_id is distinct from excluded.user_id
            then excluded.joined_at else herenow_presences.joined_at end`,
          last_seen_at: sql<Date>`greatest(herenow_presences.last_seen_at, excluded.last_seen_at)`,
          generation: sql<string | null>`coalesce(excluded.generation, herenow_presences.generation)`,
        })),
      )
      .returning(PRESENCE_COLUMNS)
      // xmax is 0 only for a freshly inserted row: tells inserts from updates
      // even if another transaction inserted the row after our SELECT.
      .returning(sql<boolean>`xmax = 0`.as("inserted"))
      .execute();

    // An update without a row from our SELECT means another transaction
    // inserted it meanwhile; we cannot tell its user, so it counts as a refresh.
    const outcomes: JoinOutcome[] = rows.map(({ inserted, ...row }) => {
      const presence = toPresence(row);
      const old = previous.get(keyOf(row.room, row.connection_id)) ?? null;
      const replaced = !inserted && old !== null && old.user?.id !== presence.user?.id ? old : null;
      return { presence, added: inserted || replaced !== null, replaced };
    });
    const replaced = outcomes.flatMap((o) => (o.replaced ? [o] : []));
    await closeSessions(
      trx,
      replaced.map((o) => ({
        room: o.presence.room,
        connectionId: o.presence.connectionId,
        reason: "left",
        at: o.presence.joinedAt,
      })),
    );
    await openSessions(
      trx,
      outcomes.filter((o) => o.added).map((o) => o.presence),
    );
    return outcomes;
  });
}

async function upsertRooms(trx: Kysely<Database>, joins: readonly Join[]): Promise<void> {
  const rooms = new Map<string, { name: string; generation: string | null; at: Date }>();
  for (const j of joins) {
    const room = rooms.get(j.room);
    rooms.set(j.room, {
      name: j.room,
      generation: j.generation ?? room?.generation ?? null,
      at: room && room.at > j.at ? room.at : j.at,
    });
  }
  await trx
    .insertInto("herenow_rooms")
    .values(
      // Sorted for the same lock order reason as lastPerKey.
      [...rooms.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((r) => ({
          name: r.name,
          generation: r.generation,
          created_at: r.at,
          last_activity_at: r.at,
        })),
    )
    .onConflict((oc) =>
      oc.column("name").doUpdateSet({
        last_activity_at: sql<Date>`greatest(herenow_rooms.last_activity_at, excluded.last_activity_at)`,
        generation: sql<string | null>`coalesce(excluded.generation, herenow_rooms.generation)`,
      }),
    )
    .execute();
}

/** Moves rooms' last activity forward (never back: batches may arrive out of order). */
async function bumpRooms(trx: Kysely<Database>, activity: ReadonlyMap<string, Date>): Promise<void> {
  if (activity.size === 0) return;
  const rooms = sql<{ name: string; at: Date }>`unnest(
    ${[...activity.keys()]}::text[],
    ${[...activity.values()].map((at) => at.toISOString())}::timestamptz[]
  )`.as<"activity">(sql`activity(name, at)`);
  await trx
    .updateTable("herenow_rooms")
    .from(rooms)
    .set({ last_activity_at: sql<Date>`greatest(herenow_rooms.last_activity_at, activity.at)` })
    .whereRef("herenow_rooms.name", "=", "activity.name")
    .execute();
}

function latestPerRoom(items: readonly { room: string; at: Date }[]): Map<string, Date> {
  const latest = new Map<string, Date>();
  for (const { room, at } of items) {
    const seen = latest.get(room);
    if (!seen || at > seen) latest.set(room, at);
  }
  return latest;
}

/**
 * Removes connections from rooms and closes their sessions, each with its own reason and time.
 *
 * @example
 * await removePresences(trx, [{ room: "lobby", connectionId: "c-1", reason: "left", at: new Date() }]);
 */
export function removePresences(db: Kysely<Database>, leaves: readonly Leave[]): Promise<Presence[]> {
  const batch = lastPerKey(leaves);
  if (batch.length === 0) return Promise.resolve([]);
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .deleteFrom("herenow_presences")
      .using(keysTable(batch))
      .whereRef("keys.room", "=", "herenow_presences.room")
      .whereRef("keys.connection_id", "=", "herenow_presences.connection_id")
      .returning(PRESENCE_COLUMNS)
      .execute();
    const byKey = new Map(batch.map((l) => [keyOf(l.room, l.connectionId), l]));
    const done = rows.flatMap((row) => byKey.get(keyOf(row.room, row.connection_id)) ?? []);
    await closeSessions(trx, done);
    await bumpRooms(trx, latestPerRoom(done));
    return rows.map(toPresence);
  });
}

/** Removes one connection from every room it is in (django's `leave_all`). */
export function removeConnection(
  db: Kysely<Database>,
  connectionId: string,
  reason: EndReason,
  at: Date,
): Promise<Presence[]> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .deleteFrom("herenow_presences")
      .where("connection_id", "=", connectionId)
      .returning(PRESENCE_COLUMNS)
      .execute();
    const done = rows.map((row) => ({ room: row.room, connectionId, reason, at }));
    await closeSessions(trx, done);
    await bumpRooms(trx, latestPerRoom(done));
    return rows.map(toPresence);
  });
}

/**
 * Refreshes one connection's last-seen time in every room, and those rooms'
 * last activity, in one statement. Returns the rooms it is in.
 */
export async function touchConnection(db: Kysely<Database>, connectionId: string, at: Date): Promise<string[]> {
  const rows = await db
    .with("touched", (qb) =>
      qb
        .updateTable("herenow_presences")
        .set({ last_seen_at: sql<Date>`greatest(last_seen_at, ${at}::timestamptz)` })
        .where("connection_id", "=", connectionId)
        .returning("room"),
    )
    .updateTable("herenow_rooms")
    .set({ last_activity_at: sql<Date>`greatest(last_activity_at, ${at}::timestamptz)` })
    .where("name", "in", (eb) => eb.selectFrom("touched").select("touched.room"))
    .returning("name")
    .execute();
  return rows.map((r) => r.name).sort();
}

/**
 * Removes presences last seen before `before`, closing their sessions as
 * "stale" at their last-seen time: that is the last moment they were known
 * to be there, so history does not keep a ghost until the prune ran. A
 * presence's room lease counts as a sighting: a room whose keep-alives
 * arrive keeps every member, whatever its row's own time.
 */
export function removeStalePresences(db: Kysely<Database>, before: Date): Promise<Presence[]> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .deleteFrom("herenow_presences")
      .using("herenow_rooms")
      .whereRef("herenow_rooms.name", "=", "herenow_presences.room")
      .where("herenow_presences.last_seen_at", "<", before)
      .where((eb) =>
        eb.or([eb("herenow_rooms.keepalive_at", "is", null), eb("herenow_rooms.keepalive_at", "<", before)]),
      )
      .returning(PRESENCE_COLUMNS)
      .execute();
    await closeSessions(
      trx,
      rows.map((row) => ({ room: row.room, connectionId: row.connection_id, reason: "stale", at: row.last_seen_at })),
    );
    return rows.map(toPresence);
  });
}

/** Deletes rooms nobody is in; returns their names. */
export async function removeEmptyRooms(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .deleteFrom("herenow_rooms")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("herenow_presences")
            .select(sql`1`.as("one"))
            .whereRef("herenow_presences.room", "=", "herenow_rooms.name"),
        ),
      ),
    )
    .returning("name")
    .execute();
  return rows.map((r) => r.name).sort();
}
