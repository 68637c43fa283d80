/**
 * `@herenow/core/engine`: the room model herenow's own packages run (the server's rooms, shards
 * and coordinators, the store's status rule, the benchmarks). Not public API: it changes with
 * herenow's internals, in any release. Apps and clients import the protocol from `@herenow/core`.
 */
export { agentConnectionId, isAgentConnectionId } from "./agent-member";
export type { Clock } from "./clock";
export { ManualClock, systemClock } from "./clock";
export { safeEqual } from "./constant-time";
export { ErrorBudget } from "./error-budget";
export { exceedsUtf8, jsonSize, utf8Length } from "./json-size";
export type { OccupancyEvent } from "./occupancy";
export { withOccupancy } from "./occupancy";
// the connection-level types, `LeaveReason` included (the root exports it too, for webhook receivers)
export { byArrival } from "./room/apply";
export type * from "./room/connections";
export type { ExposeRequest, HeadPush, HeadReport, UserKey } from "./room/head-messages";
export { FIRST_REQUEST, SHOWS_EVERYONE } from "./room/head-messages";
export { OwnChanges } from "./room/own-changes";
export type { UserPage } from "./room/page";
export { pageInJoinOrder } from "./room/page";
export { byLeaveOrder } from "./room/recent-list";
export type { RoomHeadOptions } from "./room/room-head";
export { RoomHead } from "./room/room-head";
export { RoomPresence } from "./room/room-presence";
export type { RoomReader, WindowChanges, WindowSpec } from "./room/room-window";
export { countIntervalFor, WindowedDiff, windowUsers } from "./room/room-window";
export type { TakenReport } from "./room/shard-reporter";
export { ShardReporter } from "./room/shard-reporter";
export type { ViewChanges } from "./room/shard-view";
export { mergePages, ShardView } from "./room/shard-view";
export { morePresent } from "./room/user-status";
export { fnv1a, shardOf } from "./shard-of";
