import type { AppMessage } from "@herenow/core";
import { type Connection, type ConnectionContext, Server, type WSMessage } from "partyserver";

/** PartyServer's handlers an application may override without calling `super`. */
type Handlers = Pick<
  Server,
  "onStart" | "getConnectionTags" | "onConnect" | "onMessage" | "onClose" | "onError" | "onAlarm" | "onRequest"
>;

/** Presence's half of each handler, run before the application's own. */
export interface PresenceHalf {
  /** Loads the room (once, however many wakes ask at the same moment). */
  load(): Promise<void>;
  tags(connection: Connection, context: ConnectionContext): Promise<string[]>;
  /** Admits a socket into the room; `false` when it was closed instead. */
  accept(connection: Connection): boolean;
  /** Handles presence's frames; an application's comes back parsed. */
  frame(connection: Connection, message: WSMessage): AppMessage | null;
  /** An application message for `onAppMessage` (the subclass does not override `onMessage`). */
  appMessage(connection: Connection, message: AppMessage): Promise<void>;
  closed(connection: Connection, code: number): void;
  alarm(): Promise<void>;
  request(request: Request): Promise<Response>;
  scheduleAlarm(): Promise<void>;
  /** Runs an application hook; what it throws goes to `onPresenceError`. */
  callHook(where: string, run: () => unknown): Promise<void>;
}

/** The classes already warned about overriding both `onMessage` and `onAppMessage`. */
const warned = new WeakSet<object>();

/**
 * Installs presence in front of the handlers, whether the subclass overrides
 * them or not (the pattern of Cloudflare's Agents SDK): presence first, then
 * the application's own handler.
 */
export function installHandlers(server: Server, presence: PresenceHalf, overridesAppMessage: boolean): void {
  const app: Handlers = {
    onStart: server.onStart,
    getConnectionTags: server.getConnectionTags,
    onConnect: server.onConnect,
    onMessage: server.onMessage,
    onClose: server.onClose,
    onError: server.onError,
    onAlarm: server.onAlarm,
    onRequest: server.onRequest,
  };
  const base = Server.prototype;
  const overrides = (name: keyof Handlers) => app[name] !== base[name];
  if (overrides("onMessage") && overridesAppMessage) warnBothOverridden(server.constructor);

  // PartyServer starts a room twice when an alarm and a request wake it at the same moment
  // (both find it not started); the second start waits for the first and adds nothing
  let started: Promise<void> | null = null;
  server.onStart = (props) => {
    started ??= (async () => {
      await presence.load();
      if (overrides("onStart")) await app.onStart.call(server, props);
    })().catch((error: unknown) => {
      started = null;
      throw error;
    });
    return started;
  };
  server.getConnectionTags = async (connection, context) => {
    const own = await presence.tags(connection, context);
    const extra = overrides("getConnectionTags") ? await app.getConnectionTags.call(server, connection, context) : [];
    return [...own, ...extra];
  };
  server.onConnect = async (connection, context) => {
    if (!presence.accept(connection)) return;
    await presence.scheduleAlarm();
    if (overrides("onConnect")) {
      await presence.callHook("onConnect", () => app.onConnect.call(server, connection, context));
    }
  };
  server.onMessage = async (connection, message) => {
    const appMessage = presence.frame(connection, message);
    if (appMessage === null) return presence.scheduleAlarm();
    if (overrides("onMessage")) {
      await presence.callHook("onMessage", () => app.onMessage.call(server, connection, message));
    } else await presence.appMessage(connection, appMessage);
  };
  server.onClose = async (connection, code, reason, wasClean) => {
    presence.closed(connection, code);
    await presence.scheduleAlarm();
    if (overrides("onClose")) {
      await presence.callHook("onClose", () => app.onClose.call(server, connection, code, reason, wasClean));
    }
  };
  server.onError = async (connection, error) => {
    // a failed socket is a close without a goodbye: the user gets the leave grace
    presence.closed(connection, 1006);
    await presence.scheduleAlarm();
    if (overrides("onError")) await presence.callHook("onError", () => app.onError.call(server, connection, error));
  };
  server.onAlarm = async () => {
    await presence.alarm();
    if (overrides("onAlarm")) await presence.callHook("onAlarm", () => app.onAlarm.call(server));
  };
  server.onRequest = async (request) => {
    const response = await presence.request(request);
    if (response.status !== 404 || !overrides("onRequest")) return response;
    return app.onRequest.call(server, request);
  };
}

/** Tells the developer, once per class, that `onAppMessage` is dead code next to an `onMessage`. */
function warnBothOverridden(subclass: { name: string }): void {
  if (warned.has(subclass)) return;
  warned.add(subclass);
  console.warn(
    `herenow: ${subclass.name} overrides both onMessage and onAppMessage: onMessage wins and gets every application frame, and onAppMessage is never called. Override one of them.`,
  );
}
