import type { AppMessage, RoomSnapshot, UserIdentity } from "@herenow/core";
import {
  type HeadPush,
  type HeadReport,
  type RestoredConnection,
  systemClock,
  type UserPage,
} from "@herenow/core/engine";
import { type Connection, Server } from "partyserver";
import type { AgentMemberInput, AgentMemberResult } from "./agent-members";
import { Refusal, verifyConnection } from "./auth";
import { dataOf, type PresenceConnection } from "./connection-data";
import { handleRoomRequest } from "./http-api";
import { installHandlers, type PresenceHalf } from "./presence-handlers";
import { PresenceRoom } from "./presence-room";
import { CoordinatorRole } from "./role-coordinator";
import { ShardRole } from "./role-shard";
import type { Ban } from "./room-bans";
import type { RoomChange } from "./room-events";
import type { KickTarget, RoomRpc } from "./room-rpc";
import { type RoomSettings, readSettings } from "./settings";
import type { ReportReply } from "./shard-link";
import { type RoomRole, refuseOtherShards } from "./shards";
import { migrateStorage } from "./storage-migration";

let warnedNoWebhook = false;

/**
 * A PartyServer room with presence: extend it and the room tracks who is
 * connected, answers the herenow protocol, prunes stale connections with
 * alarms, serves the room's HTTP API and posts its events to the webhook.
 *
 * The contract for subclasses: override any PartyServer handler you need
 * (`onStart`, `getConnectionTags`, `onConnect`, `onMessage`, `onClose`,
 * `onError`, `onAlarm`, `onRequest`) without calling `super`: presence runs
 * its part first and then yours, so an override can never switch presence
 * off. Yours sees only what is the application's: `onMessage` gets frames
 * whose `type` does not start with `presence:`, `onRequest` gets paths the
 * room API does not serve, `getConnectionTags` adds tags to presence's own.
 * Or handle application messages parsed and typed in `onAppMessage`.
 *
 * Route to it with `routePresenceRequest(request, env)` so bad tokens and
 * room names are refused before a room wakes.
 *
 * Inside, one object is a room of one object, or a sharded room's coordinator
 * or one of its shards (`HERENOW_SHARDED_ROOMS`): the role is picked once,
 * from the object's name (`role-room.ts`, `role-shard.ts`, `role-coordinator.ts`).
 *
 * @example
 * export class Main extends PresenceServer<Env> {
 *   onAppMessage(message: AppMessage, from: PresenceConnection) {
 *     if (message.type !== "chat:send") return false; // answered with invalid_message
 *     this.broadcast(JSON.stringify({ type: "chat:message", from: from.user?.name, text: message.text }));
 *   }
 * }
 */
export class PresenceServer<Env extends Cloudflare.Env = Cloudflare.Env> extends Server<Env> implements RoomRpc {
  static override options = { hibernate: true };

