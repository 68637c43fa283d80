// what every `onAppMessage` and `onPresenceChanged` reads, so an app needs no second import
export type { AppMessage, PresenceUser, RoomSnapshot, UserIdentity, UserStatus } from "@herenow/core";
export type { AgentMemberInput, AgentMemberResult } from "./agent-members";
export type { PresenceConnection } from "./connection-data";
export { PresenceServer } from "./presence-server";
export type { RoomChange } from "./room-events";
export type { RoomMembers } from "./room-rpc";
export { roomMembers } from "./room-rpc";
export { routePresenceRequest } from "./route";
export type { RoomSettings } from "./settings";
export { SettingsError } from "./settings";
