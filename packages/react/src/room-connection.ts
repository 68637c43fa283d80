import {
  type AppMessage,
  CLOSE_CODES,
  type CountMessage,
  DEFAULTS,
  type DiffMessage,
  EMPTY_SNAPSHOT,
  type ErrorCode,
  FRAMES,
  isValidRoomName,
  type PageMessage,
  PresenceView,
  type SyncMessage,
} from "@herenow/core";
import { hashKey, type QueryClient } from "@tanstack/react-query";
import PartySocket from "partysocket";
import {
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionMachine,
  initialMachine,
  transition,
} from "./connection-machine";
import { Heartbeat } from "./heartbeat";
import { PresenceError } from "./presence-error";
import { CONNECTING_STATE, type RoomState, roomKey } from "./room-state";
import { SessionResume } from "./session-resume";
import { StateSender, type StateUpdate } from "./state-sender";
import { DEFAULT_IDLE_AFTER_MS, StatusReporter } from "./status-reporter";
import { tokenSubject } from "./token";
import { type TokenSettings, TokenSource } from "./token-source";

/** A WebSocket class for partysocket: the browser's, or `ws` in Node. */
export type WebSocketClass = new (url: string, protocols?: string | string[]) => object;

/** What one shared connection to a room is made of. */
export interface RoomConnectionOptions extends TokenSettings {
  heartbeatMs: number;
  /** After this long without input a visible page is `idle` (default 60 s; 0 never). */
  idleAfterMs?: number | undefined;
  /** The window to ask for in a large room (protocol 1.1), or `false` for the full list. */
  window?: number | false | undefined;
  WebSocket?: WebSocketClass | undefined;
}

const OPEN = 1;
/** At most one `presence:follow` per this many ms: the room applies five a second (docs/protocol.md, decision 18). */
const FOLLOW_INTERVAL_MS = 250;
const registries = new WeakMap<QueryClient, Map<string, RoomConnection>>();

/**
 * One room's connection, shared by every hook of one QueryClient that
 * names the same host, party and room, and free of React: a partysocket
 * that reconnects by itself, the room's presence (written to the query
 * cache under `["herenow", host, party, room]`), heartbeats, leaving on
 * purpose, coalesced state and refusals. Hooks hold it with `acquireRoom`
 * and `release()`; the last release leaves the room.
 *
 * @example
 * const connection = acquireRoom(queryClient, { host, party: "main", room: "lobby", heartbeatMs: 20_000 });
 * connection.setState({ typing: true });
 * connection.release();
 */
export class RoomConnection {
  readonly socket: PartySocket | null = null;
  readonly hash: string;
  private readonly key: readonly unknown[];
  private readonly view = new PresenceView();
  private readonly listeners = new Set<(message: AppMessage) => void>();
  private readonly stops: (() => void)[] = [];
  private readonly heartbeat: Heartbeat;
  private readonly tokens: TokenSource;
  private readonly states: StateSender;
  private readonly statuses: StatusReporter;
  private readonly resume: SessionResume;
  /** The token kept from before a reload, for the first connect only. */
  private resumeToken: string | null = null;
  private machine: ConnectionMachine;
  private state: RoomState = CONNECTING_STATE;
  private refs = 0;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** The users followed, sent again on every open (the room forgets them with the socket). */
  private follows: readonly string[] = [];
  /** Set while a follow went out less than `FOLLOW_INTERVAL_MS` ago; `followPending`: a newer list waits. */
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private followPending = false;
  /** The cursor a `presence:list` is out for (`null`: the first page), or `undefined`. */
  private listing: string | null | undefined;