  readonly settings: RoomSettings;
  /** Presence's machinery in this object: connections, sockets, storage, alarm, role. */
  private readonly room: PresenceRoom;
  /** Identities verified by `fetch` for the upgrade under way, so `getConnectionTags` need not verify again. */
  private readonly verified = new WeakMap<Request, UserIdentity | null>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = readSettings(env);
    // a room deployed with herenow 0.1 moves its keys under herenow's prefix before anything reads them
    void ctx.blockConcurrencyWhile(() => migrateStorage(ctx.storage));
    this.room = new PresenceRoom({
      ctx,
      env,
      settings: this.settings,
      name: () => this.name,
      connections: (tag) => this.getConnections(tag),
      broadcast: (text) => this.broadcast(text),
      presenceChanged: (change) => void this.callHook("onPresenceChanged", () => this.onPresenceChanged(change)),
      onPresenceError: (error, where) => this.onPresenceError(error, where),
      log: (message) => this.log(message),
    });
    if (!this.settings.webhookUrl && !warnedNoWebhook) {
      warnedNoWebhook = true;
      this.log("HERENOW_WEBHOOK_URL is not set: rooms deliver no events to a database");
    }
    installHandlers(this, this.presenceHalf(), this.onAppMessage !== PresenceServer.prototype.onAppMessage);
  }

  /**
   * A room of one object, or the coordinator or a shard of a sharded room
   * (`HERENOW_SHARDED_ROOMS`), from the object's name. Read lazily: an alarm
   * may wake an object before PartyServer recovered its name.
   */
  get role(): RoomRole {
    return this.room.role.role;
  }

  // ---- hooks for applications -------------------------------------------------------------

  /**
   * An application message (its `type` does not start with `presence:`), parsed.
   * Return `false` for a type the application does not handle: the client is
   * answered with `invalid_message`. Not called when the subclass overrides `onMessage`.
   */
  onAppMessage(_message: AppMessage, _from: PresenceConnection): boolean | undefined | Promise<boolean | undefined> {
    return false;
  }

  /** Presence changed, once per window: the `presence_changed` signal of django-channels-presence. */
  onPresenceChanged(_change: RoomChange): void | Promise<void> {}

  /** Where errors of presence and of the application's hooks go. */
  onPresenceError(error: unknown, where: string): void {
    console.error(`herenow: ${where} failed`, error);
  }

  /** Where operational notes go, such as a webhook that is down. */
  log(message: string): void {
    console.warn(`herenow: ${message}`);
  }

  // ---- what applications may call ---------------------------------------------------------

  /** The generation of this room's current run, as the webhook reports it (empty without a webhook). */
  get generation(): string {
    return this.room.generation;
  }

  /** The presence id and verified user of a socket, or `null` for one presence did not set up. */
  connectionOf(socket: Connection): PresenceConnection | null {
    const data = dataOf(socket);
    return data ? { connectionId: data.id, user: data.user, socket } : null;
  }

  /**
   * The room as it is now; any pending diff goes out first so `seq` covers
   * everything. A sharded room's coordinator that just restarted answers once
   * its shards told it who is there.
   */
  async snapshot(): Promise<RoomSnapshot> {
    await this.room.settled();
    const { role } = this.room;
    const room = role.record;
    // read first: what a coordinator gathers from its shards may be ahead of `seq`, never behind it
    const snapshot = { room: this.role.room, seq: room.seq, anonymous: room.anonymous, recent: room.recent() };
    const [users, connections] = await Promise.all([role.users(), role.connections()]);
    return { ...snapshot, users, connections: connections.length };
  }

  /**
   * Sends a text to every connection of the room: in a sharded room through
   * its coordinator to every shard (an application's `broadcast` reaches only
   * the sockets of the object it runs in).
   */
  broadcastToRoom(text: string): Promise<void> {
    return this.room.role.broadcastToRoom(text);
  }

  /** Closes a user's or a connection's sockets with 4003; returns how many connections went. */
  kick(target: KickTarget): Promise<number> {
    return this.room.role.kick(target);
  }

  /**
   * Adds or refreshes a member without a socket (an AI assistant, a bot), shown with
   * `kind: "agent"` until `ttlSeconds` pass without another put; the body is checked as the
   * HTTP API's `PUT .../members/<userId>` is. From the worker's code: `(await roomMembers(env.Main,
   * room)).putMember(...)`, which reaches the room's own object (a sharded room's coordinator).
   */
  async putMember(userId: string, member: AgentMemberInput): Promise<AgentMemberResult> {
    await this.ready();
    if (this.room.role instanceof ShardRole) {
      return { ok: false, status: 409, error: "agent members live at the room's own object, not at a shard" };
    }
    const result = await this.room.agents.put(userId, member, systemClock.now());
    if (result.ok) await this.room.scheduleAlarm();
    return result;
  }

  /** Removes a member without a socket at once; `false` when the room has no agent with this id. */
  async deleteMember(userId: string): Promise<boolean> {
    await this.ready();
    const deleted = await this.room.agents.delete(userId);
    if (deleted) this.room.diffPacer.flushNow();
    return deleted;
  }

  /** Bans a user from the room for a while: refused with 403 on connect until then. */
  async ban(userId: string, seconds: number): Promise<void> {
    await this.room.bans.ban(userId, systemClock.now() + seconds * 1000);
  }

  /** The bans in force. */
  bans(): Promise<Ban[]> {
    return this.room.bans.list(systemClock.now());
  }

  /** Lifts a user's ban; `false` when there was none. */
  unban(userId: string): Promise<boolean> {
    return this.room.bans.lift(userId, systemClock.now());
  }

  // ---- between the objects of a sharded room (Durable Object RPC, `RoomRpc`; not for applications) ----

  /** Coordinator: a shard's report; taken (a push will name it), or refused until a full one. */
  async herenowReport(shard: number, report: HeadReport): Promise<ReportReply> {
    return (await this.asCoordinator()).report(shard, report);
  }

  /** Coordinator: a shard's part of the room, whole, for a shard that missed a push or woke without its copy. */
  async herenowPublished(shard: number): Promise<HeadPush> {
    const coordinator = await this.asCoordinator();
    await this.room.settled();
    return coordinator.published(shard);
  }

  /** Coordinator: whether the room has an agent member with this id (a socket of that user is refused). */
  async herenowIsAgent(userId: string): Promise<boolean> {
    await this.ready();
    return this.room.role.isAgent(userId);
  }

  /** Coordinator: until when a user is banned from the room (`null`: not banned). */
  async herenowBanUntil(userId: string): Promise<number | null> {
    await this.ready();
    return this.room.bans.until(userId, systemClock.now());
  }

  /** Coordinator: a shard's application message for every connection of the room. */
  async herenowRelay(text: string): Promise<void> {
    await this.ready();
    if (this.room.role instanceof CoordinatorRole) await this.room.role.broadcastToRoom(text);
  }

  /** Coordinator: one `presence:page` of the whole room, gathered from the shards now, for a shard's client. */
  async herenowPage(after: string | null, limit: number): Promise<UserPage | null> {
    const coordinator = await this.asCoordinator();
    await this.room.settled();
    return coordinator.gather.page(after, limit);
  }

  /** Shard: whether a person with this id has a connection here (an agent of that id is refused). */
  async herenowHasUser(userId: string): Promise<boolean> {
    await this.ready();
    return this.room.role.hasPerson(userId);
  }

  /** Shard: the room's next push from the coordinator (JSON of a `HeadPush`). */
  async herenowPush(push: string): Promise<void> {
    await this.ready();
    if (this.room.role instanceof ShardRole) await this.room.role.receive(push);
  }

  /** Shard: the coordinator restarted and needs everything this shard has. */
  async herenowRefresh(): Promise<void> {
    await this.ready();
    if (this.room.role instanceof ShardRole) this.room.role.refresh();
  }

  /** Shard: closes a user's or a connection's sockets here (the coordinator asks every shard). */
  async herenowKick(target: KickTarget, banUntil: number | null = null): Promise<number> {
    await this.ready();
    return this.room.role instanceof ShardRole ? this.room.role.kickHere(target, banUntil) : 0;
  }

  /** Shard: an application message for every socket here. */
  async herenowBroadcast(text: string): Promise<void> {
    await this.ready();
    this.broadcast(text);
  }

  /** Shard: one page of its own users, for the coordinator's gather. */
  async herenowOwnPage(after: string | null, limit: number): Promise<UserPage | null> {
    await this.ready();
    return this.room.presence.page(after, limit);
  }

  /** Shard: its connections for the coordinator's gather, without state (up to 2 KiB each, which no snapshot carries). */
  async herenowOwnConnections(): Promise<RestoredConnection[]> {
    await this.ready();
    return this.room.presence.snapshotConnections().map(({ state: _, stateAt: __, ...connection }) => connection);
  }

  /** The bearer secret of the room's HTTP API. */
  get secret(): string {
    return this.settings.secret;
  }

  /**
   * Refuses a banned user's WebSocket with 403 before the upgrade; the rest
   * is PartyServer's. The token is verified here once more (the worker's gate
   * did it too: a room never trusts that it ran), and the identity is kept
   * for `getConnectionTags`.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return super.fetch(request);
    // woken by an alarm a moment ago (after a restart, say), this object learns its name from storage first
    if (this.ctx.id.name === undefined) await this.ready();
    const { role } = this;
    let user: UserIdentity | null;
    try {
      if (role.kind === "coordinator") {
        throw new Refusal(
          500,
          `room ${role.room} is sharded (HERENOW_SHARDED_ROOMS): route requests with routePresenceRequest(request, env)`,
        );
      }
      user = await verifyConnection(request.url, role.room, this.settings);
      refuseOtherShards(role, user, this.settings.shards);
    } catch (error) {
      if (error instanceof Refusal) return error.toResponse();
      throw error;
    }
    if (user) {
      const until =
        (await this.room.role.banUntil(user.id, systemClock.now())) ??
        this.room.sockets.heardBans.until(user.id, systemClock.now());
      if (until !== null) {
        return new Refusal(403, `you are banned from this room until ${new Date(until).toISOString()}`).toResponse();
      }
      // one id, one member: an agent member keeps its id until it leaves (docs/protocol.md)
      if (await this.room.role.isAgent(user.id)) {
        return new Refusal(409, `user ${user.id} is in this room as an agent member`).toResponse();
      }
    }
    this.verified.set(request, user);
    return super.fetch(request);
  }

  // ---- inside ---------------------------------------------------------------------------------

  /** Presence's half of PartyServer's handlers (`presence-handlers.ts` puts it in front of the app's). */
  private presenceHalf(): PresenceHalf {
    const { room } = this;
    return {
      load: () => room.load(),
      tags: (connection, context) => room.sockets.prepare(connection, context, this.verified.get(context.request)),
      accept: (connection) => room.sockets.accept(connection),
      frame: (connection, message) => room.frames.handle(connection, message),
      appMessage: (connection, message) => this.appMessage(connection, message),
      closed: (connection, code) => {
        const id = room.sockets.closed(connection, code);
        if (id !== null) room.frames.forget(id);
      },
      alarm: () => room.alarm(),
      request: (request) => handleRoomRequest(request, this),
      scheduleAlarm: () => room.scheduleAlarm(),
      callHook: (where, run) => this.callHook(where, run),
    };
  }

  /** An application message for `onAppMessage`; one it does not handle (`false`) is answered with `invalid_message`. */
  private async appMessage(connection: Connection, message: AppMessage): Promise<void> {
    const from = this.connectionOf(connection);
    if (!from) return;
    let handled: boolean | undefined;
    await this.callHook("onAppMessage", async () => {
      handled = await this.onAppMessage(message, from);
    });
    if (handled === false) {
      const unknown = `unknown message type ${JSON.stringify(message.type)}`;
      this.room.frames.refuse(connection, from.connectionId, "invalid_message", unknown);
    }
  }

  /** The coordinator role, for a shard's call; an object that is not one refuses it. */
  private async asCoordinator(): Promise<CoordinatorRole> {
    await this.ready();
    const { role } = this.room;
    if (!(role instanceof CoordinatorRole)) throw new Error(`${this.name} is not the coordinator of a sharded room`);
    return role;
  }

  /**
   * Makes sure PartyServer knows this object's name and the room loaded, for
   * an RPC from another object (PartyServer does it for fetch, sockets and
   * alarms, but after our own `fetch` reads the room). An object that an
   * alarm woke has no name in its id: PartyServer reads the one it stored, so
   * `this.name` throws until that is done.
   */
  private ready(): Promise<void> {
    const name = this.ctx.id.name;
    return name === undefined ? this.__unsafe_ensureInitialized() : this.setName(name);
  }

  private async callHook(where: string, run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.onPresenceError(error, where);
    }
  }
}
