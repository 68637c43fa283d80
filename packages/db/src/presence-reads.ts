import { morePresent } from "@herenow/core/engine";
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import { toPresence } from "./presence-rows";
import type { Presence, PresentUser, RoomSummary } from "./presence-types";
import type { Database } from "./schema";

/**
 * A presence's last-seen time as readers see it: its own, or its room's
 * lease (the room's last keep-alive) if that is later. For `returning`
 * lists of statements on herenow_presences.
 */
const leasedLastSeen = sql<Date>`greatest(herenow_presences.last_seen_at,
  (select r.keepalive_at from herenow_rooms r where r.name = herenow_presences.room))`.as("last_seen_at");

/** The columns of a presence row with {@link leasedLastSeen} for its last-seen time. */
export const PRESENCE_COLUMNS = [
  "herenow_presences.room",
  "herenow_presences.connection_id",
  "herenow_presences.user_id",
  "herenow_presences.user_name",
  "herenow_presences.user_info",
  "herenow_presences.user_kind",
  "herenow_presences.joined_at",
  "herenow_presences.generation",
  "herenow_presences.status",
  "herenow_presences.active_at",
  leasedLastSeen,
] as const;

/**
 * Presence rows as readers see them, last-seen within the room's lease.
 *
 * @example
 * const rows = await presenceRows(db).where("herenow_presences.room", "=", "lobby").execute();
 */
export function presenceRows(db: Kysely<Database>) {
  return db
    .selectFrom("herenow_presences")
    .innerJoin("herenow_rooms", "herenow_rooms.name", "herenow_presences.room")
    .select([
      ...PRESENCE_COLUMNS.slice(0, -1),
      sql<Date>`greatest(herenow_presences.last_seen_at, herenow_rooms.keepalive_at)`.as("last_seen_at"),
    ] as const);
}

/** Every connection in a room, earliest joined first, as of `now`. */
export async function getPresences(db: Kysely<Database>, room: string, now: Date): Promise<Presence[]> {
  const rows = await presenceRows(db)
    .where("herenow_presences.room", "=", room)
    .orderBy("herenow_presences.joined_at")
    .orderBy("herenow_presences.connection_id")
    .execute();
  return rows.map((row) => toPresence(row, now));
}

/**
 * Signed-in users of a room, each once however many connections they have,
 * ordered by their first join. Name and info come from their latest
 * connection, the freshest copy of their profile; status and activeAt are
 * merged over all of them as the room merges them: the most present status,
 * and `now` while one is active, else the latest moment any was.
 */
export async function getUsers(db: Kysely<Database>, room: string, now: Date): Promise<PresentUser[]> {
  const users = new Map<string, PresentUser>();
  for (const { user, status, activeAt } of await getSignedIn(db, room, now)) {
    if (!user) continue;
    const seen = users.get(user.id);
    const merged = seen ? morePresent(seen.status, status) : status;
    const latest = seen && seen.activeAt > activeAt ? seen.activeAt : activeAt;
    // Map keeps first-insertion order, so replacing a value keeps the first join's place.
    // an active user is active `now`, even on a clock behind the room's that stamped the stored times
    users.set(user.id, { ...user, status: merged, activeAt: merged === "active" ? now : latest });
  }
  return [...users.values()];
}

async function getSignedIn(db: Kysely<Database>, room: string, now: Date): Promise<Presence[]> {
  const rows = await db
    .selectFrom("herenow_presences")
    .selectAll()
    .where("room", "=", room)
    .where("user_id", "is not", null)
    .orderBy("joined_at")
    .orderBy("connection_id")
    .execute();
  return rows.map((row) => toPresence(row, now));
}

/** Connections in a room without a user. */
export async function getAnonymousCount(db: Kysely<Database>, room: string): Promise<number> {
  const { count } = await db
    .selectFrom("herenow_presences")
    .select((eb) => eb.fn.countAll().as("count"))
    .where("room", "=", room)
    .where("user_id", "is", null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

const users = sql<string>`count(distinct p.user_id)`;
const anonymous = sql<string>`count(p.connection_id) filter (where p.user_id is null)`;
/** A room's own columns, as `r`: what a select of rooms with their counts returns and groups by. */
export const ROOM_COLUMNS = ["r.name", "r.last_activity_at", "r.generation", "r.seq", "r.occupied_since"] as const;
/** A room's counts over its presences joined as `p`, in a select grouped by {@link ROOM_COLUMNS} (Postgres gives bigints: strings). */
export const COUNTS = [
  users.as("users"),
  anonymous.as("anonymous"),
  sql<string>`count(p.connection_id)`.as("connections"),
] as const;
/** The people in a room, as the lobby counts them: signed-in users plus anonymous connections (same grouping). */
export const PEOPLE = sql<string>`${users} + ${anonymous}`;

/** Every room with its counts, by name. */
export async function listRooms(db: Kysely<Database>): Promise<RoomSummary[]> {
  return summarize(db, db.selectFrom("herenow_rooms"));
}

/** One room with its counts, or `null` if the database does not know it; only its own presences are counted. */
export async function getRoom(db: Kysely<Database>, room: string): Promise<RoomSummary | null> {
  const [summary] = await summarize(db, db.selectFrom("herenow_rooms").where("name", "=", room));
  return summary ?? null;
}

/**
 * The rooms of `rooms` (a query of herenow_rooms: all of them, or a page) with
 * their presence counts, by name. The page is cut before the presences are
 * counted, so a page costs the same however many rooms there are.
 */
export async function summarize(
  db: Kysely<Database>,
  rooms: SelectQueryBuilder<Database, "herenow_rooms", object>,
): Promise<RoomSummary[]> {
  const rows = await db
    .selectFrom(rooms.select(["name", "last_activity_at", "generation", "seq", "occupied_since"]).as("r"))
    .leftJoin("herenow_presences as p", "p.room", "r.name")
    .select([...ROOM_COLUMNS, ...COUNTS])
    .groupBy([...ROOM_COLUMNS])
    .orderBy("r.name")
    .execute();
  return rows.map(toRoomSummary);
}

/** A room row with its presence counts (as Postgres returns counts: bigint, so strings), as the store returns it. */
export function toRoomSummary(row: {
  name: string;
  last_activity_at: Date;
  generation: string | null;
  seq: string | number | bigint;
  occupied_since: Date | null;
  users: string | number | bigint;
  anonymous: string | number | bigint;
  connections: string | number | bigint;
}): RoomSummary {
  return {
    name: row.name,
    users: Number(row.users),
    anonymous: Number(row.anonymous),
    connections: Number(row.connections),
    lastActivityAt: row.last_activity_at,
    occupiedSince: row.occupied_since,
    generation: row.generation,
    seq: Number(row.seq),
  };
}
