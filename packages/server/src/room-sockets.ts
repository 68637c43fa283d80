import { CLOSE_CODES, type UserIdentity } from "@herenow/core";
import { type RoomPresence, type RoomReader, systemClock, type ViewChanges } from "@herenow/core/engine";
import type { Connection, ConnectionContext } from "partyserver";
import { verifyConnection } from "./auth";
import { type ConnectionData, dataOf, tagOfConnection, tagOfUser } from "./connection-data";
import { freshConnectionId, isOwnId, placedConnectionId } from "./connection-ids";
import { HeardBans } from "./heard-bans";
import type { LeaveTimer } from "./leave-timer";
import { RoomFollows } from "./room-follows";
import type { KickTarget } from "./room-rpc";
import type { RoomStorage } from "./room-storage";
import { RoomWindows } from "./room-windows";
import type { RoomSettings } from "./settings";
import type { RoomRole } from "./shards";
import { KEYS } from "./storage-keys";

/** What `RoomSockets` needs of the object whose sockets it keeps. */
export interface SocketsHost {
  readonly ctx: DurableObjectState;
  readonly settings: RoomSettings;
  /** This object's own connections. */
  readonly presence: RoomPresence;
  readonly store: RoomStorage;
  readonly leaveTimer: LeaveTimer;
  /** Which object this is: the room's name, a shard's place. */
  role(): RoomRole;
  /** The whole room as this object's connections see it. */
  view(): RoomReader;
  /** The sockets PartyServer hands out, all or those with a tag. */
  connections(tag?: string): Iterable<Connection>;
  /** Something changed: the diff goes out at the end of the coalescing window. */
  changed(): void;
  /** The diff goes out now. */
  flushNow(): void;
  /** A connection closed: a shard's link forgets the sync it waited for. */
  forget(connectionId: string): void;
  onPresenceError(error: unknown, where: string): void;
}

/**
 * This object's WebSockets, from the upgrade to the close: each one's
 * presence id and attachment, the prune of silent ones, the kick, and the
 * diffs and syncs they get. A room of one object and a shard have sockets; a
 * coordinator accepts none.
 */
export class RoomSockets {
  /** A shard's copy of the bans its coordinator's kicks brought. */
  readonly heardBans = new HeardBans();
  readonly windows: RoomWindows;
  readonly follows: RoomFollows;
  /** Connections owed a sync at the end of the diff interval. */
  private readonly awaitingSync = new Set<string>();
  /** Ids given to sockets on their way in, so a second socket cannot take one meanwhile. */
  private readonly reserved = new Set<string>();

  constructor(private readonly host: SocketsHost) {
    const { ctx, settings } = host;
    this.follows = new RoomFollows(ctx.storage);
    this.windows = new RoomWindows({
      // a shard's view of the room (head, followed, own people) takes the place of its own presence
      get presence() {
        return host.view();
      },
      threshold: settings.windowThreshold,
      sockets: () => ctx.getWebSockets(),
      dataOf: (socket) => this.dataOfSocket(socket),
      followsOf: (connectionId) => this.follows.of(connectionId),
      send: sendQuietly,
      saveMode: (windowed) => void ctx.storage.put(KEYS.windowed, windowed),
      clock: systemClock,
      setTimer: (run, ms) => setTimeout(run, ms),
    });
  }

  /** After a start or a wake: the follows of the connections still open, and the windowed mode. */
  async load(open: ReadonlySet<string>): Promise<void> {
    await this.follows.load(open);
    this.windows.restore((await this.host.ctx.storage.get<boolean>(KEYS.windowed)) ?? false);
  }

  /** The connection gets a sync at the end of the diff interval. */
  awaitSync(connectionId: string): void {
    this.awaitingSync.add(connectionId);
    this.host.changed();
  }

  /** The connections owed a sync, taken at the end of a window. */
  takeWaiting(): string[] {
    const waiting = [...this.awaitingSync];
    this.awaitingSync.clear();
    return waiting;
  }

