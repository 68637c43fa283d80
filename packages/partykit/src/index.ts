export { Refusal, verifyConnection } from "./auth";
export type { ConnectionData, PresenceConnection } from "./connection-data";
export { presenceOnBeforeConnect, presenceOnBeforeRequest } from "./gate";
export { handleRoomRequest } from "./http-api";
export type { PresenceChange, PresenceRoomHooks } from "./presence-room";
export { PresenceRoom } from "./presence-room";
export type { PresenceSettings } from "./settings";
export { MIN_SECRET_BYTES, readSettings, SettingsError } from "./settings";
