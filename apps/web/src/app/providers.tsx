"use client";

import { PresenceProvider, type TokenGetter } from "@herenow/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

/**
 * The presence token of the signed-in visitor for a room, or `null` for an
 * anonymous visitor (401), who then connects without one.
 */
const fetchToken: TokenGetter = async ({ room }) => {
  const response = await fetch(`/api/herenow/token?room=${encodeURIComponent(room)}`, { cache: "no-store" });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`the token request failed with HTTP ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
};

/** One QueryClient per browser tab, shared by the lobby's polling and the presence hooks. */
export function Providers({ partyHost, children }: { partyHost: string; children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2_000 } } }));
  return (
    <QueryClientProvider client={queryClient}>
      <PresenceProvider host={partyHost} getToken={fetchToken}>
        {children}
      </PresenceProvider>
    </QueryClientProvider>
  );
}
