import {
  type AppMessage,
  CLOSE_CODES,
  type ConnectionEvent,
  type DiffMessage,
  ErrorBudget,
  type ErrorCode,
  type JsonObject,
  LIMITS,
  parseClientMessage,
  RoomPresence,
  type RoomSnapshot,
  systemClock,
} from "@herenow/core";
import type * as Party from "partykit/server";
import { verifyConnection } from "./auth";
import { type ConnectionData, dataOf, type PresenceConnection, tagOfConnection, tagOfUser } from "./connection-data";
import { presenceOnBeforeConnect, presenceOnBeforeRequest } from "./gate";
import { handleRoomRequest } from "./http-api";
import { RoomStorage } from "./room-storage";
import { type PresenceSettings, readSettings } from "./settings";
import { WebhookOutbox } from "./webhook-outbox";

/** What changed in a room over one coalescing window. */
export interface PresenceChange {
  room: string;
  /** The diff clients received, or `null` when only connection-level events happened. */
  diff: DiffMessage | null;
  /** Every join and leave of a connection in the window, in order (for logs and webhooks). */
  events: ConnectionEvent[];
}

/** Ways an application extends a presence room. */
export interface PresenceRoomHooks {
  /**
   * An application message (its `type` does not start with `presence:`).
   * Without this hook such messages are refused with `invalid_message`.
   */
  onMessage?(message: AppMessage, from: PresenceConnection): void | Promise<void>;
  /** A connection was accepted; send it the application's own greeting (chat history...). */
  onConnect?(connection: PresenceConnection): void | Promise<void>;
  /** Presence changed, once per window: the `presence_changed` signal of django-channels-presence. */
  onPresenceChanged?(change: PresenceChange): void | Promise<void>;
  /** Where errors of the room and its hooks go (default: console.error). */
  onError?(error: unknown, where: string): void;
  /** Where operational notes go, such as a webhook that is down (default: console.warn). */
  log?(message: string): void;
}

let warnedNoWebhook = false;

/** Attachments are rewritten at most this often for heartbeats: last-seen needs no finer grain. */
const LAST_SEEN_GRAIN_MS = 1000;

/**
 * The presence half of a PartyKit room, to drop into your own `Party.Server`:
 * forward the server's handlers to it and set `options.hibernate = true`.
 * Everything it needs to survive hibernation or a restart lives in the
 * connections' state and the room's storage.
 *
 * @example
 * export default class Server implements Party.Server {
 *   static options = { hibernate: true };
 *   static onBeforeConnect = PresenceRoom.onBeforeConnect;
 *   static onBeforeRequest = PresenceRoom.onBeforeRequest;
 *   readonly presence: PresenceRoom;
 *   constructor(readonly room: Party.Room) { this.presence = new PresenceRoom(room); }
 *   onStart() { return this.presence.onStart(); }
 *   getConnectionTags(c: Party.Connection, ctx: Party.ConnectionContext) { return this.presence.getConnectionTags(c, ctx); }
 *   onConnect(c: Party.Connection) { return this.presence.onConnect(c); }
 *   onMessage(m: string | ArrayBuffer, c: Party.Connection) { return this.presence.onMessage(m, c); }
 *   onClose(c: Party.Connection) { return this.presence.onClose(c); }
 *   onError(c: Party.Connection) { return this.presence.onClose(c); }
 *   onAlarm() { return this.presence.onAlarm(); }
 *   onRequest(r: Party.Request) { return this.presence.onRequest(r); }
 * }
 */
export class PresenceRoom {
  /** Refuses bad room names, connection ids and tokens with 400/401 before the upgrade. */
  static onBeforeConnect = presenceOnBeforeConnect;
  /** Refuses HTTP requests for badly named rooms with 400 before they wake a room. */
  static onBeforeRequest = presenceOnBeforeRequest;

  readonly settings: PresenceSettings;
  private readonly presence: RoomPresence;
  private roomName = "";
  private readonly awaitingSync = new Set<string>();
  private readonly reserved = new Set<string>();
  private readonly budgets = new Map<string, ErrorBudget>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushQueued = false;
  private lastFlushAt = 0;
  private alarmAt: number | null = null;
  private started: Promise<void> | null = null;
  private readonly outbox: WebhookOutbox | null;
  private readonly store: RoomStorage;

