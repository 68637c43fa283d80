/**
 * Every key herenow keeps in a room's storage, under a prefix of its own, so
 * the keys an application's subclass writes to `ctx.storage` (a "bans", an
 * "outbox", a "seq" of its own) can never meet presence's. A key here is
 * named once; the modules that keep the room's memory import it.
 */
export const STORAGE_PREFIX = "herenow:";

/** One value each. */
export const KEYS = {
  /** The storage layout this room is at (`STORAGE_VERSION`), written by the migration. */
  version: `${STORAGE_PREFIX}version`,
  /** The number of the room's last diff. */
  seq: `${STORAGE_PREFIX}seq`,
  /** Who left recently, newest first (protocol 1.2). */
  recent: `${STORAGE_PREFIX}recent`,
  /** Whether the room is in windowed mode (protocol 1.1). */
  windowed: `${STORAGE_PREFIX}windowed`,
  /** A sharded room's coordinator: the number of the room's last diff. */
  coordinatorSeq: `${STORAGE_PREFIX}coordinator:seq`,
  /** A sharded room's coordinator: the shards that had anyone at the last diff. */
  coordinatorShards: `${STORAGE_PREFIX}coordinator:shards`,
  /** The webhook outbox's own bookkeeping. */
  outboxMeta: `${STORAGE_PREFIX}wh:meta`,
  /** The webhook batch being delivered. */
  outboxBatch: `${STORAGE_PREFIX}wh:batch`,
} as const;

/** One value per id: the prefix, then the id. */
export const PREFIXES = {
  /** A connection lingering in its grace, by connection id. */
  linger: `${STORAGE_PREFIX}linger:`,
  /** A user's custom state, by user id. */
  state: `${STORAGE_PREFIX}state:`,
  /** When a user's ban ends, by user id. */
  ban: `${STORAGE_PREFIX}ban:`,
  /** The users a connection follows, by connection id. */
  follows: `${STORAGE_PREFIX}follows:`,
  /** An agent member, by user id. */
  member: `${STORAGE_PREFIX}member:`,
  /** One diff interval's webhook events, by number. */
  outboxChunk: `${STORAGE_PREFIX}wh:c:`,
  /** One part of a webhook batch sent in parts, by number. */
  outboxPart: `${STORAGE_PREFIX}wh:p:`,
} as const;

/** The layout of the keys above; rooms of herenow 0.1 kept theirs without a prefix (version 1). */
export const STORAGE_VERSION = 2;

/** Keys one storage call takes at most. */
export const MAX_KEYS_PER_CALL = 128;
