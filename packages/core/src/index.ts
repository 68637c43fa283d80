export type { AgentMemberRequest } from "./agent-member";
export { AGENT_LIMITS, parseAgentMember } from "./agent-member";
export type { ParsedClientMessage } from "./client-message";
export { parseClientMessage } from "./client-message";
export type { DisplayNameCheck } from "./display-name";
export { normalizeDisplayName } from "./display-name";
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
export type { LeaveReason } from "./room/connections";
export { LEAVE_REASONS } from "./room/connections";
export type { ApplyResult, PresenceSnapshot } from "./room/presence-view";
export { EMPTY_SNAPSHOT, PresenceView } from "./room/presence-view";
export { isRoomNameFragment, isValidRoomName, roomNameProblem } from "./room-name";
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
