import {
  type AppMessage,
  CLOSE_CODES,
  DEFAULTS,
  type DiffMessage,
  type ErrorCode,
  FRAMES,
  type JsonObject,
  LIMITS,
  type ListMessage,
  parseClientMessage,
  type RoomSnapshot,
  type UserIdentity,
  type UserStatus,
} from "@herenow/core";
import {
  type ConnectionEvent,
  ErrorBudget,
  type MirrorChanges,
  type PublishedRoom,
  RoomPresence,
  type RoomReader,
  type ShardReport,
  systemClock,
  takeShardReport,
} from "@herenow/core/engine";
import { type Connection, type ConnectionContext, Server, type WSMessage } from "partyserver";
import { type AgentMemberInput, type AgentMemberResult, AgentMembers } from "./agent-members";
import { alarmTimeFor, soonest } from "./alarm-time";
import { Refusal, verifyConnection } from "./auth";
import { type ConnectionData, dataOf, type PresenceConnection, tagOfConnection, tagOfUser } from "./connection-data";
import { freshConnectionId, isOwnId } from "./connection-ids";
import { DiffWindow } from "./diff-window";
import { HeardBans } from "./heard-bans";
import { handleRoomRequest } from "./http-api";
import { LeaveTimer } from "./leave-timer";
import { type LimitedRequest, REQUESTS_PER_SECOND, RequestRates } from "./request-rates";
import { type Ban, RoomBans } from "./room-bans";
import { RoomCoordinator, type ShardRpc } from "./room-coordinator";
import { RoomFollows } from "./room-follows";
import { RoomOccupancy } from "./room-occupancy";
import { RoomStorage } from "./room-storage";
import { RoomWindows } from "./room-windows";
import { type RoomSettings, readSettings } from "./settings";
import { type CoordinatorRpc, type ReportReply, ShardLink, type ShardPush } from "./shard-link";
import { type RoomRole, roleOf, shardName } from "./shards";
import { WebhookOutbox } from "./webhook-outbox";

/** What changed in a room over one coalescing window. */
export interface RoomChange {
  room: string;
  /** The diff clients received, or `null` when only connection-level events happened. */
  diff: DiffMessage | null;
  /** Every join and leave of a connection in the window, in order (for logs and webhooks). */
  events: ConnectionEvent[];
}

/** Attachments are rewritten at most this often for heartbeats: last-seen needs no finer grain. */
const LAST_SEEN_GRAIN_MS = 1000;
/** Where the room keeps whether it is in windowed mode (protocol 1.1). */
const WINDOWED_KEY = "windowed";

type Handlers = Pick<
  Server,
  "onStart" | "getConnectionTags" | "onConnect" | "onMessage" | "onClose" | "onError" | "onAlarm" | "onRequest"
>;

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
 * Route to it with `routePartykitRequest(request, env, presenceGates(env))`
 * so bad tokens and room names are refused before a room wakes.
 *
 * @example
 * export class Main extends PresenceServer<Env> {
 *   onAppMessage(message: AppMessage, from: PresenceConnection) {
 *     if (message.type !== "chat:send") return false; // answered with invalid_message
 *     this.broadcast(JSON.stringify({ type: "chat:message", from: from.user?.name, text: message.text }));
 *   }
 * }
 */
export class PresenceServer<Env extends Cloudflare.Env = Cloudflare.Env> extends Server<Env> {
  static override options = { hibernate: true };