  constructor(
    private readonly client: QueryClient,
    private options: RoomConnectionOptions,
  ) {
    const { host, party, room } = options;
    this.key = roomKey(host, party, room);
    this.hash = hashKey(this.key);
    this.heartbeat = new Heartbeat(
      options.heartbeatMs,
      () => this.sendRaw(FRAMES.bareHeartbeat),
      // 3008 "timeout", not 1000: a runtime that reports codes may take 1000 as a leave
      () => this.socket?.reconnect(3008, "no pong"),
    );
    this.tokens = new TokenSource(client, [...this.key, "token"], () => this.options);
    this.states = new StateSender(
      (state) => this.selfUser() !== undefined && this.sendRaw(JSON.stringify({ type: "presence:state", state })),
      () => this.selfUser()?.state,
    );
    this.statuses = new StatusReporter(options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS, (status) =>
      this.sendRaw(JSON.stringify({ type: "presence:status", status })),
    );
    this.resume = new SessionResume(`herenow:${this.hash}`);
    this.machine = initialMachine(room, isValidRoomName(room) ? null : invalidRoom(room));
    if (this.machine.halted) {
      this.write({ status: this.machine.status, error: this.machine.error });
      return;
    }
    // after a reload: the same connection id and token at once, inside the away grace of the 1001
    const resumed = this.resume.read();
    this.resumeToken = resumed.token;
    const socket = new PartySocket({
      host,
      party,
      room,
      ...(resumed.id === null ? {} : { id: resumed.id }),
      // read on every (re)connect, so a refreshed token never costs the socket its buffered messages
      query: async () => ({
        token: this.machine.halted ? null : await this.tokenForConnect(),
        ...(options.window === false ? {} : { window: String(options.window ?? DEFAULTS.windowSize) }),
      }),
      WebSocket: options.WebSocket,
      // jittered, so a restarted server is not hit by every client in the same instant
      minReconnectionDelay: 500 + Math.random() * 1000,
      maxReconnectionDelay: 10_000,
      shouldReconnectOnClose: (event) => event.code !== CLOSE_CODES.kicked && event.code !== CLOSE_CODES.policy,
    });
    this.socket = socket;
    this.on(socket, "open", () => this.dispatch({ type: "open" }));
    this.on(socket, "message", (event) => this.onMessage(event as MessageEvent));
    this.on(socket, "close", (event) => this.dispatch({ type: "close", code: (event as CloseEvent).code }));
    this.on(socket, "error", (event) => this.onError(event as Event & { message?: string }));
    if (typeof window !== "undefined" && typeof document !== "undefined") {
      // no leave on pagehide: a reload and a closed tab look the same then, and the browser's own
      // 1001 close lets the room tell them apart by whether we come back within the away grace
      this.on(window, "pageshow", (event) => {
        // back from the back-forward cache with the socket gone: at once, not after the backoff
        if ((event as PageTransitionEvent).persisted && !this.machine.live && !this.machine.halted) this.reconnect();
      });
      // a hidden page's timers are throttled to about once a minute: its beats may be late, so
      // the room gives a hidden connection a longer max age, and the page beats as soon as it is seen
      this.on(document, "visibilitychange", () => {
        if (document.visibilityState === "visible") this.heartbeat.now();
      });
      this.statuses.start();
      this.stops.push(() => this.statuses.stop());
    }
    this.write({});
  }

  /** Takes the latest token settings of the hooks; a token that changes after a refusal retries. */
  update(options: Pick<RoomConnectionOptions, "token" | "getToken">): void {
    const changed = options.token !== this.options.token;
    this.options = { ...this.options, token: options.token, getToken: options.getToken };
    if (changed) this.dispatch({ type: "token_changed" });
  }

  /** Listens to application messages (types not starting with `presence:`). */
  onAppMessage(listener: (message: AppMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Merges into this client's custom state; sent at once, then at most 5 times a second. */
  setState(update: StateUpdate): void {
    this.states.update(update);
  }

  /**
   * Replaces the users this connection follows; kept across reconnects. Sent
   * at once, then at most four times a second, the newest list always last:
   * the room takes five a second and counts a flood as abuse.
   */
  follow(userIds: readonly string[]): void {
    this.follows = [...userIds];
    if (this.followTimer) {
      this.followPending = true;
      return;
    }
    this.sendRaw(JSON.stringify({ type: "presence:follow", ids: this.follows }));
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      if (!this.followPending) return;
      this.followPending = false;
      this.follow(this.follows);
    }, FOLLOW_INTERVAL_MS);
  }

  /** Asks for the next page of everyone here; one request at a time, none after the last page. */
  loadMore(limit: number = DEFAULTS.pageSize): void {
    const pages = this.state.pages;
    if (this.listing !== undefined || pages?.next === null) return;
    const after = pages?.next ?? null;
    if (!this.sendRaw(JSON.stringify({ type: "presence:list", after, limit }))) return;
    this.listing = after;
    this.write({ pages: { users: pages?.users ?? [], next: after, loading: true } });
  }

  /** Sends an application message; partysocket buffers it while reconnecting. */
  send(message: { type: string }): void {
    if (typeof message?.type !== "string" || message.type.startsWith("presence:")) {
      throw new TypeError(
        "send() is for application messages, whose `type` does not start with `presence:`; use setState() or close()",
      );
    }
    this.socket?.send(JSON.stringify(message));
  }

