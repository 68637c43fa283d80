import type { HeadPush, HeadReport, RestoredConnection, UserPage } from "@herenow/core/engine";
import type { AgentMemberInput, AgentMemberResult } from "./agent-members";
import type { ReportReply } from "./shard-link";

/** A user's or a connection's sockets, for a kick. */
export type KickTarget = { userId: string } | { connectionId: string };

/** What a shard may ask of its room's coordinator. */
export interface CoordinatorRpc {
  herenowReport(shard: number, report: HeadReport): Promise<ReportReply>;
  /** The shard's part of the room, whole (a full `HeadPush`). */
  herenowPublished(shard: number): Promise<HeadPush>;
  herenowIsAgent(userId: string): Promise<boolean>;
  herenowBanUntil(userId: string): Promise<number | null>;
  herenowRelay(text: string): Promise<void>;
  /** One `presence:page` of the whole room, gathered from every shard now (`null`: `after` is no cursor). */
  herenowPage(after: string | null, limit: number): Promise<UserPage | null>;
}

/** What a coordinator may ask of one of its shards. */
export interface ShardRpc {
  /** The room's next push (JSON of a `HeadPush`). */
  herenowPush(push: string): Promise<void>;
  /** Whether a person with this id has a connection on the shard. */
  herenowHasUser(userId: string): Promise<boolean>;
  herenowRefresh(): Promise<void>;
  /** Closes the target's sockets on the shard; a ban's end (ms) is held there against sockets on their way in. */
  herenowKick(target: KickTarget, banUntil?: number | null): Promise<number>;
  herenowBroadcast(text: string): Promise<void>;
  /** One page of the shard's own users in join order (`null`: `after` is no cursor), for the coordinator to merge. */
  herenowOwnPage(after: string | null, limit: number): Promise<UserPage | null>;
  /** Every connection the shard holds, without its state (the webhook's snapshot carries none). */
  herenowOwnConnections(): Promise<RestoredConnection[]>;
}

/**
 * What the worker's code may call on a room to add and remove members without a socket.
 *
 * @example
 * const room: RoomMembers = await roomMembers(env.Main, "lobby");
 */
export interface RoomMembers {
  putMember(userId: string, member: AgentMemberInput): Promise<AgentMemberResult>;
  deleteMember(userId: string): Promise<boolean>;
}

/**
 * Every call one object of a presence worker makes to another over Durable
 * Object RPC: `PresenceServer` implements it, and every caller reaches it
 * through `roomStub`, so a method renamed on one side fails the typecheck.
 */
export interface RoomRpc extends CoordinatorRpc, ShardRpc, RoomMembers {}

/** The names of `RoomRpc`'s calls, all of them: a call added to the interface must be added here. */
const CALLS: Record<keyof RoomRpc, true> = {
  herenowReport: true,
  herenowPublished: true,
  herenowIsAgent: true,
  herenowBanUntil: true,
  herenowRelay: true,
  herenowPage: true,
  herenowPush: true,
  herenowHasUser: true,
  herenowRefresh: true,
  herenowKick: true,
  herenowBroadcast: true,
  herenowOwnPage: true,
  herenowOwnConnections: true,
  putMember: true,
  deleteMember: true,
};

/** What `roomStub` needs of a Durable Object binding (any worker's `DurableObjectNamespace<...>`). */
export interface RoomNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): object;
}

/**
 * The object of `namespace` named `name` (a room, a coordinator or a shard),
 * for RPC: every call between presence objects and from the worker's code
 * goes through here, typed by `RoomRpc`. (workers-types' own stub type maps
 * every payload through its RPC types, which the room's recursive JSON makes
 * too deep for TypeScript, so the stub is checked here instead.)
 */
export function roomStub(namespace: RoomNamespace, name: string): RoomRpc {
  const stub = namespace.get(namespace.idFromName(name));
  if (!answersRoomRpc(stub)) throw new TypeError(`the object ${name} does not answer herenow's calls (RoomRpc)`);
  return stub;
}

/** Whether an object offers every call of `RoomRpc` (a Durable Object stub offers any method by name). */
function answersRoomRpc(stub: object): stub is RoomRpc {
  return Object.keys(CALLS).every((call) => typeof Reflect.get(stub, call) === "function");
}

/**
 * The Durable Object binding of the presence rooms, which a sharded room's
 * objects use to reach each other: `HERENOW_BINDING` names it, else it is
 * the worker's only Durable Object binding.
 */
export function presenceNamespace(env: object): RoomNamespace {
  const named: unknown = Reflect.get(env, "HERENOW_BINDING");
  const namespaces = Object.entries(env).filter((entry): entry is [string, RoomNamespace] => isNamespace(entry[1]));
  const found =
    typeof named === "string"
      ? namespaces.find(([name]) => name === named)
      : namespaces.length === 1
        ? namespaces[0]
        : undefined;
  if (!found) {
    throw new Error(
      typeof named === "string"
        ? `HERENOW_BINDING names ${named}, which is not a Durable Object binding of this worker`
        : "a sharded room needs to know its rooms' Durable Object binding: set HERENOW_BINDING to its name",
    );
  }
  return found[1];
}

/** Whether a binding is a Durable Object namespace (of presence rooms: the worker's configuration says which). */
function isNamespace(value: unknown): value is RoomNamespace {
  return typeof value === "object" && value !== null && "idFromName" in value && "get" in value;
}

/**
 * A room's members, for the worker's own code (Durable Object RPC to the room's own object,
 * a sharded room's coordinator): `putMember` and `deleteMember` check and answer as the HTTP
 * API's `PUT` and `DELETE .../members/<userId>` do, with no secret, since the caller is the worker.
 *
 * @example
 * const room = await roomMembers(env.Main, "lobby");
 * const result = await room.putMember("assistant", { name: "Assistant", ttlSeconds: 60 });
 * if (!result.ok) console.warn(result.error);
 */
export async function roomMembers(namespace: RoomNamespace, room: string): Promise<RoomMembers> {
  return roomStub(namespace, room);
}