  constructor(
    readonly room: Party.Room,
    private readonly hooks: PresenceRoomHooks = {},
  ) {
    this.settings = readSettings(room.env);
    this.store = new RoomStorage(room);
    this.presence = new RoomPresence({
      maxAgeMs: this.settings.maxAgeMs,
      leaveGraceMs: this.settings.leaveGraceMs,
      recordEvents: true,
    });
    const log = hooks.log ?? ((message: string) => console.warn(`herenow: ${message}`));
    const { webhookUrl, secret, webhookBatchMs, maxAgeMs } = this.settings;
    this.outbox = webhookUrl
      ? new WebhookOutbox(room.storage, {
          url: webhookUrl,
          secret,
          batchMs: webhookBatchMs,
          keepAliveMs: Math.max(1000, Math.floor(maxAgeMs / 2)),
          room: () => this.roomName,
          snapshot: () => this.presence.snapshotConnections(),
          hasConnections: () => this.presence.connectionCount > 0,
          log,
        })
      : null;
    if (!webhookUrl && !warnedNoWebhook) {
      warnedNoWebhook = true;
      log("HERENOW_WEBHOOK_URL is not set: rooms deliver no events to a database");
    }
  }

  /** The generation of this room's current run, as the webhook reports it (empty without a webhook). */
  get generation(): string {
    return this.outbox?.generation ?? "";
  }

  /** The room's name, known even inside `onAlarm` (where `room.id` throws). */
  get name(): string {
    return this.roomName;
  }

