// The public API of @herenow/db. The query functions behind the store are
// deliberately not exported: the store and the webhook receiver are the way in.

export {
  type CreateDbConfig,
  createDb,
  type DbTarget,
  dbUrlFromEnv,
  EMBEDDED_DB_URL,
  type PgPoolLike,
  parseDbUrl,
  redactDbUrl,
  resolveDbUrl,
} from "./create-db";
export { formatDuration, parseDuration } from "./duration";
export {
  HISTORY_RANGES,
  type HistoryRange,
  isHistoryRange,
  RANGE_STEPS,
  type RangeWindow,
  rangeWindow,
} from "./history-range";
export { type MigrateDownOptions, migrateDown, migrateToLatest, throwIfMigrationFailed } from "./migrate";
export type { HistoryQuery, OnlineHistory, OnlinePoint } from "./online-history";
export { FLAP_MS, type LeaveTimes, type PresenceQuality, type QualityCounts } from "./presence-quality";
export type { PresencePage, PresenceQuery } from "./presence-search";
export type {
  OccupancyChange,
  Presence,
  PresenceChangedEvent,
  PresentUser,
  RoomSummary,
  Session,
  StoredUser,
  StoredUserInput,
  UserStatus,
  WhoWasHere,
} from "./presence-types";
export { MAX_ROOM_PAGE, type RoomPage, type RoomQuery } from "./room-search";
export { type PruneReport, type RunPruneOptions, runPrune } from "./run-prune";
export type {
  BatchesTable,
  BatchRecord,
  Database,
  EndReason,
  GenerationsTable,
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
} from "./schema";
export type { SessionQuery } from "./sessions";
export {
  type AddResult,
  createPresenceStore,
  DEFAULT_BATCH_MAX_AGE_MS,
  DEFAULT_MAX_AGE_MS,
  type PresenceListener,
  type PresenceStore,
  type PresenceStoreOptions,
  type PruneOptions,
} from "./store";
export {
  createWebhookHandler,
  DEFAULT_MAX_BODY_BYTES,
  type WebhookHandler,
  type WebhookHandlerOptions,
} from "./webhook-handler";
export { type LastSeen, MAX_USER_IDS, type UserRoom, type Whereabouts } from "./whereabouts";