  readonly settings: RoomSettings;
  /** This object's own connections (none on a coordinator). */
  private readonly presence: RoomPresence;
  private roleOfName: RoomRole | null = null;
  /** Set when the object is a shard of a sharded room, once it loaded. */
  private link: ShardLink | null = null;
  /** Set when the object is a sharded room's coordinator, once it loaded. */
  private coordinator: RoomCoordinator | null = null;
  private readonly awaitingSync = new Set<string>();
  private readonly reserved = new Set<string>();
  private readonly budgets = new Map<string, ErrorBudget>();
  private readonly leaveTimer = new LeaveTimer();
  private readonly diffWindow = new DiffWindow(LIMITS.diffIntervalMs, (at) => this.sendDiff(at), {
    clock: systemClock,
    setTimer: (run, ms) => setTimeout(run, ms),
    clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    queueMicrotask: (run) => queueMicrotask(run),
  });
  private alarmAt: number | null = null;
  private outbox: WebhookOutbox | null;
  /** Whether the room has a signed-in user, for the webhook's `occupied` and `vacated`. */
  private readonly occupancy = new RoomOccupancy(() => (this.coordinator?.totals ?? this.presence).userCount);
  private readonly store: RoomStorage;
  private readonly banList: RoomBans;
  /** A shard's copy of the bans its coordinator's kicks brought. */
  private readonly heardBans = new HeardBans();
  private readonly follows: RoomFollows;
  private readonly windows: RoomWindows;
  private readonly rates = new RequestRates();
  /** Members without a socket (agents): in this object's presence, a sharded room's at its coordinator. */
  private readonly agents: AgentMembers;
  /** Identities verified by `fetch` for the upgrade under way, so `getConnectionTags` need not verify again. */
  private readonly verified = new WeakMap<Request, UserIdentity | null>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = readSettings(env as unknown as Record<string, unknown>);
    this.store = new RoomStorage(ctx.storage, () => this.getConnections());
    this.banList = new RoomBans(ctx.storage);
    this.follows = new RoomFollows(ctx.storage);
    this.presence = new RoomPresence({
      maxAgeMs: this.settings.maxAgeMs,
      hiddenMaxAgeMs: this.settings.hiddenMaxAgeMs,
      recentMs: this.settings.recentMs,
      leaveGraceMs: this.settings.leaveGraceMs,
      awayGraceMs: this.settings.awayGraceMs,
      recordEvents: true,
    });
    this.agents = new AgentMembers({
      presence: this.presence,
      storage: ctx.storage,
      personPresent: (userId) => !this.agents.has(userId) && this.view.hasUser(userId),
      changed: () => this.diffWindow.changed(),
    });
    // the bare heartbeat is answered by the runtime without waking the room (protocol 1.2); the
    // prune reads when it last did (autoResponses), so a member who only beats is never stale
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(FRAMES.bareHeartbeat, FRAMES.pong));
    const self = this;
    this.windows = new RoomWindows({
      // a shard's copy of the room takes the place of its own presence once it loaded
      get presence() {
        return self.view;
      },
      threshold: this.settings.windowThreshold,
      sockets: () => ctx.getWebSockets(),
      dataOf: (socket) => this.dataOfSocket(socket),
      followsOf: (connectionId) => this.follows.of(connectionId),
      send: sendQuietly,
      saveMode: (windowed) => void ctx.storage.put(WINDOWED_KEY, windowed),
      clock: systemClock,
      setTimer: (run, ms) => setTimeout(run, ms),
    });
    const { webhookUrl, secret, webhookBatchMs, webhookPartBytes, maxAgeMs } = this.settings;
    this.outbox = webhookUrl
      ? new WebhookOutbox(ctx.storage, {
          url: webhookUrl,
          secret,
          batchMs: webhookBatchMs,
          partBytes: webhookPartBytes,
          keepAliveMs: Math.max(1000, Math.floor(maxAgeMs / 2)),
          room: () => this.role.room,
          snapshot: () => (this.coordinator?.totals ?? this.presence).snapshotConnections(),
          hasConnections: () => (this.coordinator?.totals ?? this.presence).connectionCount > 0,
          log: (message) => this.log(message),
        })
      : null;
    if (!webhookUrl && !warnedNoWebhook) {
      warnedNoWebhook = true;
      this.log("HERENOW_WEBHOOK_URL is not set: rooms deliver no events to a database");
    }
    this.wrapHandlers();
  }

  /**
   * A room of one object, or the coordinator or a shard of a sharded room
   * (`HERENOW_SHARDED_ROOMS`), from the object's name. Read lazily: an alarm
   * may wake an object before PartyServer recovered its name.
   */
  get role(): RoomRole {
    // the gates create no object for a name that is not a room's or a shard's
    this.roleOfName ??= roleOf(this.name, this.settings) ?? { kind: "room", room: this.name };
    return this.roleOfName;
  }

  /** The whole room as this object's connections see it: its own presence, a shard's copy, or the coordinator's totals. */
  private get view(): RoomReader {
    return this.link?.mirror ?? this.coordinator?.totals ?? this.presence;
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
    return this.outbox?.generation ?? "";
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
    await this.settled();
    const room = this.coordinator?.totals ?? this.presence;
    return {
      room: this.role.room,
      seq: room.seq,
      users: room.snapshotUsers(),
      anonymous: room.anonymous,
      connections: room.connectionCount,
      recent: room.recent(),
    };
  }

  /**
   * Sends a text to every connection of the room: in a sharded room through
   * its coordinator to every shard (an application's `broadcast` reaches only
   * the sockets of the object it runs in).
   */
  async broadcastToRoom(text: string): Promise<void> {
    if (this.coordinator) this.coordinator.broadcast(text);
    else if (this.role.kind === "shard") await this.stub<CoordinatorRpc>(this.role.room).herenowRelay(text);
    else this.broadcast(text);
  }

  /** Closes a user's or a connection's sockets with 4003; returns how many connections went. */
  async kick(target: { userId: string } | { connectionId: string }): Promise<number> {
    if (this.coordinator) {
      // every shard holds the ban too, against a socket that asked about it a moment before it began
      const until = "userId" in target ? await this.banList.until(target.userId, systemClock.now()) : null;
      return this.coordinator.kick(target, until);
    }
    const ids = new Set<string>();
    for (const { socket, data } of this.socketsOf(target)) {
      ids.add(data.id);
      this.closeSocket(socket, data, CLOSE_CODES.kicked, "removed by an administrator");
    }
    const gone: string[] = [];
    for (const record of await this.store.lingering()) {
      const matches = "userId" in target ? record.user.id === target.userId : record.id === target.connectionId;
      if (matches) {
        ids.add(record.id);
        gone.push(record.id);
      }
    }
    await this.store.forgetLingering(gone);
    for (const id of ids) this.presence.remove(id, "kicked");
    this.diffWindow.flushNow();
    await this.scheduleAlarm();
    return ids.size;
  }

  /**
   * Adds or refreshes a member without a socket (an AI assistant, a bot), shown with
   * `kind: "agent"` until `ttlSeconds` pass without another put; the body is checked as the
   * HTTP API's `PUT .../members/<userId>` is. From the worker's code: `(await roomMembers(env.Main,
   * room)).putMember(...)`, which reaches the room's own object (a sharded room's coordinator).
   */
  async putMember(userId: string, member: AgentMemberInput): Promise<AgentMemberResult> {
    await this.ready();
    if (this.role.kind === "shard") {
      return { ok: false, status: 409, error: "agent members live at the room's own object, not at a shard" };
    }
    const result = await this.agents.put(userId, member, systemClock.now());
    if (result.ok) await this.scheduleAlarm();
    return result;
  }

  /** Removes a member without a socket at once; `false` when the room has no agent with this id. */
  async deleteMember(userId: string): Promise<boolean> {
    await this.ready();
    const deleted = await this.agents.delete(userId);
    if (deleted) this.diffWindow.flushNow();
    return deleted;
  }

  /** Bans a user from the room for a while: refused with 403 on connect until then. */
  async ban(userId: string, seconds: number): Promise<void> {
    await this.banList.ban(userId, systemClock.now() + seconds * 1000);
  }

  /** The bans in force. */
  bans(): Promise<Ban[]> {
    return this.banList.list(systemClock.now());
  }

  /** Lifts a user's ban; `false` when there was none. */
  unban(userId: string): Promise<boolean> {
    return this.banList.lift(userId, systemClock.now());
  }

  // ---- between the objects of a sharded room (Durable Object RPC; not for applications) ----

  /** Coordinator: a shard's report; answers with the number of the room's diff that includes it. */
  async herenowReport(shard: number, report: ShardReport): Promise<ReportReply> {
    await this.ready();
    if (!this.coordinator) throw new Error(`${this.name} is not the coordinator of a sharded room`);
    return this.coordinator.report(shard, report);
  }

  /** Coordinator: the whole room, for a shard that missed a diff or woke without its copy. */
  async herenowState(): Promise<PublishedRoom> {
    await this.ready();
    if (!this.coordinator) throw new Error(`${this.name} is not the coordinator of a sharded room`);
    await this.settled();
    return this.coordinator.totals.state();
  }

  /** Coordinator: until when a user is banned from the room (`null`: not banned). */
  async herenowBanUntil(userId: string): Promise<number | null> {
    await this.ready();
    return this.banList.until(userId, systemClock.now());
  }

  /** Coordinator: a shard's application message for every connection of the room. */
  async herenowRelay(text: string): Promise<void> {
    await this.ready();
    this.coordinator?.broadcast(text);
  }

  /** Shard: the room's next diff, or the whole room, from the coordinator (JSON of a `ShardPush`). */
  async herenowPush(push: string): Promise<void> {
    await this.ready();
    await this.link?.receive(JSON.parse(push) as ShardPush);
  }

  /** Shard: the coordinator restarted and needs everything this shard has. */
  async herenowRefresh(): Promise<void> {
    await this.ready();
    this.link?.refresh();
  }

  /** Shard: closes a user's or a connection's sockets here (the coordinator asks every shard). */
  async herenowKick(
    target: { userId: string } | { connectionId: string },
    banUntil: number | null = null,
  ): Promise<number> {
    await this.ready();
    if (this.role.kind !== "shard") return 0;
    if (banUntil !== null && "userId" in target) this.heardBans.hear(target.userId, banUntil);
    return this.kick(target);
  }

  /** Shard: an application message for every socket here. */
  async herenowBroadcast(text: string): Promise<void> {
    await this.ready();
    this.broadcast(text);
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
    let user: UserIdentity | null;
    try {
      if (this.role.kind === "coordinator") {
        throw new Refusal(
          500,
          `room ${this.role.room} is sharded (HERENOW_SHARDED_ROOMS): route requests with routePresenceRequest(request, env)`,
        );
      }
      user = await verifyConnection(request.url, this.role.room, this.settings);
    } catch (error) {
      if (error instanceof Refusal) return error.toResponse();
      throw error;
    }
    if (user) {
      // a sharded room keeps its bans at its coordinator: asked on connect, never on a heartbeat
      const until =
        (this.role.kind === "shard"
          ? await this.stub<CoordinatorRpc>(this.role.room).herenowBanUntil(user.id)
          : await this.banList.until(user.id, systemClock.now())) ?? this.heardBans.until(user.id, systemClock.now());
      if (until !== null) {
        return new Refusal(403, `you are banned from this room until ${new Date(until).toISOString()}`).toResponse();
      }
      // one id, one member: an agent member keeps its id until it leaves (docs/protocol.md)
      if (await this.isAgent(user.id)) {
        return new Refusal(409, `user ${user.id} is in this room as an agent member`).toResponse();
      }
    }
    this.verified.set(request, user);
    return super.fetch(request);
  }

  // ---- presence's half of each handler ----------------------------------------------------

  /**
   * Installs presence in front of the handlers, whether the subclass overrides
   * them or not (the pattern of Cloudflare's Agents SDK): presence first, then
   * the application's own handler.
   */
  private wrapHandlers(): void {
    const app: Handlers = {
      onStart: this.onStart,
      getConnectionTags: this.getConnectionTags,
      onConnect: this.onConnect,
      onMessage: this.onMessage,
      onClose: this.onClose,
      onError: this.onError,
      onAlarm: this.onAlarm,
      onRequest: this.onRequest,
    };
    const base = Server.prototype;
    const overrides = (name: keyof Handlers) => app[name] !== base[name];

    // PartyServer starts a room twice when an alarm and a request wake it at the same moment
    // (both find it not started); the second start waits for the first and adds nothing
    let started: Promise<void> | null = null;
    this.onStart = (props) => {
      started ??= (async () => {
        await this.load();
        if (overrides("onStart")) await app.onStart.call(this, props);
      })().catch((error: unknown) => {
        started = null;
        throw error;
      });
      return started;
    };
    this.getConnectionTags = async (connection, context) => {
      const own = await this.prepareConnection(connection, context);
      const extra = overrides("getConnectionTags") ? await app.getConnectionTags.call(this, connection, context) : [];
      return [...own, ...extra];
    };
    this.onConnect = async (connection, context) => {
      if (!this.acceptConnection(connection)) return;
      await this.scheduleAlarm();
      if (overrides("onConnect")) await this.callHook("onConnect", () => app.onConnect.call(this, connection, context));
    };
    this.onMessage = async (connection, message) => {
      const appMessage = this.handleMessage(connection, message);
      if (appMessage === null) return this.scheduleAlarm();
      const from = this.connectionOf(connection);
      if (!from) return;
      if (overrides("onMessage")) {
        await this.callHook("onMessage", () => app.onMessage.call(this, connection, message));
        return;
      }
      let handled: boolean | undefined;
      await this.callHook("onAppMessage", async () => {
        handled = await this.onAppMessage(appMessage, from);
      });
      if (handled === false) {
        this.refuse(
          connection,
          from.connectionId,
          "invalid_message",
          `unknown message type ${JSON.stringify(appMessage.type)}`,
        );
      }
    };
    this.onClose = async (connection, code, reason, wasClean) => {
      this.handleClose(connection, code);
      await this.scheduleAlarm();
      if (overrides("onClose"))
        await this.callHook("onClose", () => app.onClose.call(this, connection, code, reason, wasClean));
    };
    this.onError = async (connection, error) => {
      // a failed socket is a close without a goodbye: the user gets the leave grace
      this.handleClose(connection, 1006);
      await this.scheduleAlarm();
      if (overrides("onError")) await this.callHook("onError", () => app.onError.call(this, connection, error));
    };
    this.onAlarm = async () => {
      await this.handleAlarm();
      if (overrides("onAlarm")) await this.callHook("onAlarm", () => app.onAlarm.call(this));
    };
    this.onRequest = async (request) => {
      const response = await handleRoomRequest(request, this);
      if (response.status !== 404 || !overrides("onRequest")) return response;
      return app.onRequest.call(this, request);
    };
  }

  /**
   * Loads what outlived the last process: the change counter, connections
   * lingering in their grace, users' state, and every socket still open after
   * hibernation.
   */
  private async load(): Promise<void> {
    this.takeRole();
    const stored = await this.store.load();
    this.alarmAt = stored.alarmAt;
    this.presence.restore([...stored.live, ...(await this.agents.load())], stored.lingering, stored.seq);
    await this.follows.load(new Set(stored.live.map((connection) => connection.id)));
    this.windows.restore((await this.ctx.storage.get<boolean>(WINDOWED_KEY)) ?? false);
    await this.coordinator?.load(systemClock.now());
    (this.coordinator?.totals ?? this.presence).restoreRecent(stored.recent);
    const empty = this.coordinator
      ? this.coordinator.totals.connectionCount === 0
      : stored.live.length === 0 && this.agents.count === 0;
    await this.outbox?.load(empty, systemClock.now());
    this.occupancy.reset();
    // an agent whose time ran out while the room slept leaves now, as an event (and a `vacated`)
    await this.agents.expire(systemClock.now());
    // a shard tells its coordinator everything it has as soon as it starts
    if (this.link) this.diffWindow.changed();
    await this.scheduleAlarm();
  }

  /** Sets up this object's half of a sharded room, if it is one. */
  private takeRole(): void {
    const role = this.role;
    if (role.kind === "shard") {
      this.link = new ShardLink({
        shard: role.shard,
        recentMs: this.settings.recentMs,
        presence: this.presence,
        coordinator: () => this.stub<CoordinatorRpc>(role.room),
        publish: (changes, syncs, held) => this.publish(changes, syncs, held),
        resyncAll: (held) => this.resyncAll(held),
        flushLater: (ms) => setTimeout(() => this.diffWindow.changed(), ms),
        log: (message) => this.log(message),
      });
      // a sharded room's events reach the webhook from its coordinator, as one room's
      this.outbox = null;
    } else if (role.kind === "coordinator") {
      this.coordinator = new RoomCoordinator({
        shard: (index) => this.stub<ShardRpc>(shardName(role.room, index)),
        shardCount: this.settings.shards,
        storage: this.ctx.storage,
        recentMs: this.settings.recentMs,
        changed: () => this.diffWindow.changed(),
        ownReport: (full, at) => takeShardReport(this.presence, { full, at }),
        published: (diff, events, at) => this.afterDiff(diff, events, at),
        log: (message) => this.log(message),
      });
    }
  }

  /** Verifies the token once more inside the room and picks the connection's presence id. */
  private async prepareConnection(connection: Connection, context: ConnectionContext): Promise<string[]> {
    const user = this.verified.has(context.request)
      ? (this.verified.get(context.request) ?? null)
      : await verifyConnection(context.request.url, this.role.room, this.settings);
    let id = connection.id;
    const role = this.role;
    const place = role.kind === "shard" ? { shard: role.shard, shards: this.settings.shards } : null;
    if (!this.presence.mayTake(id, user?.id ?? null) || this.reserved.has(id) || !isOwnId(id, place)) {
      // A second socket claiming a live id, or another user's id in its grace, must not disturb
      // the first, so it gets an id of its own; so does one that reached a shard directly with an id
      // of another shard's. The rename has to happen before PartyServer accepts the socket: the
      // runtime files hibernatable sockets under their tags (the id is always one), and
      // PartyServer's attachment keeps the id it had at that moment.
      id = freshConnectionId(connection.id, place);
      connection.id = id;
    }
    this.reserved.add(id);
    const now = systemClock.now();
    const data: ConnectionData = { herenow: 1, id, user, joinedAt: now, lastSeen: now, since: now };
    // protocol 1.1: the client can show a window of a large room (checked before the upgrade)
    const window = new URL(context.request.url).searchParams.get("window");
    if (window !== null) data.window = Number(window);
    connection.setState(data);
    // PartyServer keeps the socket's URL in its attachment, and the query (the token, anything a
    // client adds) could fill the runtime's 16 KiB: the app reads the URL from the request instead
    (connection as { uri: string | null }).uri = null;
    return user ? [tagOfConnection(id), tagOfUser(user.id)] : [tagOfConnection(id)];
  }

  private acceptConnection(connection: Connection): boolean {
    const data = dataOf(connection);
    if (!data) {
      connection.close(1011, "connection was not prepared by PresenceServer");
      return false;
    }
    this.reserved.delete(data.id);
    if (data.user && this.heardBans.until(data.user.id, systemClock.now()) !== null) {
      // a kick with a ban reached this shard while the socket was on its way in
      this.closeSocket(connection, data, CLOSE_CODES.kicked, "banned from this room");
      return false;
    }
    const result = this.presence.connect(data.id, data.user);
    this.leaveTimer.reopened(data.id);
    if (result.reclaimed) void this.store.forgetLingering([data.id]);
    if (result.adopted) void this.store.forgetLingering([result.adopted]);
    if (data.user) {
      const since = this.presence.userState(data.user.id)?.since ?? data.since;
      if (since !== data.since) connection.setState({ ...data, since });
    }
    this.windows.remember(connection, data);
    this.awaitingSync.add(data.id);
    this.diffWindow.changed();
    return true;
  }

  /** Handles a presence frame; returns an application message for the app, or `null`. */
  private handleMessage(connection: Connection, message: WSMessage): AppMessage | null {
    const data = dataOf(connection);
    // from the moment the room decided to close a connection nothing it sends counts
    if (!data || data.left || connection.readyState !== WebSocket.OPEN) return null;
    this.touch(connection, data);
    const parsed = parseClientMessage(message);
    if (!parsed.ok) {
      this.refuse(connection, data.id, parsed.code, parsed.message);
      return null;
    }
    if (parsed.kind === "app") return parsed.message;
    switch (parsed.message.type) {
      case "presence:heartbeat":
        sendQuietly(connection, FRAMES.pong);
        break;
      case "presence:resync":
        if (!this.withinRate(connection, data.id, "presence:resync")) break;
        this.awaitingSync.add(data.id);
        this.diffWindow.changed();
        break;
      case "presence:leave":
        this.presence.leave(data.id);
        this.closeSocket(connection, data, CLOSE_CODES.normal, "left");
        this.diffWindow.flushNow();
        break;
      case "presence:state":
        this.applyState(connection, data, parsed.message.state);
        break;
      case "presence:status":
        this.applyStatus(connection, data, parsed.message.status);
        break;
      case "presence:follow":
        if (!this.withinRate(connection, data.id, "presence:follow")) break;
        this.follow(connection, data, parsed.message.ids);
        break;
      case "presence:list":
        void this.list(connection, data, parsed.message);
        break;
    }
    return null;
  }

  /** Replaces the users a connection follows; a windowed connection gets its new window at once. */
  private follow(connection: Connection, data: ConnectionData, ids: string[]): void {
    this.follows.set(data.id, [...new Set(ids)]);
    this.windows.remember(connection, data);
    if (this.windows.windowed && data.window !== undefined) {
      this.awaitingSync.add(data.id);
      this.diffWindow.changed();
    }
  }

  /** Answers `presence:list` with one page of everyone here, at most ten pages a second per connection. */
  private async list(connection: Connection, data: ConnectionData, request: ListMessage): Promise<void> {
    if (this.rates.take(data.id, "presence:list", systemClock.now()) !== "ok") {
      // not abuse: a page is small, and the client waits and asks again
      sendQuietly(connection, rateLimited("presence:list"));
      return;
    }
    const after = request.after ?? null;
    // a shard that woke from hibernation takes its copy of the room before it pages it
    await this.link?.haveRoom();
    const page = this.view.page(after, request.limit ?? DEFAULTS.pageSize);
    if (!page) {
      this.refuse(connection, data.id, "invalid_message", "presence:list: `after` is not a cursor from presence:page");
      return;
    }
    const message = { type: "presence:page", after, ...page, count: this.view.userCount };
    sendQuietly(connection, JSON.stringify(message));
  }

  /**
   * A socket closed or failed. A close the client made on purpose (1000) is a
   * leave; the browser's 1001 when a page goes away (a reload, a closed tab)
   * gets the away grace, long enough for a reload to come back under its id;
   * anything else (a crash, a lost network, the hook's 3008 and 4001) the
   * leave grace.
   */
  private handleClose(connection: Connection, code: number): void {
    this.windows.forget(connection);
    const data = dataOf(connection);
    if (!data) return;
    // A socket the room already let go no longer owns its id: a page reloaded as someone else
    // leaves and comes back under the same id at once, and the old close may arrive after that.
    // What the room keeps by id (the pending sync, follows, rates) is the new socket's then.
    if (data.left && this.presence.isLive(data.id)) return;
    this.budgets.delete(data.id);
    this.rates.forget(data.id);
    this.follows.forget(data.id);
    this.awaitingSync.delete(data.id);
    this.link?.forget(data.id);
    if (data.left || !this.presence.isLive(data.id)) return;
    this.leaveTimer.closed(data.id, systemClock.now());
    if (code === CLOSE_CODES.normal) {
      this.presence.leave(data.id);
      this.diffWindow.flushNow();
      return;
    }
    const lingering = this.presence.close(data.id, code === CLOSE_CODES.goingAway ? "away" : "lost");
    if (lingering) this.store.saveLingering(lingering);
    this.diffWindow.changed();
  }

  /** Ends graces, prunes silent connections with 4000 and applies held state changes. */
  private async handleAlarm(): Promise<void> {
    this.alarmAt = null;
    this.presence.noteSeen(this.autoResponses(this.presence.overdue()));
    const { stale, expired } = this.presence.tick();
    for (const id of stale) {
      for (const { socket, data } of this.socketsOf({ connectionId: id })) {
        this.closeSocket(socket, data, CLOSE_CODES.stale, `no traffic for ${this.settings.maxAgeMs} ms`);
      }
    }
    await this.store.forgetLingering(expired);
    await this.agents.expire(systemClock.now());
    this.diffWindow.flushNow();
    // a restarted coordinator's first batch carries a snapshot: not before its shards told it everything
    if (!this.rebuilding()) await this.outbox?.deliver(systemClock.now());
    await this.scheduleAlarm();
  }

  /** When the runtime last answered each connection's bare heartbeat itself, for those it ever did. */
  private *autoResponses(connectionIds: readonly string[]): Generator<[string, number]> {
    for (const id of connectionIds) {
      for (const { socket } of this.socketsOf({ connectionId: id })) {
        const at = this.ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime();
        if (at !== undefined) yield [id, at];
      }
    }
  }

  /** The open sockets of a user or a presence id, checked against their attachments. */
  private *socketsOf(
    target: { userId: string } | { connectionId: string },
  ): Generator<{ socket: Connection; data: ConnectionData }> {
    const tag = "userId" in target ? tagOfUser(target.userId) : tagOfConnection(target.connectionId);
    for (const socket of this.getConnections(tag)) {
      const data = dataOf(socket);
      if (!data || data.left) continue;
      if ("userId" in target ? data.user?.id === target.userId : data.id === target.connectionId) {
        yield { socket, data };
      }
    }
  }

  /** Marks a connection as done before closing it, so nothing it still sends has an effect. */
  private closeSocket(socket: Connection, data: ConnectionData, code: number, reason: string): void {
    // closed whatever its attachment holds: one the runtime refuses to write must not stay open
    this.saveData(socket, { ...data, left: true });
    this.awaitingSync.delete(data.id);
    try {
      socket.close(code, reason);
    } catch {
      // already closing: the runtime got there first
    }
  }

  /**
   * Whether a resync or a follow is within its connection's rate: the first
   * one over it in a second is answered with `rate_limited`, and every later
   * one in that second is dropped unanswered and counts as abuse, since each
   * would cost the room a copy of its list.
   */
  private withinRate(connection: Connection, connectionId: string, request: LimitedRequest): boolean {
    const verdict = this.rates.take(connectionId, request, systemClock.now());
    if (verdict === "limited") sendQuietly(connection, rateLimited(request));
    else if (verdict === "flood") this.charge(connection, connectionId);
    return verdict === "ok";
  }

  /** Answers a client with `presence:error`; sustained abuse closes it with 4008 and removes it. */
  private refuse(connection: Connection, connectionId: string, code: ErrorCode, message: string): void {
    sendQuietly(connection, JSON.stringify({ type: "presence:error", code, message }));
    // the protocol page: rate_limited answers "do not count as abuse" (a client typing fast, a
    // tab flipping between hidden and shown); what they hold back is still applied
    if (code !== "rate_limited") this.charge(connection, connectionId);
  }

  /** Counts one error against a connection; past the budget it is closed with 4008 and removed. */
  private charge(connection: Connection, connectionId: string): void {
    let budget = this.budgets.get(connectionId);
    if (!budget) {
      budget = new ErrorBudget(systemClock);
      this.budgets.set(connectionId, budget);
    }
    if (!budget.spend()) return;
    const data = dataOf(connection);
    if (!data || data.left) return;
    this.presence.remove(data.id, "closed");
    this.closeSocket(connection, data, CLOSE_CODES.policy, `more than ${LIMITS.errorsPerMinute} errors a minute`);
    this.diffWindow.changed();
  }

  private touch(connection: Connection, data: ConnectionData): void {
    this.presence.touch(data.id);
    const now = systemClock.now();
    if (now - data.lastSeen >= LAST_SEEN_GRAIN_MS) this.saveData(connection, { ...data, lastSeen: now });
  }

  /** Writes a socket's attachment; one the runtime refuses (over 16 KiB) is reported, not thrown. */
  private saveData(socket: Connection, data: ConnectionData): void {
    try {
      socket.setState(data);
    } catch (error) {
      this.onPresenceError(error, `writing the attachment of connection ${data.id}`);
    }
  }

  private applyState(connection: Connection, data: ConnectionData, state: JsonObject): void {
    const result = this.presence.setState(data.id, state);
    if (result === "anonymous") {
      this.refuse(connection, data.id, "invalid_message", "anonymous connections have no presence state");
    } else if (result === "rate_limited") {
      this.refuse(
        connection,
        data.id,
        "rate_limited",
        `at most ${LIMITS.stateChangesPerSecond} state changes a second; the newest is applied when the second ends`,
      );
    } else if (result === "applied") {
      this.diffWindow.changed();
    }
  }

  /**
   * A connection's status (protocol 1.2). The socket's attachment keeps the status asked for at
   * once, even one held back by the rate limit (it is applied within the second), so a room
   * woken from hibernation gives the hidden connection its longer max age.
   */
  private applyStatus(connection: Connection, data: ConnectionData, status: UserStatus): void {
    const result = this.presence.setStatus(data.id, status);
    if (result === "unknown") return;
    const activeAt = this.presence.connectionStatus(data.id)?.activeAt ?? data.activeAt;
    const current = dataOf(connection) ?? data;
    this.saveData(connection, { ...current, status, activeAt });
    if (result === "rate_limited") {
      this.refuse(
        connection,
        data.id,
        "rate_limited",
        `at most ${LIMITS.statusChangesPerSecond} status changes a second; the newest is applied when the second ends`,
      );
    } else this.diffWindow.changed();
  }

  /** The end of a coalescing window: what changed goes to the room's sockets (or, in a sharded room, to its coordinator or shards). */
  private sendDiff(at: number): void {
    if (this.coordinator) {
      this.coordinator.flush(at);
      return;
    }
    this.store.saveStates(this.presence.takeStateChanges());
    const waiting = [...this.awaitingSync];
    this.awaitingSync.clear();
    if (this.link) {
      // a shard's own changes go to its coordinator; the room's diff comes back to every shard
      this.link.flush(waiting, at);
      return;
    }
    const diff = this.presence.takeDiff();
    const events = this.presence.takeEvents();
    if (diff) this.store.saveSeq(diff.seq);
    this.publish(diff, waiting, new Set());
    this.afterDiff(diff, events, at);
  }

  /** The room changed: events to the webhook, the change to `onPresenceChanged`. */
  private afterDiff(diff: DiffMessage | null, events: ConnectionEvent[], at: number): void {
    // the recent list changes exactly when users leave or come back, and must outlive hibernation
    if (diff && this.settings.recentMs > 0 && (diff.left.length > 0 || diff.joined.length > 0)) {
      this.store.saveRecent((this.coordinator?.totals ?? this.presence).recent());
    }
    // every window counts, even one without events: a restarted coordinator's shards come back as a snapshot
    const outgoing = this.outbox ? this.occupancy.mark(this.leaveTimer.measure(events, diff, at), at) : [];
    if (outgoing.length > 0) {
      this.outbox?.enqueue(outgoing, at);
      void this.scheduleAlarm();
    }
    if (diff || events.length > 0) {
      const change = { room: this.role.room, diff, events };
      void this.callHook("onPresenceChanged", () => this.onPresenceChanged(change));
    }
  }

  /**
   * Sends the room's diff to this object's sockets and a sync to the
   * connections in `syncs`; connections in `held` (a shard's newcomers not yet
   * in its copy of the room) get neither yet.
   */
  private publish(diff: MirrorChanges | null, syncs: string[], held: ReadonlySet<string>): void {
    // a room that crossed the large-room threshold resyncs every connection that asked for a window
    const resync = this.windows.updateMode() ? [...this.windows.windowAware()] : [];
    // Connections that get a sync now get one numbered with this diff's seq, so the diff is
    // no news to them: it is not sent to them at all (a naive client would apply it twice).
    const skip = syncs.length > 0 || resync.length > 0 ? this.sendSyncs(syncs, resync, held) : new Set<WebSocket>();
    for (const id of held) for (const { socket } of this.socketsOf({ connectionId: id })) skip.add(socket);
    // Sent with the runtime's own list of sockets: PartyServer's iterator reads every socket's
    // attachment, which a room of thousands pays per diff.
    if (diff) this.windows.send({ type: "presence:diff", ...diff }, skip.size > 0 ? skip : null);
  }

  /** A fresh sync to every connection but those held back: a shard that lost its copy of the room. */
  private resyncAll(held: ReadonlySet<string>): void {
    // the windows' head was the lost copy's: start the windows again from the new one
    this.windows.restore(this.windows.windowed);
    this.sendSyncs([], [...this.ctx.getWebSockets()], held);
  }

  /** Sends a sync to each of these connections and sockets; returns the sockets that got one. */
  private sendSyncs(ids: string[], sockets: WebSocket[], held: ReadonlySet<string>): Set<WebSocket> {
    const sent = new Set<WebSocket>();
    // a full users list is the same for everyone: serialised once, however many get it
    let everyone: string | null = null;
    const users = () => {
      everyone ??= JSON.stringify(this.view.snapshotUsers());
      return everyone;
    };
    const send = (socket: WebSocket, data: ConnectionData) => {
      if (sent.has(socket) || held.has(data.id)) return;
      const base = {
        type: "presence:sync" as const,
        room: this.role.room,
        seq: this.view.seq,
        self: { connectionId: data.id, user: data.user },
        anonymous: this.view.anonymous,
        recent: this.view.recent(),
      };
      sendQuietly(socket, this.windows.sync(socket, base, users));
      sent.add(socket);
    };
    for (const id of ids) {
      for (const { socket, data } of this.socketsOf({ connectionId: id })) send(socket, data);
    }
    for (const socket of sockets) {
      const data = this.dataOfSocket(socket);
      if (data && !data.left) send(socket, data);
    }
    return sent;
  }

  /** The herenow data of a socket the runtime listed, whether PartyServer handed it out yet or not. */
  private dataOfSocket(socket: WebSocket): ConnectionData | null {
    // PartyServer gives a socket its Connection fields when it first hands it out; one the
    // runtime lists before that (after a wake) gets them from a pass over the room's connections
    if (!("setState" in socket)) for (const _ of this.getConnections());
    return "setState" in socket ? dataOf(socket as unknown as Connection) : null;
  }

  private async scheduleAlarm(): Promise<void> {
    const presenceDue = soonest([this.presence.nextDue(), this.agents.nextDue()]);
    const dues = this.rebuilding()
      ? [presenceDue, this.coordinator?.rebuildDue() ?? null]
      : [presenceDue, this.outbox?.nextDue() ?? null];
    const at = alarmTimeFor(soonest(dues), this.alarmAt, systemClock.now());
    if (at === null) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * Lets a restarted coordinator finish hearing from its shards, then sends
   * any pending diff: what is read next is the whole room, and `seq` covers it.
   */
  private async settled(): Promise<void> {
    if (this.rebuilding()) await this.coordinator?.nextDiff();
    this.diffWindow.flushNow();
  }

  /** Whether this is a restarted coordinator still waiting for its shards. */
  private rebuilding(): boolean {
    return this.coordinator !== null && this.coordinator.rebuildDue() !== null;
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

  /** Whether the room has an agent member with this id: a shard reads its copy of the room, taken first if it has none. */
  private async isAgent(userId: string): Promise<boolean> {
    if (this.role.kind === "shard") {
      await this.ready();
      await this.link?.haveRoom();
    }
    return this.view.presentUser(userId)?.kind === "agent";
  }

  /** Another object of this worker's presence binding, by name. */
  private stub<T>(name: string): T {
    const namespace = presenceNamespace(this.env as unknown as Record<string, unknown>);
    return namespace.get(namespace.idFromName(name)) as unknown as T;
  }

  private async callHook(where: string, run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.onPresenceError(error, where);
    }
  }
}

