import type { ObjectRole, RoleHost } from "./object-role";
import type { KickTarget } from "./room-rpc";
import type { RoomRole } from "./shards";

/** What a room of one object needs of its object. */
export type OneObjectHost = Pick<
  RoleHost,
  "presence" | "agents" | "sockets" | "store" | "bans" | "published" | "broadcast" | "scheduleAlarm"
>;

/** A room of one object: its own sockets are the whole room. */
export class OneObjectRoom implements ObjectRole {
  constructor(
    readonly role: RoomRole,
    private readonly host: OneObjectHost,
  ) {}

  get view() {
    return this.host.presence;
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

  async isAgent(userId: string): Promise<boolean> {
    return this.host.agents.has(userId);
  }

  async hasPerson(userId: string): Promise<boolean> {
    return !this.host.agents.has(userId) && this.host.presence.hasUser(userId);
  }

  async load(): Promise<void> {}

  started(): void {}

  endWindow(at: number): void {
    const { presence, sockets, store } = this.host;
    store.saveStates(presence.takeStateChanges());
    const waiting = sockets.takeWaiting();
    const diff = presence.takeDiff();
    const events = presence.takeEvents();
    if (diff) store.saveSeq(diff.seq);
    sockets.publish(diff, waiting, new Set());
    this.host.published(diff, events, at);
  }

  async broadcastToRoom(text: string): Promise<void> {
    this.host.broadcast(text);
  }

  async kick(target: KickTarget): Promise<number> {
    const count = await this.host.sockets.kick(target);
    await this.host.scheduleAlarm();
    return count;
  }

  banUntil(userId: string, now: number): Promise<number | null> {
    return this.host.bans.until(userId, now);
  }

  async haveRoom(): Promise<void> {}

  forget(): void {}

  rebuildDue(): null {
    return null;
  }

  async settle(): Promise<void> {}
}
