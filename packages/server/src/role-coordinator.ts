import { type PublishedRoom, type ShardReport, systemClock, takeShardReport } from "@herenow/core/engine";
import type { ObjectRole, RoleHost } from "./object-role";
import { RoomCoordinator } from "./room-coordinator";
import { RoomGather } from "./room-gather";
import type { KickTarget } from "./room-rpc";
import type { ReportReply } from "./shard-link";
import { type RoomRole, shardName } from "./shards";

/** What a coordinator needs of its object. */
export type CoordinatorRoleHost = Pick<
  RoleHost,
  "settings" | "storage" | "presence" | "bans" | "stub" | "changed" | "published" | "log"
>;

/**
 * A sharded room's coordinator, the room's own object: no sockets, the
 * totals of its shards' reports (`RoomCoordinator`), and what is the room's
 * as a whole: its bans, agents, HTTP API and webhook.
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
      storage: host.storage,
      recentMs: settings.recentMs,
      changed: () => host.changed(),
      ownReport: (full, at) => takeShardReport(presence, { full, at }),
      published: (diff, events, at) => host.published(diff, events, at),
      log: (message) => host.log(message),
    });
    this.gather = new RoomGather({
      shards: () => this.coordinator.totals.shards().filter((s) => s !== -1),
      shard: (index) => host.stub(shardName(role.room, index)),
      own: presence,
      log: (message) => host.log(message),
    });
  }

  get view() {
    return this.coordinator.totals;
  }

  get record() {
    return this.coordinator.totals;
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
    if (this.rebuildDue() !== null) await this.coordinator.nextDiff();
  }

  /** A shard's report; answers with the number of the room's diff that includes it. */
  report(shard: number, report: ShardReport): Promise<ReportReply> {
    return this.coordinator.report(shard, report);
  }

  /** The whole room, for a shard that missed a diff or woke without its copy. */
  published(): PublishedRoom {
    return this.coordinator.totals.published();
  }
}
