import type { Json, LeaveReason, UserStatus } from "@herenow/core";
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Postgres `bigint` as the drivers return it: `pg` gives a string, PGlite a
 * number. Read it through `Number()`; the values here never reach 2^53.
 *
 * @example
 * const seq = Number(room.seq);
 */
export type Int8 = ColumnType<string | number | bigint, number | bigint | undefined, number | bigint>;

/** A JSON value as `jsonb` stores it: the protocol's own `Json`. */
export type { Json };

/** Timestamps read back as `Date`, written as `Date` (or left to the default). */
type Timestamp = ColumnType<Date, Date | undefined, Date>;

/** A nullable column that may be left out of an insert (it defaults to null). */
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

/**
 * One row per room that has (or had) presences.
 *
 * @example
 * const room: RoomRecord = await db.selectFrom("herenow_rooms").selectAll().where("name", "=", "lobby").executeTakeFirstOrThrow();
 */
export interface RoomsTable {
  name: string;
  /** The room's current generation id: rows of an older generation are stale. */
  generation: Nullable<string>;
  /**
   * The last sequence number applied from the room's webhook batches
   * (default 0; `Int8` already makes it optional on insert, and wrapping it
   * in `Generated` would make it impossible to update).
   */
  seq: Int8;
  created_at: Timestamp;
  last_activity_at: Timestamp;
  /**
   * The room's lease: when its last webhook keep-alive vouched for every
   * connection it had. A presence counts as seen at the later of its own
   * `last_seen_at` and this.
   */
  keepalive_at: Nullable<Date>;
  /**
   * Since when the room has had a signed-in user, from its webhook's
   * `occupied` (set) and `vacated` (null) and from its snapshots.
   */
  occupied_since: Nullable<Date>;
}

/**
 * One row per live connection in a room (`user_id` null = anonymous).
 *
 * @example
 * const rows: PresenceRecord[] = await db.selectFrom("herenow_presences").selectAll().execute();
 */
export interface PresencesTable {
  room: string;
  connection_id: string;
  user_id: Nullable<string>;
  user_name: Nullable<string>;
  user_info: Nullable<Json>;
  /** `agent` for a member without a socket (`PUT .../members/<userId>`); null for people. */
  user_kind: Nullable<"agent">;
  joined_at: Timestamp;
  last_seen_at: Timestamp;
  generation: Nullable<string>;
  /** Protocol 1.2: the connection's status (`active` by default: a new connection starts active). */
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  /**
   * Protocol 1.2: the last moment the connection was `active`, once it is
   * not. Null while it is active (it is active now), and read as
   * `joined_at` on a row that is not active and lacks it.
   */
  active_at: Nullable<Date>;
}

/**
 * Why a session ended, as stored in `herenow_sessions.end_reason`.
 *
 * @example
 * await store.remove("lobby", "c-1", "kicked" satisfies EndReason);
 */
export type EndReason = LeaveReason | "restart" | "pruned";

/**
 * History: one row per stay of a connection in a room; `left_at` is null
 * while it is open. Deliberately no foreign key to rooms: history outlives
 * pruned rooms.
 *
 * @example
 * const open = await db.selectFrom("herenow_sessions").selectAll().where("left_at", "is", null).execute();
 */
export interface SessionsTable {
  id: Generated<Int8>;
  room: string;
  connection_id: string;
  user_id: Nullable<string>;
  user_name: Nullable<string>;
  joined_at: Timestamp;
  left_at: Nullable<Date>;
  end_reason: Nullable<EndReason>;
  /**
   * The room's own measurement, from its leave's webhook event: how many ms
   * after the connection's socket closed the others were told it left.
   * Null when there was no close to measure from (a kick, a prune, a
   * `presence:leave`) or the room did not send it.
   */
  leave_ms: Nullable<number>;
}

/**
 * Each run (generation) of a room the receiver saw, with the one before it:
 * a row whose `previous` is set and that `lost` someone is a restart.
 *
 * @example
 * const restarts = await db.selectFrom("herenow_generations").selectAll().where("previous", "is not", null).execute();
 */
export interface GenerationsTable {
  room: string;
  generation: string;
  previous: Nullable<string>;
  seen_at: Timestamp;
  /** How many open stays the generation's first batch ended as `restart`: people the restart lost. */
  lost: ColumnType<number, number | undefined, number>;
}

/**
 * Site-wide people and connections online in one settled step of a chart,
 * kept by the read that counted it (see history-keep.ts).
 *
 * @example
 * const kept = await db.selectFrom("herenow_online_steps").selectAll().where("step_ms", "=", 600_000).execute();
 *
 * @public the declarations of the queries that read it name it (build error TS4058 otherwise)
 */
export interface OnlineStepsTable {
  step_ms: number;
  at: Date;
  people: number;
  connections: number;
}

