import { FRAMES, LIMITS } from "@herenow/core";
import { RoomPresence, systemClock, type UserPage } from "@herenow/core/engine";
import type { Connection } from "partyserver";
import { AgentMembers } from "./agent-members";
import { alarmTimeFor, soonest } from "./alarm-time";
import { ClientFrames } from "./client-frames";
import { DiffPacer } from "./diff-pacer";
import { LeaveTimer } from "./leave-timer";
import type { ObjectRole, RoleHost } from "./object-role";
import { CoordinatorRole } from "./role-coordinator";
import { OneObjectRoom } from "./role-room";
import { ShardRole } from "./role-shard";
import { RoomBans } from "./room-bans";
import { type RoomChange, RoomEvents } from "./room-events";
import { presenceNamespace, type RoomRpc, roomStub } from "./room-rpc";
import { RoomSockets } from "./room-sockets";
import { RoomStorage } from "./room-storage";
import type { RoomSettings } from "./settings";
import { roleOf } from "./shards";

/** What `PresenceRoom` needs of the PartyServer object it lives in. */
export interface PresenceRoomHost {
  readonly ctx: DurableObjectState;
  readonly env: object;
  readonly settings: RoomSettings;
  /** The object's name (throws until PartyServer knows it). */
  name(): string;
  /** The sockets PartyServer hands out, all or those with a tag. */
  connections(tag?: string): Iterable<Connection>;
  /** A text for this object's sockets. */
  broadcast(text: string): void;
  /** The room changed, for the app's `onPresenceChanged`. */
  presenceChanged(change: RoomChange): void;
  onPresenceError(error: unknown, where: string): void;
  log(message: string): void;
}

/**
 * The presence of one object: its connections, sockets and frames, the
 * coalescing window, what it keeps in storage, its alarm, and its role (a
 * room of one object, a shard or a coordinator), picked once from its name.
 * `PresenceServer` is the face of it that applications extend.
 */
export class PresenceRoom {
  /** This object's own connections (at a coordinator, only its agents). */
  readonly presence: RoomPresence;
  readonly sockets: RoomSockets;
  readonly frames: ClientFrames;
  readonly store: RoomStorage;
  readonly bans: RoomBans;
  /** Members without a socket (agents): in this object's presence, a sharded room's at its coordinator. */
  readonly agents: AgentMembers;
  readonly diffPacer: DiffPacer;
  /** What the room's own object does when the room changed (none at a shard). */
  private events: RoomEvents | null = null;
  private chosen: ObjectRole | null = null;
  private readonly leaveTimer = new LeaveTimer();
  private alarmAt: number | null = null;

  constructor(private readonly host: PresenceRoomHost) {
    const { ctx, settings } = host;
    this.diffPacer = new DiffPacer(LIMITS.diffIntervalMs, (at) => this.role.endWindow(at), {
      clock: systemClock,
      setTimer: (run, ms) => setTimeout(run, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      queueMicrotask: (run) => queueMicrotask(run),
    });
    this.store = new RoomStorage(ctx.storage, () => host.connections());
    this.bans = new RoomBans(ctx.storage);
    this.presence = new RoomPresence({
      maxAgeMs: settings.maxAgeMs,
      hiddenMaxAgeMs: settings.hiddenMaxAgeMs,
      recentMs: settings.recentMs,
      leaveGraceMs: settings.leaveGraceMs,
      awayGraceMs: settings.awayGraceMs,
      recordEvents: true,
    });
    this.agents = new AgentMembers({
      presence: this.presence,
      storage: ctx.storage,
      personPresent: (userId) => this.role.hasPerson(userId),
      changed: () => this.diffPacer.changed(),
    });
    // the bare heartbeat is answered by the runtime without waking the room (protocol 1.2); the
    // prune reads when it last did (autoResponses), so a member who only beats is never stale
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(FRAMES.bareHeartbeat, FRAMES.pong));
    this.sockets = new RoomSockets({
      ctx,
      settings,
      presence: this.presence,
      store: this.store,
      leaveTimer: this.leaveTimer,
      role: () => this.role.role,
      view: () => this.role.view,
      connections: (tag) => host.connections(tag),
      changed: () => this.diffPacer.changed(),
      flushNow: () => this.diffPacer.flushNow(),
      forget: (connectionId) => this.role.forget(connectionId),
      onPresenceError: (error, where) => host.onPresenceError(error, where),
    });
    this.frames = new ClientFrames({
      presence: this.presence,
      sockets: this.sockets,
      view: () => this.role.view,
      haveRoom: () => this.role.haveRoom(),
      page: (after, limit) => this.page(after, limit),
      changed: () => this.diffPacer.changed(),
      flushNow: () => this.diffPacer.flushNow(),
    });
  }

