import type { PresenceUser } from "@herenow/core";
import { type HeadPush, type HeadReport, type RestoredConnection, systemClock } from "@herenow/core/engine";
import type { ObjectRole, RoleHost, RoomRecord } from "./object-role";
import { RoomCoordinator } from "./room-coordinator";
import { RoomGather } from "./room-gather";
import type { KickTarget } from "./room-rpc";
import type { ReportReply } from "./shard-link";
import { type RoomRole, shardName } from "./shards";

/** What a coordinator needs of its object. */
export type CoordinatorRoleHost = Pick<
  RoleHost,
  "settings" | "storage" | "presence" | "agents" | "bans" | "stub" | "changed" | "published" | "log"
>;

/**
 * A sharded room's coordinator, the room's own object: no sockets, what every
 * client needs of the room (`RoomCoordinator`), and what is the room's as a
 * whole: its bans, agents, HTTP API and webhook.
 */
export class CoordinatorRole implements ObjectRole {
  readonly coordinator: RoomCoordinator;
  /** What no object keeps a list of, read from the shards when asked: pages, users, connections. */
  readonly gather: RoomGather;

  constructor(
    readonly role: Extract<RoomRole, { kind: "coordinator" }>,
    private readonly host: CoordinatorRoleHost,
  ) {
    const { presence, settings } = host;
    this.coordinator = new RoomCoordinator({
      shard: (index) => host.stub(shardName(role.room, index)),
      shardCount: settings.shards,
      // every full list of a room under the threshold; larger windows grow it while they are there
      headSize: settings.windowThreshold,
      storage: host.storage,
      recentMs: settings.recentMs,
      own: presence,
      changed: () => host.changed(),
      published: (diff, events, at, recentChanged) => host.published(diff, events, at, recentChanged),
      log: (message) => host.log(message),
    });
    this.gather = new RoomGather({
      shards: () => this.coordinator.shards(),
      shard: (index) => host.stub(shardName(role.room, index)),
      own: presence,
      log: (message) => host.log(message),
    });
  }

  get view(): never {
    throw new Error(`${this.role.room} is a sharded room's coordinator: it has no sockets and no view of the room`);
  }

  get record(): RoomRecord {
    return this.coordinator.head;
  }

  users(): Promise<PresenceUser[]> {
    return this.gather.users();
  }

  connections(): Promise<RestoredConnection[]> {
    return this.gather.connections();
  }

  async isAgent(userId: string): Promise<boolean> {
    return this.host.agents.has(userId);
  }

  hasPerson(userId: string): Promise<boolean> {
    return this.coordinator.hasPerson(userId);
  }

  load(now: number): Promise<void> {
    return this.coordinator.load(now);
  }

  started(): void {}

  endWindow(at: number): void {
    this.coordinator.flush(at);
  }

  async broadcastToRoom(text: string): Promise<void> {
    this.coordinator.broadcast(text);
  }

  async kick(target: KickTarget): Promise<number> {
    // every shard holds the ban too, against a socket that asked about it a moment before it began
    const until = "userId" in target ? await this.host.bans.until(target.userId, systemClock.now()) : null;
    return this.coordinator.kick(target, until);
  }

  banUntil(userId: string, now: number): Promise<number | null> {
    return this.host.bans.until(userId, now);
  }

  async haveRoom(): Promise<void> {}

  forget(): void {}

  rebuildDue(): number | null {
    return this.coordinator.rebuildDue();
  }

  async settle(): Promise<void> {
    if (this.rebuildDue() !== null) await this.coordinator.nextPush();
  }

  /** A shard's report: taken, or refused until a full one comes. */
  report(shard: number, report: HeadReport): ReportReply {
    return this.coordinator.report(shard, report);
  }

  /** One shard's part of the room, whole, for a shard that missed a push or woke without its copy. */
  published(shard: number): HeadPush {
    return this.coordinator.snapshotFor(shard);
  }
}
