import { type PartyServer, SECRET, PromptCloseWebSocket as WS } from "@herenow/testing";
import { partySuite } from "@herenow/testing/suite";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, type RenderHookResult, renderHook } from "@testing-library/react";
import { type ReactNode, StrictMode } from "react";
import { afterEach } from "vitest";

/**
 * The party of a React test file (`partySuite`: started before its first test with these
 * `HERENOW_*` settings, disposed after its last), every mounted hook unmounted after each test.
 *
 * @example
 * const party = reactSuite({ HERENOW_LEAVE_GRACE_MS: "1000" });
 * mount(() => usePresence("lobby", { host: party.server.host, WebSocket: WS }));
 */
export function reactSuite(vars: Record<string, string> = {}) {
  afterEach(() => cleanup());
  return partySuite(vars);
}

type Listener = (event: unknown) => void;

/**
 * A `ws` WebSocket that counts what it is asked to do (sockets opened,
 * frames sent by type) and can play tricks: `hideErrors` hides why a
 * connection failed, as browsers do (a refused upgrade looks like any
 * network error); `drop` loses received frames it matches.
 */
export function countingWebSocket(options: { hideErrors?: boolean; drop?: (frame: string) => boolean } = {}) {
  const urls: string[] = [];
  const sent: string[] = [];
  class CountingWS extends WS {
    private readonly wrapped = new Map<Listener, Listener>();
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      urls.push(url);
    }
    override send(data: unknown, ...rest: unknown[]): void {
      const text = String(data);
      try {
        // a frame by its type; the bare heartbeat (the JSON string "heartbeat") by itself
        const parsed: unknown = JSON.parse(text);
        sent.push(typeof parsed === "string" ? parsed : ((parsed as { type?: string })?.type ?? text));
      } catch {
        sent.push(text);
      }
      // biome-ignore lint/suspicious/noExplicitAny: forwarding ws's overloads as they are
      (super.send as any)(data, ...rest);
    }
    override addEventListener(type: string, listener: Listener, listenerOptions?: unknown): void {
      let actual = listener;
      if (type === "error" && options.hideErrors) {
        actual = () => listener({ type: "error", error: new Error("") });
      } else if (type === "message" && options.drop) {
        const drop = options.drop;
        actual = (event) => {
          if (!drop(String((event as { data: unknown }).data))) listener(event);
        };
      }
      this.wrapped.set(listener, actual);
      // biome-ignore lint/suspicious/noExplicitAny: ws's listener overloads
      (super.addEventListener as any)(type, actual, listenerOptions);
    }
    override removeEventListener(type: string, listener: Listener): void {
      const actual = this.wrapped.get(listener) ?? listener;
      this.wrapped.delete(listener);
      // biome-ignore lint/suspicious/noExplicitAny: ws's listener overloads
      (super.removeEventListener as any)(type, actual);
    }
  }
  return { WebSocket: CountingWS, urls, sent, count: (type: string) => sent.filter((t) => t === type).length };
}

/**
 * Renders a hook in a root of its own, with its own QueryClient: another browser tab, whose
 * `sessionStorage` starts empty as a new tab's does (jsdom has one for the whole file). With
 * `reload: true` it is the same tab loaded again: what the last one kept there stays.
 */
export function mount<T, P = undefined>(
  hook: (props: P) => T,
  options: { strict?: boolean; client?: QueryClient; initialProps?: P; reload?: boolean } = {},
): RenderHookResult<T, P> & { client: QueryClient } {
  if (!options.reload) sessionStorage.clear();
  const client = options.client ?? new QueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => {
    const tree = <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    return options.strict ? <StrictMode>{tree}</StrictMode> : tree;
  };
  const rendered = renderHook<T, P>(hook, {
    wrapper,
    ...(options.initialProps ? { initialProps: options.initialProps } : {}),
  });
  return Object.assign(rendered, { client });
}

/** The room as the server sees it (`GET /parties/main/<room>`). */
export async function roomSnapshot(
  server: PartyServer,
  room: string,
): Promise<{ users: { id: string; connections: number; state: Record<string, unknown> }[]; connections: number }> {
  const response = await fetch(server.httpUrl(room), { headers: { authorization: `Bearer ${SECRET}` } });
  return response.json();
}

export async function kick(server: PartyServer, room: string, userId: string): Promise<number> {
  const response = await fetch(server.httpUrl(room, "kick"), {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { closed: number }).closed;
}

export const ids = (users: readonly { id: string }[]) => users.map((user) => user.id);
