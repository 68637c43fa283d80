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
  type UserStatus,
} from "@herenow/core";
import PartySocket from "partysocket";
import {
  type ConnectionEffect,
  type ConnectionMachine,
  initialMachine,
  type MachineEvent,
  transition,
} from "./connection-machine";
import { Heartbeat } from "./heartbeat";
import { PresenceError } from "./presence-error";
import { invalidRoom, type RoomConnectionOptions } from "./room-options";
import type { RoomState } from "./room-state";
import { SessionResume } from "./session-resume";
import { StateSender, type StateUpdate } from "./state-sender";
import { DEFAULT_IDLE_AFTER_MS, StatusReporter } from "./status-reporter";
import { type TokenGetter, tokenSubject } from "./token";
import { TokenSource } from "./token-source";

const OPEN = 1;
/** At most one `presence:follow` per this many ms: the room applies five a second (docs/protocol.md, decision 18). */
const FOLLOW_INTERVAL_MS = 250;

/**
 * One room, shared by everything of one client that names it: a store for
 * any UI library. `subscribe` is told of every change and `getSnapshot`
 * returns the room as it is, the same frozen object until something changes
 * (so `useSyncExternalStore`, signals and stores can compare by identity).
 * The socket opens with the first subscriber and leaves the room, with a
 * `presence:leave`, a tick after the last one unsubscribes (a remount in
 * that tick keeps it). `setState`, `setStatus` and `follow` are kept and
 * sent once the room says who this connection is (and again after every
 * reconnect); `send` needs a subscriber (partysocket buffers it while
 * reconnecting) and `loadMore` an open socket.
 *
 * `status` becomes `unauthorized` when the server refuses the connection:
 * told by the HTTP status where the WebSocket class reports it (`ws` in
 * Node), and in browsers, which hide it, by a socket that failed twice in a
 * row at a server that answers a `no-cors` HTTP request; with `getToken` a
 * fresh token is tried once first. Kicked (4003) and policy (4008) closes
 * stay `closed` with an `error`.
 *
 * @example
 * const room = client.room("lobby");
 * const stop = room.subscribe(() => render(room.getSnapshot().snapshot.users));
 * room.setState({ typing: true });
 * stop(); // the last subscriber: the room is left
 */
export class PresenceRoom {
  #view = new PresenceView();
  #listeners = new Set<(message: AppMessage) => void>();
  #stops: (() => void)[] = [];
  #heartbeat: Heartbeat;
  #tokens: TokenSource;
  #states: StateSender;
  #statuses: StatusReporter;
  #resume: SessionResume;
  /** The token kept from before a reload, for the first connect only. */
  #resumeToken: string | null = null;
  #machine: ConnectionMachine;
  #disposed = false;
  /** The users followed, sent again on every open (the room forgets them with the socket). */
  #follows: readonly string[] = [];
  /** Set while a follow went out less than `FOLLOW_INTERVAL_MS` ago; `followPending`: a newer list waits. */
  #followTimer: ReturnType<typeof setTimeout> | undefined;
  #followPending = false;
  /** The cursor a `presence:list` is out for (`null`: the first page), or `undefined`. */
  #listing: string | null | undefined;

  #options: RoomConnectionOptions;
  #state: RoomState;
  readonly #initial: RoomState;
  #socket: PartySocket | null = null;
  readonly #subscribers = new Set<() => void>();
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  /** The user changed since the resumed token was kept: the connection switches at its open. */
  #userChanged = false;
  /** A subscriber opened the room and the last one has not let go yet. */
  #opened = false;