  /** Which object this is, picked the first time it is needed (the name is known by then) and never again. */
  get role(): ObjectRole {
    this.chosen ??= this.chooseRole();
    return this.chosen;
  }

  /** The generation of the room's webhook run (empty without a webhook, and at a shard). */
  get generation(): string {
    return this.events?.outbox?.generation ?? "";
  }

  /**
   * Loads what outlived the last process: the change counter, connections
   * lingering in their grace, users' state, and every socket still open after
   * hibernation.
   */
  async load(): Promise<void> {
    const { role } = this;
    const stored = await this.store.load();
    this.alarmAt = stored.alarmAt;
    this.presence.restore([...stored.live, ...(await this.agents.load())], stored.lingering, stored.seq);
    await this.sockets.load(new Set(stored.live.map((connection) => connection.id)));
    await role.load(systemClock.now());
    role.record.restoreRecent(stored.recent);
    const empty =
      role instanceof CoordinatorRole
        ? role.record.connectionCount === 0
        : stored.live.length === 0 && this.agents.count === 0;
    await this.events?.load(empty, systemClock.now());
    // an agent whose time ran out while the room slept leaves now, as an event (and a `vacated`)
    await this.agents.expire(systemClock.now());
    role.started();
    await this.scheduleAlarm();
  }

  /** Ends graces, prunes silent connections with 4000, ends agents' TTLs and delivers the webhook. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    await this.sockets.prune();
    await this.agents.expire(systemClock.now());
    this.diffPacer.flushNow();
    // a restarted coordinator's first batch carries a snapshot: not before its shards told it everything
    if (this.role.rebuildDue() === null) await this.events?.outbox?.deliver(systemClock.now());
    await this.scheduleAlarm();
  }

  async scheduleAlarm(): Promise<void> {
    const presenceDue = soonest([this.presence.nextDue(), this.agents.nextDue()]);
    const rebuildDue = this.role.rebuildDue();
    const dues =
      rebuildDue !== null ? [presenceDue, rebuildDue] : [presenceDue, this.events?.outbox?.nextDue() ?? null];
    const at = alarmTimeFor(soonest(dues), this.alarmAt, systemClock.now());
    if (at === null) return;
    this.alarmAt = at;
    await this.host.ctx.storage.setAlarm(at);
  }

  /**
   * Lets a restarted coordinator finish hearing from its shards, then sends
   * any pending diff: what is read next is the whole room, and `seq` covers it.
   */
  async settled(): Promise<void> {
    await this.role.settle();
    this.diffPacer.flushNow();
  }

  /** One page of the whole room: a shard's coordinator gathers it from every shard; any other object reads its own. */
  private async page(after: string | null, limit: number): Promise<UserPage | null> {
    const { role } = this.role;
    if (role.kind !== "shard") return this.role.view.page(after, limit);
    return this.stub(role.room).herenowPage(after, limit);
  }

  /** Another object of the room, for RPC. */
  private stub(name: string): RoomRpc {
    return roomStub(presenceNamespace(this.host.env), name);
  }

  private chooseRole(): ObjectRole {
    const { host } = this;
    const name = host.name();
    // the gates create no object for a name that is not a room's or a shard's
    const role = roleOf(name, host.settings) ?? { kind: "room", room: name };
    const roleHost: RoleHost = {
      settings: host.settings,
      storage: host.ctx.storage,
      presence: this.presence,
      agents: this.agents,
      sockets: this.sockets,
      store: this.store,
      bans: this.bans,
      stub: (name) => this.stub(name),
      changed: () => this.diffPacer.changed(),
      published: (diff, events, at, recentChanged) => this.events?.published(diff, events, at, recentChanged),
      broadcast: (text) => host.broadcast(text),
      scheduleAlarm: () => this.scheduleAlarm(),
      log: (message) => host.log(message),
    };
    // a sharded room's events reach the webhook from its coordinator, as one room's
    if (role.kind === "shard") return new ShardRole(role, roleHost);
    this.events = new RoomEvents({
      settings: host.settings,
      storage: host.ctx.storage,
      store: this.store,
      leaveTimer: this.leaveTimer,
      room: role.room,
      record: () => this.role.record,
      snapshot: () => this.role.connections(),
      changed: (change) => host.presenceChanged(change),
      scheduleAlarm: () => this.scheduleAlarm(),
      log: (message) => host.log(message),
    });
    return role.kind === "coordinator" ? new CoordinatorRole(role, roleHost) : new OneObjectRoom(role, roleHost);
  }
}