  /** Leaves the room on purpose (others see it at once) and stays closed until `reconnect()`. */
  close(): void {
    this.dispatch({ type: "leave", why: "close" });
  }

  /** Connects again after a close, a kick or a refusal, with a freshly read token. */
  reconnect(): void {
    if (!this.socket || this.disposed) return;
    this.dispatch({ type: "reconnect" });
  }

  retain(): void {
    this.refs++;
    clearTimeout(this.releaseTimer);
  }

  /** The last release leaves the room, after a tick so a strict-mode remount keeps the socket. */
  release(): void {
    if (--this.refs > 0) return;
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => {
      if (this.refs <= 0) this.dispose();
    }, 0);
  }

  private dispose(): void {
    this.dispatch({ type: "leave", why: "dispose" });
    this.disposed = true;
    for (const stop of this.stops) stop();
    this.states.stop();
    clearTimeout(this.followTimer);
    this.listeners.clear();
    registries.get(this.client)?.delete(this.hash);
    const cache = this.client.getQueryCache();
    for (const key of [this.key, [...this.key, "token"]]) {
      const query = cache.find({ queryKey: key, exact: true });
      if (query) cache.remove(query);
    }
  }

  /**
   * The token for a (re)connect: the one kept from before a reload, once, so the reload comes
   * back without waiting for `getToken`; after that, and always otherwise, the token source's.
   */
  private async tokenForConnect(): Promise<string | null> {
    const resumed = this.resumeToken;
    this.resumeToken = null;
    if (resumed === null) {
      const token = await this.tokens.forConnect();
      this.resume.saveToken(token);
      return token;
    }
    // asked all the same, without waiting: if the user signed in or out since, connect as they are now
    this.tokens.forConnect().then(
      (fresh) => {
        this.resume.saveToken(fresh);
        if (tokenSubject(fresh) !== tokenSubject(resumed)) this.reconnect();
      },
      () => undefined,
    );
    return resumed;
  }

  /** Moves the machine on, runs its effects, and writes what the hooks see in one update. */
  private dispatch(event: ConnectionEvent): void {
    const before = this.machine;
    const { machine, effects } = transition(before, event);
    this.machine = machine;
    const change: Partial<RoomState> = {};
    for (const effect of effects) Object.assign(change, this.run(effect));
    if (machine.status !== before.status) change.status = machine.status;
    if (machine.error !== before.error) change.error = machine.error;
    if (Object.keys(change).length > 0) this.write(change);
  }

  private run(effect: ConnectionEffect): Partial<RoomState> | undefined {
    switch (effect) {
      case "start_heartbeat":
        this.heartbeat.start();
        return;
      case "stop_heartbeat":
        this.heartbeat.stop();
        return;
      case "halt":
        this.heartbeat.stop();
        this.tokens.stop();
        return;
      case "reset_states":
        this.states.reset();
        this.statuses.opened();
        if (this.follows.length > 0) this.sendRaw(JSON.stringify({ type: "presence:follow", ids: this.follows }));
        // a page asked for on the socket that went is never answered
        if (this.listing !== undefined && this.state.pages) {
          this.listing = undefined;
          return { pages: { ...this.state.pages, loading: false } };
        }
        return;
      case "reset_view":
        this.view.reset();
        this.listing = undefined;
        return { snapshot: EMPTY_SNAPSHOT, pages: null };
      case "leave":
        // the leave goes out before the close frame, so the room drops us at once instead of after its grace
        this.sendRaw(FRAMES.leave);
        this.socket?.close(1000, "left");
        return;
      case "close_socket":
        this.socket?.close();
        return;
      case "reconnect_socket":
        this.socket?.reconnect(4001, "reconnect");
        return;
      case "refresh_token":
        this.tokens.refreshNext();
        return;
      case "probe":
        this.probe();
        return;
    }
  }

  private onMessage(event: MessageEvent): void {
    this.heartbeat.alive();
    let message: { type?: unknown; code?: ErrorCode; message?: string };
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    const type = message?.type;
    if (typeof type !== "string") return;
    if (!type.startsWith("presence:")) {
      for (const listener of this.listeners) {
        try {
          listener(message as AppMessage);
        } catch (error) {
          // one component's failing handler must not keep the message from the others
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    } else if (type === "presence:sync" || type === "presence:diff" || type === "presence:count") {
      // the id the room gave this connection (a fresh one if another tab holds ours): a reload resumes it
      if (type === "presence:sync") this.resume.saveId((message as SyncMessage).self.connectionId);
      const result = this.view.apply(message as SyncMessage | DiffMessage | CountMessage);
      if (result === "gap") this.sendRaw(FRAMES.resync);
      // the first sync of a connection tells who we are: the moment to restore our state
      if (type !== "presence:count") this.states.restore();
      if (this.view.snapshot !== this.state.snapshot) this.write({ snapshot: this.view.snapshot });
    } else if (type === "presence:page") {
      this.onPage(message as unknown as PageMessage);
    } else if (type === "presence:error") {
      const error = new PresenceError(message.code ?? "invalid_message", message.message ?? "");
      this.dispatch({ type: "server_error", error });
    }
  }

  private onPage(page: PageMessage): void {
    if (this.listing === undefined || page.after !== this.listing) return;
    this.listing = undefined;
    const known = new Set((this.state.pages?.users ?? []).map((user) => user.id));
    // someone who left and came back between two pages is listed once
    const users = [...(this.state.pages?.users ?? []), ...page.users.filter((user) => !known.has(user.id))];
    this.write({ pages: { users, next: page.next, loading: false } });
  }

  /** A failed attempt, with what the runtime tells of it (`ws` says "Unexpected server response: 401"; a browser nothing). */
  private onError(event: Event & { message?: string }): void {
    const failure = this.tokens.takeFailure();
    const status = /response: (\d{3})/.exec(event.message ?? "")?.[1];
    this.dispatch({
      type: "error",
      httpStatus: status === undefined ? null : Number(status),
      timeout: event.message === "TIMEOUT",
      tokenFailure: failure === null ? null : failure instanceof Error ? failure.message : String(failure),
      canRefreshToken: this.options.getToken !== undefined,
    });
  }

  /** Asks the room's URL over HTTP whether the server is there at all (see `transition`). */
  private probe(): void {
    if (!this.socket) return;
    const url = this.socket.roomUrl.replace(/^ws/, "http");
    const answered = (yes: boolean) => () =>
      this.dispatch({ type: "probed", answered: yes, canRefreshToken: this.options.getToken !== undefined });
    fetch(url, { mode: "no-cors", cache: "no-store", signal: AbortSignal.timeout(5000) }).then(
      answered(true),
      answered(false),
    );
  }

  private selfUser() {
    const id = this.view.snapshot.self?.user?.id;
    return id === undefined ? undefined : this.view.snapshot.users.find((user) => user.id === id);
  }

  /** Sends only on an open socket: presence frames are never worth buffering. */
  private sendRaw(text: string): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(text);
    return true;
  }

  private on(target: EventTarget, type: string, listener: (event: Event) => void): void {
    target.addEventListener(type, listener);
    this.stops.push(() => target.removeEventListener(type, listener));
  }

  private write(change: Partial<RoomState>): void {
    this.state = { ...this.state, ...change };
    if (this.disposed) return;
    // no observers hold this query, so it must not be collected while the room is connected
    this.client.getQueryCache().build(this.client, {
      queryKey: this.key,
      queryHash: this.hash,
      queryFn: () => this.state,
      gcTime: Number.POSITIVE_INFINITY,
      structuralSharing: false,
    });
    this.client.setQueryData(this.key, this.state);
  }
}

function invalidRoom(room: string): string {
  return `room name ${JSON.stringify(room)} is not allowed: use 1 to 64 characters from A-Z a-z 0-9 _ - .`;
}

/**
 * The shared connection for a room, opened on first use; pair every call
 * with one `release()`.
 */
export function acquireRoom(client: QueryClient, options: RoomConnectionOptions): RoomConnection {
  let rooms = registries.get(client);
  if (!rooms) {
    rooms = new Map();
    registries.set(client, rooms);
  }
  const hash = hashKey(roomKey(options.host, options.party, options.room));
  let connection = rooms.get(hash);
  if (!connection) {
    connection = new RoomConnection(client, options);
    rooms.set(hash, connection);
  }
  connection.retain();
  return connection;
}

/** The live connection for a room's query hash, if any hook holds one. */
export function findRoom(client: QueryClient, hash: string): RoomConnection | undefined {
  return registries.get(client)?.get(hash);
}