  constructor(
    /** The room's name. */
    readonly name: string,
    options: RoomConnectionOptions,
    initial: RoomState,
  ) {
    this.#options = options;
    this.#initial = this.#state = initial;
    this.#heartbeat = new Heartbeat(
      options.heartbeatMs,
      () => this.#sendRaw(FRAMES.bareHeartbeat),
      // 3008 "timeout", not 1000: a runtime that reports codes may take 1000 as a leave
      () => this.socket?.reconnect(3008, "no pong"),
    );
    this.#tokens = new TokenSource(() => this.#options);
    this.#states = new StateSender(
      (state) => this.#selfUser() !== undefined && this.#sendRaw(JSON.stringify({ type: "presence:state", state })),
      () => this.#selfUser()?.state,
    );
    this.#statuses = new StatusReporter(options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS, (status) =>
      this.#sendRaw(JSON.stringify({ type: "presence:status", status })),
    );
    this.#resume = new SessionResume(`herenow:${JSON.stringify([options.host, options.party, name])}`);
    this.#machine = initialMachine(name, null);
  }

  /** Listens to every change of `getSnapshot()`; the first listener opens the socket. Returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    clearTimeout(this.#releaseTimer);
    this.#subscribers.add(listener);
    if (!this.#opened) this.#open();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#subscribers.delete(listener);
      if (this.#subscribers.size > 0) return;
      clearTimeout(this.#releaseTimer);
      this.#releaseTimer = setTimeout(() => {
        if (this.#subscribers.size === 0) this.#dispose();
      }, 0);
    };
  }

  /** The room now: presence, connection status, error and loaded pages; the same object until it changes. */
  getSnapshot(): RoomState {
    return this.#state;
  }

  /** The first subscriber: a fresh connection, with the reload resume's id and token if there are any. */
  #open(): void {
    this.#opened = true;
    this.#disposed = false;
    const options = this.#options;
    const { host, party, room } = options;
    this.#machine = initialMachine(room, isValidRoomName(room) ? null : invalidRoom(room));
    if (this.#machine.halted) {
      this.#write({ status: this.#machine.status, error: this.#machine.error });
      return;
    }
    // after a reload: the same connection id and token at once, inside the away grace of the 1001
    const resumed = this.#resume.read();
    this.#resumeToken = resumed.token;
    const socket = new PartySocket({
      host,
      party,
      room,
      ...(resumed.id === null ? {} : { id: resumed.id }),
      // read on every (re)connect, so a refreshed token never costs the socket its buffered messages
      query: async () => ({
        token: this.#machine.halted ? null : await this.#tokenForConnect(),
        ...(options.window === false ? {} : { window: String(options.window ?? DEFAULTS.windowSize) }),
      }),
      WebSocket: options.WebSocket,
      // jittered, so a restarted server is not hit by every client in the same instant
      minReconnectionDelay: 500 + Math.random() * 1000,
      maxReconnectionDelay: 10_000,
      shouldReconnectOnClose: (event) => event.code !== CLOSE_CODES.kicked && event.code !== CLOSE_CODES.policy,
    });
    this.#socket = socket;
    this.#on(socket, "open", () => {
      this.#dispatch({ type: "open" });
      if (this.#userChanged) this.#switchUser();
    });
    this.#on(socket, "message", (event) => this.#onMessage(event as MessageEvent));
    this.#on(socket, "close", (event) => this.#dispatch({ type: "close", code: (event as CloseEvent).code }));
    this.#on(socket, "error", (event) => this.#onError(event as Event & { message?: string }));
    if (typeof window !== "undefined" && typeof document !== "undefined") {
      // no leave on pagehide: a reload and a closed tab look the same then, and the browser's own
      // 1001 close lets the room tell them apart by whether we come back within the away grace
      this.#on(window, "pageshow", (event) => {
        // back from the back-forward cache with the socket gone: at once, not after the backoff
        if ((event as PageTransitionEvent).persisted && !this.#machine.live && !this.#machine.halted) this.reconnect();
      });
      // a hidden page's timers are throttled to about once a minute: its beats may be late, so
      // the room gives a hidden connection a longer max age, and the page beats as soon as it is seen
      this.#on(document, "visibilitychange", () => {
        if (document.visibilityState === "visible") this.#heartbeat.now();
      });
      this.#statuses.start();
      this.#stops.push(() => this.#statuses.stop());
    }
    this.#write({});
  }

  /** Takes new token settings for the next connect; a new token after a refusal reconnects at once. */
  updateToken(options: { token?: string | null | undefined; getToken?: TokenGetter | undefined }): void {
    const changed = options.token !== this.#options.token;
    this.#options = { ...this.#options, token: options.token, getToken: options.getToken };
    if (changed) this.#dispatch({ type: "token_changed" });
  }

  /** Listens to application messages (types not starting with `presence:`). Returns the unsubscribe. */
  onMessage(listener: (message: AppMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Merges into this user's custom state: sent at once, then at most 5 times a second; restored after reconnects. */
  setState<TState extends object>(update: StateUpdate<TState>): void {
    this.#states.update(update as StateUpdate);
  }

  /**
   * Reports this connection's status (`active`, `idle` or `hidden`) instead
   * of the one a browser page works out from input and visibility: for
   * React Native's `AppState`, a bot, or an app's own idea of away. `null`
   * goes back to the automatic one.
   */
  setStatus(status: UserStatus | null): void {
    if (status !== null && status !== "active" && status !== "idle" && status !== "hidden") {
      throw new TypeError(`setStatus takes "active", "idle", "hidden" or null, not ${JSON.stringify(status)}`);
    }
    this.#statuses.force(status);
  }

  /**
   * Replaces the users this connection follows; kept across reconnects. Sent
   * at once, then at most four times a second, the newest list always last:
   * the room takes five a second and counts a flood as abuse.
   */
  follow(userIds: readonly string[]): void {
    this.#follows = [...userIds];
    if (this.#followTimer) {
      this.#followPending = true;
      return;
    }
    this.#sendRaw(JSON.stringify({ type: "presence:follow", ids: this.#follows }));
    this.#followTimer = setTimeout(() => {
      this.#followTimer = undefined;
      if (!this.#followPending) return;
      this.#followPending = false;
      this.follow(this.#follows);
    }, FOLLOW_INTERVAL_MS);
  }

  /** Asks for the next page of everyone here; one request at a time, none after the last page. */
  loadMore(limit: number = DEFAULTS.pageSize): void {
    const pages = this.#state.pages;
    if (this.#listing !== undefined || pages?.next === null) return;
    const after = pages?.next ?? null;
    if (!this.#sendRaw(JSON.stringify({ type: "presence:list", after, limit }))) return;
    this.#listing = after;
    this.#write({ pages: { users: pages?.users ?? [], next: after, loading: true } });
  }

  /** Sends an application message; buffered while reconnecting (and after `close()`, until `reconnect()`). */
  send<TMessage extends { type: string }>(message: TMessage): void {
    if (typeof message?.type !== "string" || message.type.startsWith("presence:")) {
      throw new TypeError(
        "send() is for application messages, whose `type` does not start with `presence:`; use setState() or close()",
      );
    }
    this.socket?.send(JSON.stringify(message));
  }

  /** Leaves the room on purpose for every subscriber (others see it at once); `reconnect()` comes back. */
  close(): void {
    this.#dispatch({ type: "leave", why: "close" });
  }

  /** Connects again after a close, a kick or a refusal, with a freshly read token. */
  reconnect(): void {
    if (!this.socket || this.#disposed) return;
    this.#dispatch({ type: "reconnect" });
  }

  /** The underlying partysocket while subscribed; `null` otherwise. */
  get socket(): PartySocket | null {
    return this.#socket;
  }

  /** The last subscriber went: leaves the room (a `presence:leave` first) and stops every timer and listener. */
  #dispose(): void {
    this.#dispatch({ type: "leave", why: "dispose" });
    this.#disposed = true;
    this.#opened = false;
    for (const stop of this.#stops.splice(0)) stop();
    this.#states.stop();
    clearTimeout(this.#followTimer);
    this.#followTimer = undefined;
    this.#follows = [];
    this.#socket = null;
    this.#view.reset();
    this.#listing = undefined;
    this.#state = this.#initial;
  }

  /**
   * The token for a (re)connect: the one kept from before a reload, once, so the reload comes
   * back without waiting for `getToken`; after that, and always otherwise, the token source's.
   */
  async #tokenForConnect(): Promise<string | null> {
    const resumed = this.#resumeToken;
    this.#resumeToken = null;
    if (resumed === null) {
      const token = await this.#tokens.forConnect();
      this.#resume.saveToken(token);
      return token;
    }
    // asked all the same, without waiting: if the user signed in or out since, connect as they are now
    this.#tokens.forConnect().then(
      (fresh) => {
        this.#resume.saveToken(fresh);
        if (tokenSubject(fresh) === tokenSubject(resumed)) return;
        this.#userChanged = true;
        if (this.#machine.live) this.#switchUser();
      },
      () => undefined,
    );
    return resumed;
  }

  /**
   * The resumed token was another user's: that connection leaves at once (a socket still
   * connecting cannot be turned back, so this waits for its open) and the next one is the new user.
   */
  #switchUser(): void {
    this.#userChanged = false;
    this.#sendRaw(FRAMES.leave);
    this.reconnect();
  }

  /** Moves the machine on, runs its effects, and writes what the room shows in one update. */
  #dispatch(event: MachineEvent): void {
    const before = this.#machine;
    const { machine, effects } = transition(before, event);
    this.#machine = machine;
    const change: Partial<RoomState> = {};
    for (const effect of effects) Object.assign(change, this.#run(effect));
    if (machine.status !== before.status) change.status = machine.status;
    if (machine.error !== before.error) change.error = machine.error;
    if (Object.keys(change).length > 0) this.#write(change);
  }

  #run(effect: ConnectionEffect): Partial<RoomState> | undefined {
    switch (effect) {
      case "start_heartbeat":
        this.#heartbeat.start();
        return;
      case "stop_heartbeat":
        this.#heartbeat.stop();
        return;
      case "halt":
        this.#heartbeat.stop();
        this.#tokens.stop();
        return;
      case "reset_states":
        this.#states.reset();
        this.#statuses.opened();
        if (this.#follows.length > 0) this.#sendRaw(JSON.stringify({ type: "presence:follow", ids: this.#follows }));
        // a page asked for on the socket that went is never answered
        if (this.#listing !== undefined && this.#state.pages) {
          this.#listing = undefined;
          return { pages: { ...this.#state.pages, loading: false } };
        }
        return;
      case "reset_view":
        this.#view.reset();
        this.#listing = undefined;
        return { snapshot: EMPTY_SNAPSHOT, pages: null };
      case "leave":
        // the leave goes out before the close frame, so the room drops us at once instead of after its grace
        this.#sendRaw(FRAMES.leave);
        this.socket?.close(1000, "left");
        return;
      case "close_socket":
        this.socket?.close();
        return;
      case "reconnect_socket":
        this.socket?.reconnect(4001, "reconnect");
        return;
      case "refresh_token":
        this.#tokens.refreshNext();
        return;
      case "probe":
        this.#probe();
        return;
    }
  }

  #onMessage(event: MessageEvent): void {
    this.#heartbeat.alive();
    let message: { type?: unknown; code?: ErrorCode; message?: string };
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    const type = message?.type;
    if (typeof type !== "string") return;
    if (!type.startsWith("presence:")) {
      for (const listener of this.#listeners) {
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
      if (type === "presence:sync") this.#resume.saveId((message as SyncMessage).self.connectionId);
      const result = this.#view.apply(message as SyncMessage | DiffMessage | CountMessage);
      if (result === "gap") this.#sendRaw(FRAMES.resync);
      // the first sync of a connection tells who we are: the moment to restore our state
      if (type !== "presence:count") this.#states.restore();
      if (this.#view.snapshot !== this.#state.snapshot) this.#write({ snapshot: this.#view.snapshot });
    } else if (type === "presence:page") {
      this.#onPage(message as unknown as PageMessage);
    } else if (type === "presence:error") {
      const error = new PresenceError(message.code ?? "invalid_message", message.message ?? "");
      this.#dispatch({ type: "server_error", error });
    }
  }

  #onPage(page: PageMessage): void {
    if (this.#listing === undefined || page.after !== this.#listing) return;
    this.#listing = undefined;
    const known = new Set((this.#state.pages?.users ?? []).map((user) => user.id));
    // someone who left and came back between two pages is listed once
    const users = [...(this.#state.pages?.users ?? []), ...page.users.filter((user) => !known.has(user.id))];
    this.#write({ pages: { users, next: page.next, loading: false } });
  }

  /** A failed attempt, with what the runtime tells of it (`ws` says "Unexpected server response: 401"; a browser nothing). */
  #onError(event: Event & { message?: string }): void {
    const failure = this.#tokens.takeFailure();
    const status = /response: (\d{3})/.exec(event.message ?? "")?.[1];
    this.#dispatch({
      type: "error",
      httpStatus: status === undefined ? null : Number(status),
      timeout: event.message === "TIMEOUT",
      tokenFailure: failure === null ? null : failure instanceof Error ? failure.message : String(failure),
      canRefreshToken: this.#options.getToken !== undefined,
    });
  }

  /** Asks the room's URL over HTTP whether the server is there at all (see `transition`). */
  #probe(): void {
    if (!this.socket) return;
    const url = this.socket.roomUrl.replace(/^ws/, "http");
    const answered = (yes: boolean) => () =>
      this.#dispatch({ type: "probed", answered: yes, canRefreshToken: this.#options.getToken !== undefined });
    // React Native has no AbortSignal.timeout: there the probe waits as long as the platform lets it
    const signal = typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(5000) : null;
    fetch(url, { mode: "no-cors", cache: "no-store", signal }).then(answered(true), answered(false));
  }

  #selfUser() {
    const id = this.#view.snapshot.self?.user?.id;
    return id === undefined ? undefined : this.#view.snapshot.users.find((user) => user.id === id);
  }

  /** Sends only on an open socket: presence frames are never worth buffering. */
  #sendRaw(text: string): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(text);
    return true;
  }

  #on(target: EventTarget, type: string, listener: (event: Event) => void): void {
    target.addEventListener(type, listener);
    this.#stops.push(() => target.removeEventListener(type, listener));
  }

  #write(change: Partial<RoomState>): void {
    if (this.#disposed) return;
    this.#state = Object.freeze({ ...this.#state, ...change });
    for (const listener of [...this.#subscribers]) listener();
  }
}
