export { Refusal, verifyConnection } from "./auth";
export type { ConnectionData, PresenceConnection } from "./connection-data";
export { presenceGates, presenceOnBeforeConnect, presenceOnBeforeRequest } from "./gate";
export type { RoomApi } from "./http-api";
export { handleRoomRequest } from "./http-api";
export type { PresenceChange } from "./presence-server";
export { PresenceServer } from "./presence-server";
export type { PresenceSettings } from "./settings";
export { MIN_SECRET_BYTES, readSettings, SettingsError } from "./settings";
