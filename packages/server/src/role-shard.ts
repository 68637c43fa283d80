import type { HeadPush } from "@herenow/core/engine";
import type { ObjectRole, RoleHost } from "./object-role";
import type { KickTarget, RoomRpc } from "./room-rpc";
import { ShardLink } from "./shard-link";
import type { RoomRole } from "./shards";

/** What a shard needs of its object. */
export type ShardRoleHost = Pick<
  RoleHost,
  "settings" | "presence" | "sockets" | "store" | "stub" | "changed" | "scheduleAlarm" | "log"
>;

/**
 * A shard of a sharded room: it holds the sockets of its people, reports
 * them to the room's coordinator (`ShardLink`) and shows its sockets the
 * room's head, the people they follow and its own people. Bans, agents and
 * the webhook are the coordinator's.
 */
export class ShardRole implements ObjectRole {
  readonly link: ShardLink;
  private readonly coordinator: () => RoomRpc;

  constructor(
    readonly role: Extract<RoomRole, { kind: "shard" }>,
    private readonly host: ShardRoleHost,
  ) {
    const { presence, settings, sockets } = host;
    this.coordinator = () => host.stub(role.room);
    this.link = new ShardLink({
      shard: role.shard,
      recentMs: settings.recentMs,
      presence,
      coordinator: this.coordinator,
      shows: () => sockets.windows.shows(),
      needsEveryDiff: () => sockets.windows.needsEveryDiff(),
      publish: (changes, syncs, held) => sockets.publish(changes, syncs, held),
      resyncAll: (held) => sockets.resyncAll(held),
      flushLater: (ms) => setTimeout(() => host.changed(), ms),
      log: (message) => host.log(message),
    });
    // the people this shard's sockets follow are watched on their own shards
    sockets.follows.watchWith(this.link.reporter);
  }

  get view() {
    return this.link.view;
  }

  get record() {
    return this.host.presence;
  }

  async users() {
    return this.host.presence.snapshotUsers();
  }

  async connections() {
    return this.host.presence.snapshotConnections();
  }

  /** An agent member lives at the coordinator: asked on connect, never on a heartbeat. */
  isAgent(userId: string): Promise<boolean> {
    return this.coordinator().herenowIsAgent(userId);
  }

  async hasPerson(userId: string): Promise<boolean> {
    return this.host.presence.hasUser(userId);
  }

  async load(): Promise<void> {}

  started(): void {
    // a shard tells its coordinator everything it has as soon as it starts
    this.host.changed();
  }

  endWindow(at: number): void {
    const { presence, sockets, store } = this.host;
    store.saveStates(presence.takeStateChanges());
    // a shard's own changes go to its coordinator; the room's push comes back to every shard
    this.link.flush(sockets.takeWaiting(), at);
  }

  broadcastToRoom(text: string): Promise<void> {
    return this.coordinator().herenowRelay(text);
  }

  async kick(target: KickTarget): Promise<number> {
    const count = await this.host.sockets.kick(target);
    await this.host.scheduleAlarm();
    return count;
  }

  /** The coordinator's kick: the ban's end is kept here against sockets still on their way in. */
  kickHere(target: KickTarget, banUntil: number | null): Promise<number> {
    if (banUntil !== null && "userId" in target) this.host.sockets.heardBans.hear(target.userId, banUntil);
    return this.kick(target);
  }

  /** A sharded room keeps its bans at its coordinator: asked on connect, never on a heartbeat. */
  banUntil(userId: string): Promise<number | null> {
    return this.coordinator().herenowBanUntil(userId);
  }

  haveRoom(): Promise<void> {
    return this.link.haveRoom();
  }

  forget(connectionId: string): void {
    this.link.forget(connectionId);
  }

  rebuildDue(): null {
    return null;
  }

  async settle(): Promise<void> {}

  /** The room's next push from the coordinator (JSON of a `HeadPush`). */
  receive(push: string): Promise<void> {
    return this.link.receive(JSON.parse(push) as HeadPush);
  }

  /** The coordinator restarted and needs everything this shard has. */
  refresh(): void {
    this.link.refresh();
  }
}
