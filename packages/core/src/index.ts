export type { AgentMemberRequest } from "./agent-member";
export { AGENT_LIMITS, agentConnectionId, isAgentConnectionId, parseAgentMember } from "./agent-member";
export type { ParsedClientMessage } from "./client-message";
export { parseClientMessage } from "./client-message";
export type { Clock } from "./clock";
export { ManualClock, systemClock } from "./clock";
export { safeEqual } from "./constant-time";
export type { DisplayNameCheck } from "./display-name";
export { normalizeDisplayName } from "./display-name";
export { ErrorBudget } from "./error-budget";
export { exceedsUtf8, jsonSize, utf8Length } from "./json-size";
export type { OccupancyEvent } from "./occupancy";
export { withOccupancy } from "./occupancy";
export type { CreatePresenceTokenOptions, PresenceToken, PresenceTokenUser } from "./presence-token";
export { createPresenceToken, DEFAULT_TOKEN_LIFETIME_SECONDS } from "./presence-token";
export type {
  AppMessage,
  CountMessage,
  DiffMessage,
  ErrorCode,
  ErrorMessage,
  FollowMessage,
  HeartbeatMessage,
  Json,
  JsonObject,
  LeaveMessage,
  ListMessage,
  MemberIdentity,
  PageMessage,
  PongMessage,
  PresenceClientMessage,
  PresenceUser,
  RecentUser,
  ResyncMessage,
  RoomSnapshot,
  RoomWindow,
  ServerMessage,
  StateMessage,
  StatusMessage,
  SyncMessage,
  UserIdentity,
  UserKind,
  UserStatus,
} from "./protocol";
export { CLOSE_CODES, DEFAULTS, FRAMES, LIMITS, SETTING_MINIMUMS, USER_STATUSES } from "./protocol";
export type {
  CloseKind,
  ConnectionEvent,
  ConnectResult,
  LeaveReason,
  LingeringConnection,
  RestoredConnection,
  RoomPresenceOptions,
  StateResult,
  StatusResult,
  TickResult,
  UserStateEntry,
} from "./room/connections";
export { LEAVE_REASONS } from "./room/connections";
export type { UserPage } from "./room/page";
export { pageInJoinOrder } from "./room/page";
export type { ApplyResult, PresenceSnapshot } from "./room/presence-view";
export { EMPTY_SNAPSHOT, PresenceView } from "./room/presence-view";
export type { MirrorChanges, RoomState } from "./room/room-mirror";
export { RoomMirror } from "./room/room-mirror";
export { RoomPresence } from "./room/room-presence";
export type { RoomReader, WindowChanges, WindowSpec } from "./room/room-window";
export { WindowedDiff, windowUsers } from "./room/room-window";
export type { ShardReport, ShardUser } from "./room/shard-totals";
export { ShardTotals, takeShardReport } from "./room/shard-totals";
export { morePresent } from "./room/user-status";
export { isRoomNameFragment, isValidRoomName, roomNameProblem } from "./room-name";
export { shardOf } from "./shard-of";
export type { TokenClaims } from "./token-claims";
export { checkTokenClaims, identityFromClaims } from "./token-claims";
export type {
  WebhookBatch,
  WebhookConnection,
  WebhookEvent,
  WebhookHeader,
  WebhookPart,
  WebhookReply,
  WebhookResult,
} from "./webhook";
export {
  checkSignatureHeader,
  newGeneration,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhook,
  WEBHOOK_PART_BYTES,
  WebhookBatchSchema,
  WebhookPartSchema,
} from "./webhook";
export { joinWebhookParts, splitWebhookBatch } from "./webhook-parts";