/** The answer to a limited request over its rate. */
function rateLimited(request: LimitedRequest): string {
  const message = `at most ${REQUESTS_PER_SECOND[request]} ${request} a second`;
  return JSON.stringify({ type: "presence:error", code: "rate_limited", message });
}

/** Sends unless the socket is closing: one the room closed a moment ago may still read as open. */
function sendQuietly(socket: WebSocket, text: string): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  try {
    socket.send(text);
  } catch {
    // closed by this room (leave, kick, prune) before the runtime noticed; it needs no diff
  }
}

/**
 * The Durable Object binding of the presence rooms, which a sharded room's
 * objects use to reach each other: `HERENOW_BINDING` names it, else it is
 * the worker's only Durable Object binding.
 */
function presenceNamespace(env: Record<string, unknown>): DurableObjectNamespace {
  const named = typeof env.HERENOW_BINDING === "string" ? env.HERENOW_BINDING : null;
  const namespaces = Object.entries(env).filter(
    ([, value]) => typeof value === "object" && value !== null && "idFromName" in value,
  );
  const found = named
    ? namespaces.find(([name]) => name === named)
    : namespaces.length === 1
      ? namespaces[0]
      : undefined;
  if (!found) {
    throw new Error(
      named
        ? `HERENOW_BINDING names ${named}, which is not a Durable Object binding of this worker`
        : "a sharded room needs to know its rooms' Durable Object binding: set HERENOW_BINDING to its name",
    );
  }
  return found[1] as DurableObjectNamespace;
}
