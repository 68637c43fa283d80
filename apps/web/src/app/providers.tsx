"use client";

import { PresenceProvider, type TokenGetter } from "@herenow/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { fetchPresenceToken } from "@/lib/presence-token-client";

const fetchToken: TokenGetter = ({ room }) => fetchPresenceToken(room);

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
