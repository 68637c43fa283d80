import type { DiffMessage, PresenceUser, RecentUser } from "@herenow/core";
import type { ConnectionEvent, RestoredConnection, RoomPresence, RoomReader } from "@herenow/core/engine";
import type { AgentMembers } from "./agent-members";
import type { RoomBans } from "./room-bans";
import type { KickTarget, RoomRpc } from "./room-rpc";
import type { RoomSockets } from "./room-sockets";
import type { RoomStorage } from "./room-storage";
import type { RoomSettings } from "./settings";
import type { RoomRole } from "./shards";

/**
 * What the object that answers for a room (a room of one object, a sharded room's coordinator)
 * keeps in memory of it: its numbers and recent list. A coordinator keeps no list of the room:
 * the snapshot's users and connections are gathered from the shards (`ObjectRole.users`, `connections`).
 */
export interface RoomRecord {
  readonly seq: number;
  readonly userCount: number;
  readonly anonymous: number;
  readonly connectionCount: number;
  recent(): RecentUser[];
  restoreRecent(entries: readonly RecentUser[]): void;
}

/**
 * What differs between the three kinds of presence object (a room of one
 * object, a shard, a coordinator): `PresenceServer` picks one of these once
 * it knows its name, and asks it wherever the three part ways.
 */
export interface ObjectRole {
  readonly role: RoomRole;
  /** The room as this object's connections see it: its own presence, or a shard's view (a coordinator has no sockets). */
  readonly view: RoomReader;
  /** The room's record, for the snapshot, the webhook and the recent list (a shard's: its own connections). */
  readonly record: RoomRecord;
  /** Every user of the room now, for the HTTP API's snapshot (a coordinator gathers them from its shards). */
  users(): Promise<PresenceUser[]>;
  /** Every connection of the room now, for the HTTP API's and the webhook's snapshots (gathered, at a coordinator). */
  connections(): Promise<RestoredConnection[]>;
  /** Whether the room has an agent member with this id (a socket of that user is refused). */
  isAgent(userId: string): Promise<boolean>;
  /** Whether a person (a socket's user) with this id is in the room (an agent of that id is refused). */
  hasPerson(userId: string): Promise<boolean>;
  /** After the room's storage loaded: a coordinator reads its own and asks its shards for everything. */
  load(now: number): Promise<void>;
  /** The end of the load: a shard reports everything it has. */
  started(): void;
  /** The end of a coalescing window: what changed goes to the sockets, the coordinator or the shards. */
  endWindow(at: number): void;
  /** A text for every connection of the room, on every object it spreads over. */
  broadcastToRoom(text: string): Promise<void>;
  /** Closes a user's or a connection's sockets, wherever they are; resolves to how many connections went. */
  kick(target: KickTarget): Promise<number>;
  /** Until when a user is banned from the room, or `null`. */
  banUntil(userId: string, now: number): Promise<number | null>;
  /** Resolves once this object can read the whole room (a shard that woke takes its copy first). */
  haveRoom(): Promise<void>;
  /** A connection closed. */
  forget(connectionId: string): void;
  /** When a restarted coordinator stops waiting for its shards, or `null` (then the webhook waits). */
  rebuildDue(): number | null;
  /** Resolves once what is read next is the whole room (a restarted coordinator heard its shards). */
  settle(): Promise<void>;
}

/** Everything a role may need of its object; each role takes only its part. */
export interface RoleHost {
  readonly settings: RoomSettings;
  readonly storage: DurableObjectStorage;
  /** This object's own connections (at a coordinator, its agents). */
  readonly presence: RoomPresence;
  /** Its members without a socket (at a shard: none, they are the coordinator's). */
  readonly agents: Pick<AgentMembers, "has">;
  readonly sockets: RoomSockets;
  readonly store: RoomStorage;
  readonly bans: RoomBans;
  /** Another object of the room, for RPC. */
  stub(name: string): RoomRpc;
  /** Something changed: the diff goes out at the end of the coalescing window. */
  changed(): void;
  /** The room changed (once per window): for the webhook and `onPresenceChanged` (and whether `recent` did, when the diff cannot tell). */
  published(diff: DiffMessage | null, events: ConnectionEvent[], at: number, recentChanged?: boolean): void;
  /** A text for this object's sockets. */
  broadcast(text: string): void;
  scheduleAlarm(): Promise<void>;
  log(message: string): void;
}
