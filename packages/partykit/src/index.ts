export { Refusal, verifyConnection } from "./auth";
export { handleRoomRequest } from "./http-api";
export type {
  ConnectionData,
  PresenceChange,
  PresenceConnection,
  PresenceRoomHooks,
} from "./presence-room";
export { PresenceRoom } from "./presence-room";
export type { PresenceSettings } from "./settings";
export { MIN_SECRET_BYTES, readSettings, SettingsError } from "./settings";