  /**
   * Loads what outlived the last process: the room's name, its change
   * counter, connections lingering in their grace, users' state, and every
   * socket still open after hibernation.
   */
  onStart(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  private async load(): Promise<void> {
    const stored = await this.store.load();
    this.roomName = stored.name;
    this.alarmAt = stored.alarmAt;
    this.presence.restore(stored.live, stored.lingering, stored.seq);
    await this.outbox?.load(stored.live.length === 0, systemClock.now());
    await this.scheduleAlarm();
  }

  /** Verifies the token once more inside the room and picks the connection's presence id. */
  async getConnectionTags(connection: Party.Connection, ctx: Party.ConnectionContext): Promise<string[]> {
    await this.onStart();
    const user = await verifyConnection(ctx.request.url, this.roomName, this.settings);
    let id = connection.id;
    if (this.presence.isLive(id) || this.reserved.has(id)) {
      // A second socket claiming a live id must not disturb the first, so it gets an id of its
      // own. The rename has to happen before PartyKit accepts the socket: the runtime files
      // hibernatable sockets under their id tag, and a second socket under the same tag drops
      // the first from getWebSockets(), so it would silently stop receiving broadcasts.
      id = `${connection.id}.${crypto.randomUUID().slice(0, 8)}`;
      (connection as { id: string }).id = id;
      if (connection.id !== id) throw new Error("herenow: cannot give a colliding connection a fresh id");
    }
    this.reserved.add(id);
    const now = systemClock.now();
    const data: ConnectionData = { herenow: 1, id, user, joinedAt: now, lastSeen: now, since: now };
    connection.setState(data);
    return user ? [tagOfConnection(id), tagOfUser(user.id)] : [tagOfConnection(id)];
  }

  async onConnect(connection: Party.Connection): Promise<void> {
    await this.onStart();
    const data = dataOf(connection);
    if (!data) {
      connection.close(1011, "connection was not prepared by getConnectionTags: forward it to PresenceRoom");
      return;
    }
    this.reserved.delete(data.id);
    const result = this.presence.connect(data.id, data.user);
    if (result.reclaimed) void this.store.forgetLingering([data.id]);
    if (result.adopted) void this.store.forgetLingering([result.adopted]);
    if (data.user) {
      const since = this.presence.userState(data.user.id)?.since ?? data.since;
      if (since !== data.since) connection.setState({ ...data, since });
    }
    this.awaitingSync.add(data.id);
    this.scheduleFlush();
    await this.scheduleAlarm();
    await this.callHook("onConnect", () =>
      this.hooks.onConnect?.({ connectionId: data.id, user: data.user, socket: connection }),
    );
  }

  async onMessage(message: string | ArrayBuffer | ArrayBufferView, connection: Party.Connection): Promise<void> {
    await this.onStart();
    const data = dataOf(connection);
    if (!data || data.left) return;
    this.touch(connection, data);
    const parsed = parseClientMessage(message);
    if (!parsed.ok) {
      this.refuse(connection, data.id, parsed.code, parsed.message);
      return;
    }
    if (parsed.kind === "app") {
      if (!this.hooks.onMessage) {
        this.refuse(
          connection,
          data.id,
          "invalid_message",
          `unknown message type ${JSON.stringify(parsed.message.type)}`,
        );
        return;
      }
      await this.callHook("onMessage", () =>
        this.hooks.onMessage?.(parsed.message, { connectionId: data.id, user: data.user, socket: connection }),
      );
      return;
    }
    switch (parsed.message.type) {
      case "presence:heartbeat":
        connection.send('{"type":"presence:pong"}');
        return;
      case "presence:resync":
        this.awaitingSync.add(data.id);
        this.scheduleFlush();
        return;
      case "presence:leave":
        connection.setState({ ...data, left: true });
        this.presence.leave(data.id);
        this.flushNow();
        connection.close(CLOSE_CODES.normal, "left");
        await this.scheduleAlarm();
        return;
      case "presence:state":
        this.applyState(connection, data, parsed.message.state);
        await this.scheduleAlarm();
        return;
    }
  }

  /**
   * A socket closed or failed. PartyKit does not pass the close code, so
   * anything but an earlier `presence:leave` gets the leave grace.
   */
  async onClose(connection: Party.Connection): Promise<void> {
    await this.onStart();
    const data = dataOf(connection);
    if (!data) return;
    this.budgets.delete(data.id);
    this.awaitingSync.delete(data.id);
    if (data.left || !this.presence.isLive(data.id)) return;
    const lingering = this.presence.close(data.id);
    if (lingering) this.store.saveLingering(lingering);
    this.scheduleFlush();
    await this.scheduleAlarm();
  }

  /** Ends graces, prunes silent connections with 4000 and applies held state changes. */
  async onAlarm(): Promise<void> {
    await this.onStart();
    this.alarmAt = null;
    const { stale, expired } = this.presence.tick();
    for (const id of stale) {
      for (const socket of this.room.getConnections(tagOfConnection(id))) {
        socket.close(CLOSE_CODES.stale, `no traffic for ${this.settings.maxAgeMs} ms`);
      }
    }
    await this.store.forgetLingering(expired);
    this.flushNow();
    await this.outbox?.deliver(systemClock.now());
    await this.scheduleAlarm();
  }

  /** The room's HTTP API: `GET` snapshot and `POST .../kick`, behind the bearer secret. */
  async onRequest(request: Party.Request): Promise<Response> {
    await this.onStart();
    return handleRoomRequest(request, this);
  }

  /** The room as it is now; any pending diff goes out first so `seq` covers everything. */
  snapshot(): RoomSnapshot {
    this.flushNow();
    return {
      room: this.roomName,
      seq: this.presence.seq,
      users: this.presence.snapshotUsers(),
      anonymous: this.presence.anonymous,
      connections: this.presence.connectionCount,
    };
  }

  /** Closes a user's or a connection's sockets with 4003; returns how many connections went. */
  async kick(target: { userId: string } | { connectionId: string }): Promise<number> {
    const tag = "userId" in target ? tagOfUser(target.userId) : tagOfConnection(target.connectionId);
    const ids = new Set<string>();
    for (const socket of this.room.getConnections(tag)) {
      const data = dataOf(socket);
      if (!data) continue;
      ids.add(data.id);
      socket.setState({ ...data, left: true });
      socket.close(CLOSE_CODES.kicked, "removed by an administrator");
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
    this.flushNow();
    await this.scheduleAlarm();
    return ids.size;
  }

  /** Sends one message to every open connection of the room. */
  broadcast(message: unknown): void {
    const text = JSON.stringify(message);
    for (const socket of this.room.getConnections()) socket.send(text);
  }

  /** The presence id and user of a socket, or `null` for one herenow did not set up. */
  connectionOf(socket: Party.Connection): PresenceConnection | null {
    const data = dataOf(socket);
    return data ? { connectionId: data.id, user: data.user, socket } : null;
  }

  /** Answers a client with `presence:error`; sustained abuse closes it with 4008. */
  refuse(connection: Party.Connection, connectionId: string, code: ErrorCode, message: string): void {
    connection.send(JSON.stringify({ type: "presence:error", code, message }));
    let budget = this.budgets.get(connectionId);
    if (!budget) {
      budget = new ErrorBudget(systemClock);
      this.budgets.set(connectionId, budget);
    }
    if (budget.spend()) connection.close(CLOSE_CODES.policy, `more than ${LIMITS.errorsPerMinute} errors a minute`);
  }

  private touch(connection: Party.Connection, data: ConnectionData): void {
    this.presence.touch(data.id);
    const now = systemClock.now();
    if (now - data.lastSeen >= LAST_SEEN_GRAIN_MS) connection.setState({ ...data, lastSeen: now });
  }

  private applyState(connection: Party.Connection, data: ConnectionData, state: JsonObject): void {
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
      this.scheduleFlush();
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.flushQueued) return;
    const wait = this.lastFlushAt + LIMITS.diffWindowMs - systemClock.now();
    if (wait <= 0) {
      // The first change after a quiet spell goes out as soon as the current event is handled
      // (a microtask, not a timer turn: timers cost a millisecond or more); changes made by
      // the same event still share the diff.
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.flushNow();
      });
      return;
    }
    // a burst waits for the rest of the window
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushNow();
    }, wait);
  }

  /** Sends the coalesced diff to everyone and a fresh sync to those waiting for one. */
  flushNow(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.lastFlushAt = systemClock.now();
    this.store.saveStates(this.presence.takeStateChanges());
    const diff = this.presence.takeDiff();
    const events = this.presence.takeEvents();
    if (diff) this.store.saveSeq(diff.seq);
    if (this.awaitingSync.size > 0) {
      this.sendSyncs([...this.awaitingSync]);
      this.awaitingSync.clear();
    }
    if (diff) {
      // New connections got their sync first, numbered with this diff's seq, so to them
      // the diff is an old one and they drop it; everyone gets the same frame, and the loop
      // needs no per-socket lookups in a room of thousands.
      const text = JSON.stringify(diff);
      for (const socket of this.room.getConnections()) sendQuietly(socket, text);
    }
    if (events.length > 0) {
      this.outbox?.enqueue(events, this.lastFlushAt);
      void this.scheduleAlarm();
    }
    if (diff || events.length > 0) {
      void this.callHook("onPresenceChanged", () =>
        this.hooks.onPresenceChanged?.({ room: this.roomName, diff, events }),
      );
    }
  }

  private sendSyncs(ids: string[]): void {
    // the users list is the same for everyone: serialise it once, splice in each `self`
    const head = `{"type":"presence:sync","room":${JSON.stringify(this.roomName)},"seq":${this.presence.seq},"self":`;
    const tail = `,"users":${JSON.stringify(this.presence.snapshotUsers())},"anonymous":${this.presence.anonymous}}`;
    for (const id of ids) {
      for (const socket of this.room.getConnections(tagOfConnection(id))) {
        const data = dataOf(socket);
        if (!data || data.left) continue;
        socket.send(head + JSON.stringify({ connectionId: data.id, user: data.user }) + tail);
      }
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const presenceDue = this.presence.nextDue();
    const outboxDue = this.outbox?.nextDue() ?? null;
    const due = presenceDue === null ? outboxDue : outboxDue === null ? presenceDue : Math.min(presenceDue, outboxDue);
    if (due === null) return;
    if (this.alarmAt !== null && this.alarmAt <= due && this.alarmAt > systemClock.now() - 1000) return;
    this.alarmAt = due;
    await this.room.storage.setAlarm(due);
  }

  private async callHook(where: string, run: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await run();
    } catch (error) {
      (this.hooks.onError ?? defaultOnError)(error, where);
    }
  }
}

/** Sends unless the socket is closing: one we closed a moment ago still reads as open. */
function sendQuietly(socket: Party.Connection, text: string): void {
  try {
    socket.send(text);
  } catch {
    // closed by this room (leave, kick, prune) before the runtime noticed; it needs no diff
  }
}

function defaultOnError(error: unknown, where: string): void {
  console.error(`herenow: ${where} failed`, error);
}