/**
 * Site-wide presence quality in one settled step: flaps, vanished stays and
 * the time-to-leave histogram (counts per bucket, see leave-buckets.ts).
 *
 * @example
 * const kept = await db.selectFrom("herenow_quality_steps").selectAll().where("step_ms", "=", 3_600_000).execute();
 *
 * @public the declarations of the queries that read it name it (build error TS4058 otherwise)
 */
export interface QualityStepsTable {
  step_ms: number;
  at: Date;
  flaps: number;
  vanished: number;
  leaves: number[];
}

/**
 * The rooms with a flap or a vanished stay in one settled step.
 *
 * @example
 * const kept = await db.selectFrom("herenow_quality_rooms").selectAll().where("room", "=", "stage").execute();
 *
 * @public the declarations of the queries that read it name it (build error TS4058 otherwise)
 */
export interface QualityRoomsTable {
  step_ms: number;
  at: Date;
  room: string;
  flaps: number;
  vanished: number;
}

/**
 * One bucket of a room's time-to-leave histogram in one settled step.
 *
 * @example
 * const kept = await db.selectFrom("herenow_quality_leaves").selectAll().where("room", "=", "stage").execute();
 *
 * @public the declarations of the queries that read it name it (build error TS4058 otherwise)
 */
export interface QualityLeavesTable {
  step_ms: number;
  room: string;
  at: Date;
  bucket: number;
  measured: number;
}

/**
 * Idempotency ids of webhook batches already applied, so a retried delivery
 * applies once. Keyed by (room, id); `store.pruneBatches` forgets old ones.
 *
 * @example
 * await db.insertInto("herenow_batches").values({ id: "b-1", room: "lobby" }).execute();
 */
export interface BatchesTable {
  id: string;
  room: string;
  applied_at: Timestamp;
}

/**
 * Parts of a webhook batch too large for one request, kept until the batch
 * is complete and applied. `events` and `snapshot` are the part's slices as
 * JSON text.
 *
 * @example
 * const staged = await db.selectFrom("herenow_batch_parts").selectAll().where("room", "=", "hall").execute();
 *
 * @public the declarations of the queries that read it name it (build error TS4058 otherwise)
 */
export interface BatchPartsTable {
  room: string;
  generation: string;
  seq: Int8;
  number: number;
  count: number;
  seal: string;
  sent_at: Int8;
  events: string;
  snapshot: Nullable<string>;
  staged_at: Timestamp;
}

/**
 * The tables herenow owns, for `Kysely<Database>`.
 *
 * @example
 * const db: Kysely<Database> = createDb({ url: "pglite://memory" });
 */
export interface Database {
  herenow_rooms: RoomsTable;
  herenow_presences: PresencesTable;
  herenow_sessions: SessionsTable;
  herenow_batches: BatchesTable;
  herenow_batch_parts: BatchPartsTable;
  herenow_generations: GenerationsTable;
  herenow_online_steps: OnlineStepsTable;
  herenow_quality_steps: QualityStepsTable;
  herenow_quality_rooms: QualityRoomsTable;
  herenow_quality_leaves: QualityLeavesTable;
}

/** @example const r: RoomRecord = await db.selectFrom("herenow_rooms").selectAll().executeTakeFirstOrThrow(); */
export type RoomRecord = Selectable<RoomsTable>;
/** @example const r: NewRoomRecord = { name: "lobby" }; */
export type NewRoomRecord = Insertable<RoomsTable>;
/** @example const u: RoomRecordUpdate = { last_activity_at: new Date() }; */
export type RoomRecordUpdate = Updateable<RoomsTable>;

/** @example const p: PresenceRecord = await db.selectFrom("herenow_presences").selectAll().executeTakeFirstOrThrow(); */
export type PresenceRecord = Selectable<PresencesTable>;
/** @example const p: NewPresenceRecord = { room: "lobby", connection_id: "c-1" }; */
export type NewPresenceRecord = Insertable<PresencesTable>;
/** @example const u: PresenceRecordUpdate = { last_seen_at: new Date() }; */
export type PresenceRecordUpdate = Updateable<PresencesTable>;

/** @example const s: SessionRecord = await db.selectFrom("herenow_sessions").selectAll().executeTakeFirstOrThrow(); */
export type SessionRecord = Selectable<SessionsTable>;
/** @example const s: NewSessionRecord = { room: "lobby", connection_id: "c-1", joined_at: new Date() }; */
export type NewSessionRecord = Insertable<SessionsTable>;
/** @example const u: SessionRecordUpdate = { left_at: new Date(), end_reason: "closed" }; */
export type SessionRecordUpdate = Updateable<SessionsTable>;

/** @example const p: BatchPartRecord = await db.selectFrom("herenow_batch_parts").selectAll().executeTakeFirstOrThrow(); */
export type BatchPartRecord = Selectable<BatchPartsTable>;

/** @example const b: BatchRecord = await db.selectFrom("herenow_batches").selectAll().executeTakeFirstOrThrow(); */
export type BatchRecord = Selectable<BatchesTable>;
/** @example const b: NewBatchRecord = { id: "b-1", room: "lobby" }; */
export type NewBatchRecord = Insertable<BatchesTable>;