  /**
   * Verifies the token once more inside the room (unless `fetch` just did: `user`) and picks
   * the connection's presence id; returns presence's tags for the socket.
   */
  async prepare(connection: Connection, context: ConnectionContext, user?: UserIdentity | null): Promise<string[]> {
    const role = this.host.role();
    if (user === undefined) user = await verifyConnection(context.request.url, role.room, this.host.settings);
    let id = connection.id;
    const place = role.kind === "shard" ? { shard: role.shard, shards: this.host.settings.shards } : null;
    // a signed-in socket is on its user's shard whatever its `_pk`: an id of another shard's is
    // renamed the same way every time, so the same tab comes back under the same id
    if (place && user && !isOwnId(id, place)) id = placedConnectionId(id, user.id, place);
    if (!this.host.presence.mayTake(id, user?.id ?? null) || this.reserved.has(id) || !isOwnId(id, place)) {
      // A second socket claiming a live id, or another user's id in its grace, must not disturb
      // the first, so it gets an id of its own; so does an anonymous one that reached a shard
      // directly with an id of another shard's.
      id = freshConnectionId(connection.id, place);
    }
    // The rename has to happen before PartyServer accepts the socket: the runtime files
    // hibernatable sockets under their tags (the id is always one), and PartyServer's attachment
    // keeps the id it had at that moment.
    if (id !== connection.id) connection.id = id;
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

  /** A prepared socket was accepted: it joins the room's presence; `false` when it was refused after all. */
  accept(connection: Connection): boolean {
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
    const { presence, store } = this.host;
    const result = presence.connect(data.id, data.user);
    this.host.leaveTimer.reopened(data.id);
    if (result.reclaimed) void store.forgetLingering([data.id]);
    if (result.adopted) void store.forgetLingering([result.adopted]);
    if (data.user) {
      const since = presence.userState(data.user.id)?.since ?? data.since;
      if (since !== data.since) connection.setState({ ...data, since });
    }
    this.windows.remember(connection, data);
    this.awaitSync(data.id);
    return true;
  }

  /**
   * A socket closed or failed. A close the client made on purpose (1000) is a
   * leave; the browser's 1001 when a page goes away (a reload, a closed tab)
   * gets the away grace, long enough for a reload to come back under its id;
   * anything else (a crash, a lost network, the hook's 3008 and 4001) the
   * leave grace. Returns the connection's id, or `null` for a socket presence did not set up
   * or whose id another socket holds now (nothing kept under the id is this socket's then).
   */
  closed(connection: Connection, code: number): string | null {
    this.windows.forget(connection);
    const data = dataOf(connection);
    if (!data) return null;
    const { presence } = this.host;
    // A socket the room already let go no longer owns its id: a page reloaded as someone else
    // leaves and comes back under the same id at once, and the old close may arrive after that.
    // What the room keeps by id (the pending sync, follows, rates) is the new socket's then.
    if (data.left && presence.isLive(data.id)) return null;
    this.follows.forget(data.id);
    this.awaitingSync.delete(data.id);
    this.host.forget(data.id);
    if (data.left || !presence.isLive(data.id)) return data.id;
    this.host.leaveTimer.closed(data.id, systemClock.now());
    if (code === CLOSE_CODES.normal) {
      presence.leave(data.id);
      this.host.flushNow();
      return data.id;
    }
    const lingering = presence.close(data.id, code === CLOSE_CODES.goingAway ? "away" : "lost");
    if (lingering) this.host.store.saveLingering(lingering);
    this.host.changed();
    return data.id;
  }

  /** Ends graces and closes the connections that went silent with 4000 (the room's alarm). */
  async prune(): Promise<void> {
    const { presence, settings, store } = this.host;
    presence.noteSeen(this.autoResponses(presence.overdue()));
    const { stale, expired } = presence.tick();
    for (const id of stale) {
      for (const { socket, data } of this.socketsOf({ connectionId: id })) {
        this.closeSocket(socket, data, CLOSE_CODES.stale, `no traffic for ${settings.maxAgeMs} ms`);
      }
    }
    await store.forgetLingering(expired);
  }

  /** Closes a user's or a connection's sockets here with 4003, lingering ones too; returns how many connections went. */
  async kick(target: KickTarget): Promise<number> {
    const ids = new Set<string>();
    for (const { socket, data } of this.socketsOf(target)) {
      ids.add(data.id);
      this.closeSocket(socket, data, CLOSE_CODES.kicked, "removed by an administrator");
    }
    const gone: string[] = [];
    for (const record of await this.host.store.lingering()) {
      const matches = "userId" in target ? record.user.id === target.userId : record.id === target.connectionId;
      if (matches) {
        ids.add(record.id);
        gone.push(record.id);
      }
    }
    await this.host.store.forgetLingering(gone);
    for (const id of ids) this.host.presence.remove(id, "kicked");
    this.host.flushNow();
    return ids.size;
  }

  /** The open sockets of a user or a presence id, checked against their attachments. */
  *socketsOf(target: KickTarget): Generator<{ socket: Connection; data: ConnectionData }> {
    const tag = "userId" in target ? tagOfUser(target.userId) : tagOfConnection(target.connectionId);
    for (const socket of this.host.connections(tag)) {
      const data = dataOf(socket);
      if (!data || data.left) continue;
      if ("userId" in target ? data.user?.id === target.userId : data.id === target.connectionId) {
        yield { socket, data };
      }
    }
  }

  /** Marks a connection as done before closing it, so nothing it still sends has an effect. */
  closeSocket(socket: Connection, data: ConnectionData, code: number, reason: string): void {
    // closed whatever its attachment holds: one the runtime refuses to write must not stay open
    this.saveData(socket, { ...data, left: true });
    this.awaitingSync.delete(data.id);
    try {
      socket.close(code, reason);
    } catch {
      // already closing: the runtime got there first
    }
  }

  /** Writes a socket's attachment; one the runtime refuses (over 16 KiB) is reported, not thrown. */
  saveData(socket: Connection, data: ConnectionData): void {
    try {
      socket.setState(data);
    } catch (error) {
      this.host.onPresenceError(error, `writing the attachment of connection ${data.id}`);
    }
  }

  /**
   * Sends the room's diff to this object's sockets and a sync to the
   * connections in `syncs`; connections in `held` (a shard's newcomers not yet
   * in a push of the room) get neither yet.
   */
  publish(diff: ViewChanges | null, syncs: string[], held: ReadonlySet<string>): void {
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

  /** A fresh sync to every connection but those held back: a shard that lost its view of the room. */
  resyncAll(held: ReadonlySet<string>): void {
    // the windows' head was the lost copy's: start the windows again from the new one
    this.windows.restore(this.windows.windowed);
    this.sendSyncs([], [...this.host.ctx.getWebSockets()], held);
  }

  /** Sends a sync to each of these connections and sockets; returns the sockets that got one. */
  private sendSyncs(ids: string[], sockets: WebSocket[], held: ReadonlySet<string>): Set<WebSocket> {
    const sent = new Set<WebSocket>();
    const view = this.host.view();
    // a full users list is the same for everyone: serialised once, however many get it
    let everyone: string | null = null;
    const users = () => {
      everyone ??= JSON.stringify(view.snapshotUsers());
      return everyone;
    };
    const send = (socket: WebSocket, data: ConnectionData) => {
      if (sent.has(socket) || held.has(data.id)) return;
      const base = {
        type: "presence:sync" as const,
        room: this.host.role().room,
        seq: view.seq,
        self: { connectionId: data.id, user: data.user },
        anonymous: view.anonymous,
        recent: view.recent(),
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
    if (!isConnection(socket)) for (const _ of this.host.connections());
    return isConnection(socket) ? dataOf(socket) : null;
  }

  /** When the runtime last answered each connection's bare heartbeat itself, for those it ever did. */
  private *autoResponses(connectionIds: readonly string[]): Generator<[string, number]> {
    for (const id of connectionIds) {
      for (const { socket } of this.socketsOf({ connectionId: id })) {
        const at = this.host.ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime();
        if (at !== undefined) yield [id, at];
      }
    }
  }
}

/** Whether PartyServer handed this socket out already, giving it its Connection fields. */
function isConnection(socket: WebSocket): socket is Connection {
  return "setState" in socket;
}

/** Sends unless the socket is closing: one the room closed a moment ago may still read as open. */
export function sendQuietly(socket: WebSocket, text: string): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  try {
    socket.send(text);
  } catch {
    // closed by this room (leave, kick, prune) before the runtime noticed; it needs no diff
  }
}
