// The public API of @herenow/db. The query functions behind the store are
// deliberately not exported: the store and the webhook receiver are the way in.

export {
  type CreateDbConfig,
  createDb,
  type DbTarget,
  EMBEDDED_DB_URL,
  parseDbUrl,
  redactDbUrl,
  resolveDbUrl,
} from "./create-db.js";
export { formatDuration, parseDuration } from "./duration.js";
export { type MigrateDownOptions, migrateDown, migrateToLatest, throwIfMigrationFailed } from "./migrate.js";
export { PgliteDialect, type PgliteDialectConfig, type PgliteLike } from "./pglite-dialect.js";
export type {
  Presence,
  PresenceChange,
  PresenceUser,
  PresenceUserInput,
  RoomSummary,
  Session,
  WhoWasHere,
} from "./presence-types.js";
export { type PruneReport, type RunPruneOptions, runPrune } from "./run-prune.js";
export type {
  BatchesTable,
  BatchRecord,
  Database,
  EndReason,
  Int8,
  Json,
  NewBatchRecord,
  NewPresenceRecord,
  NewRoomRecord,
  NewSessionRecord,
  PresenceRecord,
  PresenceRecordUpdate,
  PresencesTable,
  RoomRecord,
  RoomRecordUpdate,
  RoomsTable,
  SessionRecord,
  SessionRecordUpdate,
  SessionsTable,
} from "./schema.js";
export type { SessionQuery } from "./sessions.js";
export {
  type AddResult,
  createPresenceStore,
  DEFAULT_BATCH_MAX_AGE_MS,
  DEFAULT_MAX_AGE_MS,
  type PresenceListener,
  type PresenceStore,
  type PresenceStoreOptions,
  type PruneOptions,
} from "./store.js";
export {
  createWebhookHandler,
  DEFAULT_MAX_BODY_BYTES,
  type WebhookHandler,
  type WebhookHandlerOptions,
} from "./webhook-handler.js";
