import type { TokenGetter, WebSocketClass } from "@herenow/client";
import { QueryClient, QueryClientContext, QueryClientProvider } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useMemo, useState } from "react";

/** Settings that every presence hook below a `<PresenceProvider>` shares. */
export interface PresenceProviderSettings {
  /** The party's host, such as `"herenow.<your-subdomain>.workers.dev"` or `"127.0.0.1:1999"`. */
  host: string;
  /** The party's name (default `"main"`). */
  party?: string | undefined;
  /** A signed token; none (or `null`) connects anonymously. */
  token?: string | null | undefined;
  /** Fetches a token; refreshed through React Query before it expires. Wins over `token`. */
  getToken?: TokenGetter | undefined;
  /** The React Query client that holds the rooms; default: the nearest `<QueryClientProvider>`. */
  queryClient?: QueryClient | undefined;
  /** The WebSocket class to use (default: the global one; in Node pass `ws`). */
  WebSocket?: WebSocketClass | undefined;
}

export interface PresenceProviderProps extends PresenceProviderSettings {
  children?: ReactNode;
}

/** @internal read by the hooks */
export const PresenceContext = createContext<PresenceProviderSettings | null>(null);

/**
 * Shares a host, a token source and a QueryClient with every `usePresence`
 * and `usePresenceUsers` below it. Without a `queryClient` and without a
 * `<QueryClientProvider>` above, it makes a QueryClient of its own.
 *
 * @example
 * <PresenceProvider host="herenow.<your-subdomain>.workers.dev" getToken={({ room }) => fetch(`/api/herenow/token?room=${room}`).then(async (r) => (r.ok ? (await r.json()).token : null))}>
 *   <Lobby />
 * </PresenceProvider>
 */
export function PresenceProvider({
  children,
  host,
  party,
  token,
  getToken,
  queryClient,
  WebSocket,
}: PresenceProviderProps): ReactNode {
  const outer = useContext(QueryClientContext);
  const [own] = useState(() => (queryClient || outer ? null : new QueryClient()));
  const client = queryClient ?? outer ?? own ?? undefined;
  const value = useMemo(
    () => ({ host, party, token, getToken, queryClient: client, WebSocket }),
    [host, party, token, getToken, client, WebSocket],
  );
  const provided = <PresenceContext.Provider value={value}>{children}</PresenceContext.Provider>;
  return own ? <QueryClientProvider client={own}>{provided}</QueryClientProvider> : provided;
}
